export { createSlackBridge, slackInboundOrdering, type TSlackBridge, type TSlackBridgeConfig } from './slack-bridge.js';
export { ZSlackCredentials, type TSlackCredentials } from './credentials.js';
export { escapeSlackText } from './escape-mrkdwn.js';
export {
  verifySlackSignature,
  computeSlackSignature,
  SLACK_SIGNATURE_MAX_AGE_SECONDS,
  type TSlackSignatureResult,
} from './verify-signature.js';
export {
  SLACK_INSTALL_EVENTS,
  ZSlackEventCallback,
  ZSlackUrlVerification,
  type TSlackEventCallback,
} from './event-schema.js';
export { connectSlackWithToken, exchangeSlackOAuthCode, type TSlackConnectionDraft } from './connect-slack.js';
export { DEFAULT_SLACK_API_URL } from './create-slack-client.js';
export { startSlackSocketMode, type TSlackSocketMode } from './socket-mode.js';
export { slackChatApp } from './chat-app.js';
export { handleSlackEvents, MAX_SLACK_EVENT_BYTES, type TSlackWebhookDeps } from './webhook.js';
export {
  startSlackSocket,
  type TSlackSocket,
  type TSlackSocketDeps,
  type TSlackSocketStats,
} from './start-slack-socket.js';
export { SLACK_BOT_SCOPES, slackAuthorizeUrl, slackConsentUrl, slackRedirectUri } from './consent-url.js';
