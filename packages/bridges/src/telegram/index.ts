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
export { telegramChatApp } from './chat-app.js';
export { handleTelegramWebhook, MAX_WEBHOOK_BODY_BYTES, type TTelegramWebhookInput } from './webhook.js';
export {
  startTelegramPolling,
  type TTelegramPolling,
  type TTelegramPollingConfig,
  type TTelegramPollingPorts,
} from './long-polling.js';
export type { TPolledTelegramConnection, TTelegramPollerStatus, TTelegramUpdatesMode } from './bot-poller.js';
