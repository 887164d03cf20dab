// apps/worker — BullMQ runtime: bridge delivery, inbound processing, outbox sweeper, AI fallback.
import { fileURLToPath } from 'node:url';
import { createLogger, exitOnSignals, parseKeyRing, startHealthServer } from '@pocketping/core';
import { checkReadiness } from '@pocketping/db';
import { answerMetrics } from '@pocketping/core/metrics';
import { createWorkerMetrics } from './metrics/worker-metrics.js';
import { redisConfigFromEnv } from '@pocketping/jobs';
import { loadEnv } from './env.js';
import { startWorker } from './runtime.js';
import { createFileUrlSigner, createStorageFromConfig } from '@pocketping/storage';
import { createUsageMailer } from './usage/usage-mailer.js';
import { createStripeClient } from '@pocketping/billing/stripe';

const env = loadEnv();
const redisConfig = redisConfigFromEnv(env);
const log = createLogger('worker', env.LOG_LEVEL);

const keyRing = parseKeyRing(env.ENCRYPTION_KEY);
const worker = await startWorker({
  databaseUrl: env.DATABASE_URL,
  redis: redisConfig,
  keyRing,
  bridges: {
    telegram: { apiRoot: env.TELEGRAM_API_ROOT, groupPostsPerMinute: env.TELEGRAM_GROUP_POSTS_PER_MINUTE },
    slack: {
      apiUrl: env.SLACK_API_URL,
      appToken: env.SLACK_APP_TOKEN,
      channelPostsPer10s: env.SLACK_CHANNEL_POSTS_PER_10S,
      tenantPostsPer10s: env.SLACK_TENANT_POSTS_PER_10S,
    },
    discord: {
      apiUrl: env.DISCORD_API_URL,
      botToken: env.DISCORD_BOT_TOKEN,
      tenantPostsPer10s: env.DISCORD_TENANT_POSTS_PER_10S,
      shardCount: env.DISCORD_SHARD_COUNT,
      shardLeaseMs: env.DISCORD_SHARD_LEASE_MS,
    },
  },
  concurrency: env.WORKER_CONCURRENCY,
  sweepIntervalMs: env.SWEEP_INTERVAL_MS,
  log,
  // Same default folder as apps/realtime, so both processes see the same files in a local run.
  storage: createStorageFromConfig(env, fileURLToPath(new URL('../../../.data/uploads/', import.meta.url)), 'worker'),
  fileUrls: createFileUrlSigner(keyRing, { baseUrl: env.REALTIME_PUBLIC_URL, ttlSeconds: env.FILE_URL_TTL_SECONDS }),
  maxAttachmentBytes: env.ATTACHMENT_MAX_BYTES,
  privacy: { intervalMs: env.PRIVACY_PASS_INTERVAL_MS },
  usage: {
    intervalMs: env.USAGE_PASS_INTERVAL_MS,
    mailer: createUsageMailer(env.SMTP_URL, env.MAIL_FROM),
    webPublicUrl: env.WEB_PUBLIC_URL,
  },
  // The AI fallback: the platform key from env; an organization's own key (sealed in Postgres) wins when set.
  ai: {
    baseURL: env.OPENAI_BASE_URL,
    apiKey: env.OPENAI_API_KEY ?? null,
    defaultModel: env.OPENAI_MODEL,
    streamThrottleMs: env.AI_STREAM_THROTTLE_MS,
    requestTimeoutMs: env.AI_REQUEST_TIMEOUT_MS,
  },
  telegramPolling: {
    mode: env.TELEGRAM_UPDATES_MODE,
    pollTimeoutSeconds: env.TELEGRAM_POLL_TIMEOUT_SECONDS,
    rescanMs: env.TELEGRAM_POLL_RESCAN_MS,
  },
  stripe: env.STRIPE_SECRET_KEY
    ? createStripeClient({
        secretKey: env.STRIPE_SECRET_KEY,
        host: env.STRIPE_API_HOST,
        port: env.STRIPE_API_PORT,
        protocol: env.STRIPE_API_PROTOCOL,
      })
    : null,
  webhooks: {
    fetch: { allow: env.WEBHOOK_FETCH_ALLOW, timeoutMs: env.WEBHOOK_TIMEOUT_MS },
    retryBaseMs: env.WEBHOOK_RETRY_BASE_MS,
    disableAfterMs: env.WEBHOOK_DISABLE_AFTER_MS,
    mailer: createUsageMailer(env.SMTP_URL, env.MAIL_FROM),
    webPublicUrl: env.WEB_PUBLIC_URL,
  },
  notifications: {
    smtpUrl: env.SMTP_URL,
    from: env.MAIL_FROM,
    webPublicUrl: env.WEB_PUBLIC_URL,
    digestEveryMs: env.NOTIFY_DIGEST_EVERY_MS,
    perRecipientPerHour: env.MAIL_PER_RECIPIENT_PER_HOUR,
  },
  knowledge: {
    fetchAllow: env.KNOWLEDGE_FETCH_ALLOW,
    maxPages: env.KNOWLEDGE_CRAWL_MAX_PAGES,
    embeddings:
      env.KNOWLEDGE_EMBEDDINGS === 'on' && env.OPENAI_API_KEY
        ? { apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, model: env.OPENAI_EMBEDDING_MODEL }
        : null,
  },
});
const migrationsDir = env.MIGRATIONS_DIR ?? fileURLToPath(new URL('../../../prisma/migrations/', import.meta.url));
const metrics =
  env.WORKER_HEALTH_PORT > 0 && env.METRICS_TOKEN
    ? createWorkerMetrics(worker.ctx, redisConfig, env.METRICS_TOKEN)
    : null;
const probes =
  env.WORKER_HEALTH_PORT > 0
    ? await startHealthServer({
        ...(metrics ? { metrics: (auth: string | undefined) => answerMetrics(metrics.metrics, auth) } : {}),
        host: env.WORKER_HEALTH_HOST,
        port: env.WORKER_HEALTH_PORT,
        ready: () => checkReadiness({ db: worker.ctx.db, pingRedis: () => worker.ctx.redis.ping(), migrationsDir }),
      })
    : null;
log.info({ concurrency: env.WORKER_CONCURRENCY, healthPort: probes?.port ?? null }, 'worker started');

// SIGTERM: Discord shards released at once, no new jobs, running ones finished or (past the bound) returned.
exitOnSignals(
  log,
  async () => {
    await probes?.close();
    await worker.close({ graceMs: env.SHUTDOWN_GRACE_MS });
  },
  env.SHUTDOWN_GRACE_MS + 5_000,
);
