import type { TChatApp, TInboundTransport } from './chat-app.js';
import type { TBridgesConfig } from './config.js';
import { discordChatApp } from './discord/chat-app.js';
import type { TInboundOrdering } from './inbound-order.js';
import type { TWebhookEndpoint } from './inbound-ports.js';
import { slackChatApp } from './slack/chat-app.js';
import { telegramChatApp } from './telegram/chat-app.js';
import type { TBridge, TBridgeKind } from './types.js';

export type { TBridgesConfig } from './config.js';

/** The registry: one line per chat app folder. Everything else about a platform lives in its folder. */
export const CHAT_APPS: Record<TBridgeKind, TChatApp> = {
  telegram: telegramChatApp,
  slack: slackChatApp,
  discord: discordChatApp,
};

export type TBridgeRegistry = Partial<Record<TBridgeKind, TBridge>>;

const isBridgeKind = (kind: string): kind is TBridgeKind => Object.hasOwn(CHAT_APPS, kind);

export function createBridgeRegistry(config: TBridgesConfig): TBridgeRegistry {
  const registry: TBridgeRegistry = {};
  for (const app of Object.values(CHAT_APPS)) registry[app.kind] = app.createBridge(config);
  return registry;
}

export function getBridge(registry: TBridgeRegistry, kind: string): TBridge {
  const bridge = registry[kind as TBridgeKind];
  if (!bridge) throw new Error(`No bridge registered for "${kind}"`);
  return bridge;
}

/** The webhook of the chat app named in /api/webhooks/<kind>, or null (unknown kind, or one that takes none). */
export function findWebhook(config: TBridgesConfig, kind: string): TWebhookEndpoint | null {
  if (!isBridgeKind(kind)) return null;
  return CHAT_APPS[kind].createWebhook?.(config) ?? null;
}

/** The long-running inbound transports this server is configured for, one per chat app at most. */
export function createInboundTransports(config: TBridgesConfig): TInboundTransport[] {
  return Object.values(CHAT_APPS).flatMap((app) => app.createTransport?.(config) ?? []);
}

/**
 * Which platform thread an inbound delivery is about and where it stands in the platform's order, per platform:
 * pure functions of the payload, so every inbound transport can order what it stores without a bridge instance.
 */
export const INBOUND_ORDERING = Object.fromEntries(
  Object.values(CHAT_APPS).map((app) => [app.kind, app.inboundOrdering]),
) as Record<TBridgeKind, (payload: unknown) => TInboundOrdering>;
