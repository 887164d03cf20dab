export * from './types.js';
export * from './bridge-error.js';
export * from './registry.js';
export * from './format.js';
export { createTelegramBridge, TELEGRAM_GROUP_POSTS_PER_MINUTE, ZTelegramCredentials, type TTelegramBridgeConfig, type TTelegramCredentials } from './telegram/index.js';
export * from './commands.js';
export * from './slack/index.js';
export * from './discord/index.js';
