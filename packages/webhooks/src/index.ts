export * from './signing.js';
export * from './retry-schedule.js';
export * from './send-webhook.js';
export * from './endpoints.js';
export * from './push-visitor-event.js';
