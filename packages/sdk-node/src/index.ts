export * from './client.js';
export * from './webhooks.js';
export * from './identity.js';
export type * from './generated/api.js';
