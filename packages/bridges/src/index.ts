export * from './types.js';
export * from './bridge-error.js';
export * from './registry.js';
export * from './format.js';
export { createTelegramBridge, ZTelegramCredentials, type TTelegramCredentials } from './telegram/index.js';
