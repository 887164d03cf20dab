import type { TTelegramBridgeConfig } from './telegram/telegram-bridge.js';
import type { TTelegramPollingConfig } from './telegram/long-polling.js';

/** Every platform's settings, from each app's env.ts; each chat app reads its own key. */
export interface TBridgesConfig {
  /** groupPostsPerMinute: the per-group token bucket (default 20, Telegram's limit; 0 = off for benchmarks). */
  telegram: TTelegramBridgeConfig;
  /** Long polling for bots without a webhook (TELEGRAM_UPDATES_MODE); absent = the worker never polls. */
  telegramUpdates?: Omit<TTelegramPollingConfig, 'apiRoot'>;
  /** Optional so callers that never talk to Slack need not pass it; apiUrl defaults to https://slack.com/api/. */
  /** channelPostsPer10s: the per-channel token bucket (default 10 per 10 s, about Slack's 1/s; 0 = off for tests). */
  /** tenantPostsPer10s: one organization's share of the shared app, all its channels together (0 = off). */
  /** appToken: Socket Mode (SLACK_APP_TOKEN), for installs without a public URL; signingSecret: the Events API. */
  slack?: {
    apiUrl: string;
    /** SLACK_CLIENT_ID / SLACK_CLIENT_SECRET: "Add to Slack" (OAuth v2) for the shared app. */
    clientId?: string | undefined;
    clientSecret?: string | undefined;
    signingSecret?: string | undefined;
    appToken?: string | undefined;
    channelPostsPer10s?: number;
    tenantPostsPer10s?: number;
  };
  /**
   * One shared bot for every tenant: its token is the server's (DISCORD_BOT_TOKEN), never a connection's.
   * tenantPostsPer10s: one organization's share of the bot's REST budget, all its channels together (0 = off).
   * publicKey: DISCORD_PUBLIC_KEY, which signs the interactions webhook.
   */
  discord?: {
    apiUrl: string;
    botToken?: string | undefined;
    applicationId?: string | undefined;
    /** DISCORD_CLIENT_SECRET: trades the bot install's OAuth code for the server it was granted. */
    clientSecret?: string | undefined;
    publicKey?: string | undefined;
    tenantPostsPer10s?: number;
    /** DISCORD_SHARD_COUNT: overrides the shard count GET /gateway/bot recommends. */
    shardCount?: number | undefined;
    /** DISCORD_SHARD_LEASE_MS: how long a shard's lease outlives a worker that died. */
    shardLeaseMs?: number | undefined;
  };
}
