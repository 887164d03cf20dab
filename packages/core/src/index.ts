export * from './app-error.js';
export * from './parse-env.js';
export * from './secrets.js';
export * from './tokens.js';
export * from './logger.js';
export * from './env-fields.js';
export * from './graceful-shutdown.js';
export * from './client-ip.js';
