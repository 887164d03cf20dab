export * from './limits.js';
export * from './message.js';
export * from './widget-events.js';
export * from './errors.js';
export * from './pre-chat-config.js';
export * from './project-settings.js';
export * from './web-url.js';
export * from './webhook-events.js';
