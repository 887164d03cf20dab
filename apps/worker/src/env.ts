import { z } from 'zod';
import { checkRedisClusterEnv, envFields, parseEnv, storageEnvFields } from '@pocketping/core';

const ZWorkerEnv = z.object({
  NODE_ENV: envFields.NODE_ENV,
  LOG_LEVEL: envFields.LOG_LEVEL,
  DATABASE_URL: envFields.DATABASE_URL,
  REDIS_URL: envFields.REDIS_URL,
  REDIS_PREFIX: envFields.REDIS_PREFIX,
  REDIS_CLUSTER: envFields.REDIS_CLUSTER,
  REDIS_CLUSTER_NODES: envFields.REDIS_CLUSTER_NODES,
  ENCRYPTION_KEY: envFields.ENCRYPTION_KEY,
  TELEGRAM_API_ROOT: envFields.TELEGRAM_API_ROOT,
  SLACK_API_URL: envFields.SLACK_API_URL,
  SLACK_APP_TOKEN: envFields.SLACK_APP_TOKEN,
  DISCORD_API_URL: envFields.DISCORD_API_URL,
  DISCORD_BOT_TOKEN: envFields.DISCORD_BOT_TOKEN,
  OPENAI_BASE_URL: envFields.OPENAI_BASE_URL,
  STRIPE_API_HOST: envFields.STRIPE_API_HOST,
  STRIPE_API_PORT: envFields.STRIPE_API_PORT,
  STRIPE_API_PROTOCOL: envFields.STRIPE_API_PROTOCOL,
  /** The billing job re-reads subscriptions from Stripe with it; without it Stripe events wait in their queue. */
  STRIPE_SECRET_KEY: envFields.STRIPE_SECRET_KEY,
  OPENAI_API_KEY: envFields.OPENAI_API_KEY,
  OPENAI_MODEL: envFields.OPENAI_MODEL,
  /** At most one streamed partial answer pushed to the widget per this many ms. */
  AI_STREAM_THROTTLE_MS: z.coerce.number().int().min(0).max(2_000).default(50),
  /** Per AI provider request (a visitor is waiting: a stuck provider must fail fast, then retry). */
  AI_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(120_000).default(30_000),
  OPENAI_EMBEDDING_MODEL: envFields.OPENAI_EMBEDDING_MODEL,
  KNOWLEDGE_EMBEDDINGS: envFields.KNOWLEDGE_EMBEDDINGS,
  KNOWLEDGE_FETCH_ALLOW: envFields.KNOWLEDGE_FETCH_ALLOW,
  KNOWLEDGE_CRAWL_MAX_PAGES: envFields.KNOWLEDGE_CRAWL_MAX_PAGES,
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(50),
  /** How often the outbox sweeper looks for rows whose job was lost (ms). */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(200).max(600_000).default(5_000),
  /** Posts per minute per Telegram group (Telegram allows 20); 0 turns the token bucket off (benchmarks only). */
  TELEGRAM_GROUP_POSTS_PER_MINUTE: z.coerce.number().int().min(0).max(10_000).default(20),
  /** Posts per 10 s per Slack channel (Slack allows about 1/s with short bursts); 0 turns the bucket off (tests only). */
  SLACK_CHANNEL_POSTS_PER_10S: z.coerce.number().int().min(0).max(10_000).default(10),
  /**
   * One organization's share of the apps every tenant shares, posts per 10 s across all its channels: past it that
   * tenant's deliveries wait (delayed jobs) and the others' go first. 0 turns the bucket off (benchmarks only).
   */
  SLACK_TENANT_POSTS_PER_10S: z.coerce.number().int().min(0).max(100_000).default(30),
  DISCORD_TENANT_POSTS_PER_10S: z.coerce.number().int().min(0).max(100_000).default(50),
  /**
   * How Telegram updates reach us: auto = long polling for every bot that has no webhook (the web app sets one when
   * WEB_PUBLIC_URL is reachable by Telegram), polling = always poll (removes webhooks), webhook = never poll.
   */
  TELEGRAM_UPDATES_MODE: z.enum(['auto', 'polling', 'webhook']).default('auto'),
  /** How long Telegram holds an idle getUpdates open (seconds). */
  TELEGRAM_POLL_TIMEOUT_SECONDS: z.coerce.number().int().min(0).max(50).default(25),
  /** How often the worker looks for new or removed Telegram connections to poll (ms). */
  TELEGRAM_POLL_RESCAN_MS: z.coerce.number().int().min(200).max(600_000).default(30_000),
  /** Largest platform file taken in either direction (bytes). */
  ATTACHMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  /** Attachment storage: the same variables as web, realtime and worker (all must point at the same place). */
  ...storageEnvFields,
  /** Base of the signed attachment URLs in messages the worker pushes to widgets (realtime serves them). */
  REALTIME_PUBLIC_URL: envFields.REALTIME_PUBLIC_URL.default('http://localhost:3001'),
  /** The dashboard, for the links in usage emails. */
  WEB_PUBLIC_URL: envFields.WEB_PUBLIC_URL.default('http://localhost:3000'),
  /** Usage emails (80 % / 100 % of a plan limit) go out through this SMTP server, like the web app's mail. */
  SMTP_URL: envFields.SMTP_URL,
  MAIL_FROM: z.string().min(3).default('PocketPing <no-reply@pocketping.local>'),
  /** Team notifications in digest mode: one digest per user at most this often (ms; default 1 h). */
  NOTIFY_DIGEST_EVERY_MS: z.coerce
    .number()
    .int()
    .min(60_000)
    .max(7 * 86_400_000)
    .default(3_600_000),
  /** Emails per recipient per hour (notifications); past it they wait for the next hour. */
  MAIL_PER_RECIPIENT_PER_HOUR: z.coerce.number().int().min(1).max(10_000).default(30),
  /** How often the usage pass runs (counters reconciled, plan pauses, usage emails), ms; 0 = never. */
  USAGE_PASS_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
  /** The privacy pass (retention, purges, chat-app deletions): every hour; 0 = this worker schedules none. */
  PRIVACY_PASS_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(3_600_000),
  /** Outbound webhooks: private addresses endpoints may reach anyway (IPs/CIDRs, comma-separated): dev and tests only. */
  WEBHOOK_FETCH_ALLOW: envFields.KNOWLEDGE_FETCH_ALLOW,
  /** Per webhook request (connect + answer), ms. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(60_000).default(10_000),
  /** First retry of a failed webhook after this many ms; each next one waits ×3 (10 attempts, ≈ 27 h by default). */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(10_000),
  /** An endpoint whose every attempt failed for this long is disabled and its owners emailed (default 5 days). */
  WEBHOOK_DISABLE_AFTER_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(90 * 86_400_000)
    .default(5 * 86_400_000),
  FILE_URL_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(30)
    .max(7 * 24 * 3600)
    .default(3600),
  /** The probes' HTTP server: GET /health (alive) and GET /ready (Postgres, Redis, migrations current). 0 = off
   * (the default, so parallel local workers never fight over a port; the deploy manifests set 3002). */
  WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
  WORKER_HEALTH_HOST: z.string().min(1).default('0.0.0.0'),
  /** The prisma/migrations folder shipped with this build (readiness compares it with the database). */
  MIGRATIONS_DIR: envFields.MIGRATIONS_DIR,
  /** Bearer token for GET /metrics on the probe server (Prometheus); unset = no metrics. */
  METRICS_TOKEN: envFields.METRICS_TOKEN,
  SHUTDOWN_GRACE_MS: envFields.SHUTDOWN_GRACE_MS,
  /**
   * Discord gateway shards: unset = the count GET /gateway/bot recommends. Every worker must use the same count
   * (Discord routes a guild to shard (guild_id >> 22) % count; each shard is held by one worker through a lease).
   */
  DISCORD_SHARD_COUNT: z.coerce.number().int().min(1).max(100_000).optional(),
  /** How long a shard's lease outlives a worker that died (renewed every third): takeover within about 4/3 of it. */
  DISCORD_SHARD_LEASE_MS: z.coerce.number().int().min(1_000).max(600_000).default(20_000),
});
export type TWorkerEnv = z.infer<typeof ZWorkerEnv>;

export function loadEnv(source: Record<string, string | undefined> = process.env): TWorkerEnv {
  return parseEnv(ZWorkerEnv.superRefine(checkRedisClusterEnv), source, 'worker');
}
