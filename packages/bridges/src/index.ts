export * from './types.js';
export * from './bridge-error.js';
export * from './registry.js';
export * from './chat-app.js';
export * from './inbound-ports.js';
export * from './transport-ports.js';
export * from './format.js';
export {
  createTelegramBridge,
  TELEGRAM_GROUP_POSTS_PER_MINUTE,
  ZTelegramCredentials,
  type TTelegramBridgeConfig,
  type TTelegramCredentials,
} from './telegram/index.js';
export * from './commands.js';
export * from './slack/index.js';
export * from './discord/index.js';
export {
  createTelegramUpdatesClient,
  isPollConflict,
  isWebhookConflict,
  TELEGRAM_ALLOWED_UPDATES,
  type TTelegramUpdatesClient,
  telegramChatApp,
  handleTelegramWebhook,
  MAX_WEBHOOK_BODY_BYTES,
  type TTelegramWebhookInput,
  startTelegramPolling,
  type TTelegramPolling,
  type TTelegramPollingConfig,
  type TTelegramPollingPorts,
  type TPolledTelegramConnection,
  type TTelegramPollerStatus,
  type TTelegramUpdatesMode,
} from './telegram/index.js';
// Dashboard setup helpers (token checks, pickers, link code, permission check) — apps/web/src/server/bridge-setup.
export * from './telegram/link-telegram.js';
export * from './slack/setup-slack.js';
export * from './discord/setup-discord.js';
export * from './inbound-order.js';
