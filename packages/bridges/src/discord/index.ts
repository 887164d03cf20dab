export {
  createDiscordBridge,
  discordInboundOrdering,
  channelPermissions,
  type TDiscordBridgeConfig,
} from './discord-bridge.js';
export { ZDiscordCredentials, type TDiscordCredentials } from './credentials.js';
export { discordInstallLink, DISCORD_BOT_PERMISSIONS, DISCORD_BOT_PERMISSION_BITS } from './install-link.js';
export {
  ZDiscordGatewayEvent,
  discordInboundExternalId,
  DISCORD_MESSAGE_EVENTS,
  type TDiscordGatewayEvent,
  type TDiscordMessageEvent,
} from './gateway-event.js';
export { escapeDiscordMarkdown, renderDiscordParts, discordThreadName, discordNonce } from './render.js';
export { discordChatApp } from './chat-app.js';
export { handleDiscordInteraction, MAX_INTERACTION_BODY_BYTES } from './webhook.js';
export {
  startDiscordGateway,
  type TDiscordBackfillThread,
  type TDiscordGateway,
  type TDiscordGatewayDeps,
  type TDiscordGatewayPorts,
  type TDiscordGatewayStats,
  type TDiscordShardStatus,
} from './start-discord-gateway.js';
