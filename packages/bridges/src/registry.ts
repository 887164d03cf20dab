import type { TBridge, TBridgeKind, TPostRateLimit } from './types.js';
import { createTelegramBridge, type TTelegramBridgeConfig } from './telegram/index.js';
import { createSlackBridge } from './slack/index.js';
import { createDiscordBridge, discordInboundOrdering } from './discord/index.js';
import { slackInboundOrdering } from './slack/index.js';
import { telegramInboundOrdering } from './telegram/index.js';
import type { TInboundOrdering } from './inbound-order.js';

export interface TBridgesConfig {
  /** groupPostsPerMinute: the per-group token bucket (default 20, Telegram's limit; 0 = off for benchmarks). */
  telegram: TTelegramBridgeConfig;
  /** Optional so callers that never talk to Slack need not pass it; apiUrl defaults to https://slack.com/api/. */
  /** channelPostsPer10s: the per-channel token bucket (default 10 per 10 s, about Slack's 1/s; 0 = off for tests). */
  /** tenantPostsPer10s: one organization's share of the shared app, all its channels together (0 = off). */
  slack?: {
    apiUrl: string;
    clientId?: string;
    clientSecret?: string;
    signingSecret?: string;
    appToken?: string | undefined;
    channelPostsPer10s?: number;
    tenantPostsPer10s?: number;
  };
  /**
   * One shared bot for every tenant: its token is the server's (DISCORD_BOT_TOKEN), never a connection's.
   * tenantPostsPer10s: one organization's share of the bot's REST budget, all its channels together (0 = off).
   */
  discord?: {
    apiUrl: string;
    botToken?: string | undefined;
    applicationId?: string | undefined;
    tenantPostsPer10s?: number;
  };
}

const tenantLimit = (per10s: number): TPostRateLimit | null =>
  per10s > 0 ? { scope: 'tenant', capacity: per10s, perMs: 10_000 } : null;

export type TBridgeRegistry = Partial<Record<TBridgeKind, TBridge>>;

/** The registry: one entry per platform folder. Discord and Slack join here. */
export function createBridgeRegistry(config: TBridgesConfig): TBridgeRegistry {
  return {
    telegram: createTelegramBridge(config.telegram),
    slack: createSlackBridge({
      apiUrl: config.slack?.apiUrl,
      ...(config.slack?.channelPostsPer10s === undefined
        ? {}
        : {
            channelPostLimit:
              config.slack.channelPostsPer10s > 0
                ? { scope: 'target', capacity: config.slack.channelPostsPer10s, perMs: 10_000 }
                : null,
          }),
      ...(config.slack?.tenantPostsPer10s === undefined
        ? {}
        : { tenantPostLimit: tenantLimit(config.slack.tenantPostsPer10s) }),
    }),
    discord: createDiscordBridge({
      ...(config.discord ?? { apiUrl: 'https://discord.com/api' }),
      ...(config.discord?.tenantPostsPer10s === undefined
        ? {}
        : { tenantPostLimit: tenantLimit(config.discord.tenantPostsPer10s) }),
    }),
  };
}

export function getBridge(registry: TBridgeRegistry, kind: string): TBridge {
  const bridge = registry[kind as TBridgeKind];
  if (!bridge) throw new Error(`No bridge registered for "${kind}"`);
  return bridge;
}

/**
 * Which platform thread an inbound delivery is about and where it stands in the platform's order, per platform:
 * pure functions of the payload, so every inbound transport can order what it stores without a bridge instance.
 */
export const INBOUND_ORDERING: Record<TBridgeKind, (payload: unknown) => TInboundOrdering> = {
  telegram: telegramInboundOrdering,
  slack: slackInboundOrdering,
  discord: discordInboundOrdering,
};
