export {
  createTelegramBridge,
  telegramInboundOrdering,
  TELEGRAM_GROUP_POSTS_PER_MINUTE,
  type TTelegramBridgeConfig,
} from './telegram-bridge.js';
export { ZTelegramCredentials, type TTelegramCredentials } from './credentials.js';
export {
  createTelegramUpdatesClient,
  isPollConflict,
  isWebhookConflict,
  TELEGRAM_ALLOWED_UPDATES,
  type TTelegramUpdatesClient,
} from './updates-client.js';
