export { createTelegramBridge } from './telegram-bridge.js';
export { ZTelegramCredentials, type TTelegramCredentials } from './credentials.js';
