export * from './limits.js';
export * from './message.js';
export * from './widget-events.js';
export * from './errors.js';
