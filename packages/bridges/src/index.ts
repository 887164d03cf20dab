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
// Dashboard setup and OAuth finishing, behind the ports the web app wires (apps/web/src/server/chat-apps).
export * from './setup-ports.js';
export * from './setup-errors.js';
export * from './setup-ids.js';
export {
  SLACK_INSTALL_COOKIE,
  signInstallState,
  verifyInstallState,
  type TInstallState,
} from './slack/install-state.js';
export { finishSlackInstall, startSlackInstall, type TSlackOAuthResult } from './slack/install.js';
export { signDiscordState, verifyDiscordState } from './discord/setup.js';
export * from './telegram/link-telegram.js';
export * from './slack/setup-slack.js';
export * from './discord/setup-discord.js';
export * from './inbound-order.js';
