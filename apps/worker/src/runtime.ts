import { Worker, type Job } from 'bullmq';
import type { TKeyRing, TLogger } from '@pocketping/core';
import { createBridgeRegistry, type TBridgesConfig } from '@pocketping/bridges';
import { createDb, createSqlPool } from '@pocketping/db';
import {
  DASHBOARD_NAMESPACE,
  QUEUES,
  bullPrefix,
  cappedBackoff,
  createDashboardPush,
  createPairLock,
  createProducer,
  createRateLimiter,
  createRedis,
  socketIoKey,
  type TRedisConfig,
} from '@pocketping/jobs';
import { Emitter } from '@socket.io/redis-emitter';
import { createConversationPorts } from '@pocketping/conversations';
import { flatStorageQuota, type TFileUrlSigner, type TStorage, type TStorageQuotaFor } from '@pocketping/storage';
import type { TWorkerContext } from './context.js';
import { processDeliverJob } from './delivery/deliver-pair.js';
import { RetryLaterError, signMessageFiles } from './inbound/inbound-scope.js';
import { processInboundJob } from './inbound/drain-inbound.js';
import { sweepOnce } from './sweeper.js';
import { createWidgetSignals } from './visitor/widget-signals.js';
import { startVisitorWorker } from './visitor/start-visitor-worker.js';
import { startDiscordGateway } from './discord/start-discord-gateway.js';
import { startSlackSocket } from './slack-socket/start-slack-socket.js';
import { startTelegramPolling, type TTelegramPollingConfig } from './telegram-polling/start-telegram-polling.js';
import { startKnowledgeWorker, type TKnowledgeWorkerConfig } from './knowledge/start-knowledge-worker.js';

export interface TWorkerDeps {
  databaseUrl: string;
  redis: TRedisConfig;
  keyRing: TKeyRing;
  bridges: TBridgesConfig;
  concurrency: number;
  sweepIntervalMs: number;
  log: TLogger;
  /** Attachment storage shared with realtime; null/absent = files are announced by name only. */
  storage?: TStorage | null;
  /** Attachment bytes an organization may store; default 1 GiB each (billing may pass a per-plan answer). */
  storageQuotaFor?: TStorageQuotaFor;
  /** Signs attachment URLs in messages pushed to widgets. */
  fileUrls?: TFileUrlSigner | null;
  /** Largest platform file taken in either direction (default 10 MB). */
  maxAttachmentBytes?: number;
  /** Telegram long polling for bots without a webhook (absent = never poll; apps/worker/src/telegram-polling). */
  telegramPolling?: Omit<TTelegramPollingConfig, 'apiRoot' | 'redisPrefix'>;
  /** The AI knowledge indexer (absent = this worker does not index). */
  knowledge?: TKnowledgeWorkerConfig;
}

export interface TWorkerRuntime {
  ctx: TWorkerContext;
  sweep(): Promise<{ deliveries: number; inbound: number }>;
  close(): Promise<void>;
}

export async function startWorker(deps: TWorkerDeps): Promise<TWorkerRuntime> {
  const redis = createRedis(deps.redis.url, 'worker');
  const db = createDb(deps.databaseUrl, { poolSize: Math.min(20, deps.concurrency) });
  const producer = createProducer(deps.redis);
  const signals = createWidgetSignals({ db, redis, redisConfig: deps.redis, log: deps.log });
  const fileUrls = deps.fileUrls ?? null;
  const ctx: TWorkerContext = {
    db,
    sql: createSqlPool(deps.databaseUrl, {
      poolSize: Math.min(10, deps.concurrency),
      onError: (err) => deps.log.warn({ err: err.message }, 'postgres pool error (idle connection dropped)'),
    }),
    redis,
    producer,
    bridges: createBridgeRegistry(deps.bridges),
    keyRing: deps.keyRing,
    lock: createPairLock(redis, deps.redis.prefix),
    // Longer than the slowest single event (a 30 s file download), so a live holder keeps its thread.
    inboundLock: createPairLock(redis, `${deps.redis.prefix}:in`, 45_000),
    limiter: createRateLimiter(redis, deps.redis.prefix),
    conversations: createConversationPorts({
      db,
      redis,
      redisPrefix: deps.redis.prefix,
      widget: signals.push,
      dashboard: createDashboardPush(new Emitter(redis, { key: socketIoKey(deps.redis) }).of(DASHBOARD_NAMESPACE)),
      producer,
      log: deps.log,
      signFiles: (organizationId, message) => signMessageFiles(fileUrls, organizationId, message),
    }),
    signals,
    log: deps.log,
    maxAttachmentBytes: deps.maxAttachmentBytes ?? 10 * 1024 * 1024,
    storage: deps.storage ?? null,
    storageQuotaFor: deps.storageQuotaFor ?? flatStorageQuota(1024 * 1024 * 1024),
    fileUrls,
  };
  const common = {
    prefix: bullPrefix(deps.redis),
    concurrency: deps.concurrency,
    settings: { backoffStrategy: (attemptsMade: number) => cappedBackoff(attemptsMade) },
    // A worker killed mid-job leaves it "active"; a short job lock lets another worker take it over within ~15 s
    // (the outbox row, not the job, is the truth: a job run twice finds its row done).
    lockDuration: 10_000,
    stalledInterval: 5_000,
  };
  const onFailed = (queue: string) => (job: Job | undefined, err: Error) =>
    deps.log[err instanceof RetryLaterError ? 'debug' : 'warn'](
      {
        queue,
        jobId: job?.id,
        tenantId: (job?.data as { organizationId?: string } | undefined)?.organizationId,
        attempts: job?.attemptsMade,
        err: err.message,
      },
      'job failed',
    );

  const delivery = new Worker(QUEUES.delivery, (job, token) => processDeliverJob(ctx, job, token), {
    ...common,
    connection: createRedis(deps.redis.url, 'worker'),
  });
  const inbound = new Worker(QUEUES.inbound, (job, token) => processInboundJob(ctx, job, token), {
    ...common,
    connection: createRedis(deps.redis.url, 'worker'),
  });
  delivery.on('failed', onFailed(QUEUES.delivery));
  inbound.on('failed', onFailed(QUEUES.inbound));
  for (const w of [delivery, inbound])
    w.on('error', (err) => deps.log.error({ err: err.message }, 'worker connection error'));

  const sweep = () => sweepOnce(ctx, Math.max(1_000, deps.sweepIntervalMs));
  // First sweep right away: after a crash, whatever was pending is picked up at once.
  const runSweep = () =>
    sweep().then(
      (r) => (r.deliveries + r.inbound > 0 ? deps.log.info(r, 'sweeper re-enqueued rows') : undefined),
      (err: unknown) => deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'sweep failed'),
    );
  void runSweep();
  const timer = setInterval(() => void runSweep(), deps.sweepIntervalMs);

  await Promise.all([delivery.waitUntilReady(), inbound.waitUntilReady()]);
  const visitorWorker = await startVisitorWorker({
    ctx,
    db: ctx.db,
    redis,
    redisConfig: deps.redis,
    producer: ctx.producer,
    concurrency: deps.concurrency,
    log: deps.log,
  });
  const knowledgeWorker = deps.knowledge
    ? await startKnowledgeWorker({ db: ctx.db, redisConfig: deps.redis, log: deps.log, config: deps.knowledge })
    : null;
  // One gateway connection for the shared Discord bot, in the background (a Discord outage never blocks the worker).
  const slackSocket = deps.bridges.slack?.appToken
    ? startSlackSocket({
        db: ctx.db,
        producer: ctx.producer,
        log: deps.log,
        appToken: deps.bridges.slack.appToken,
        apiUrl: deps.bridges.slack.apiUrl,
      })
    : null;
  const telegramPolling = deps.telegramPolling
    ? startTelegramPolling(ctx, {
        ...deps.telegramPolling,
        apiRoot: deps.bridges.telegram.apiRoot,
        redisPrefix: deps.redis.prefix,
      })
    : null;
  const discord = deps.bridges.discord?.botToken
    ? startDiscordGateway({
        db: ctx.db,
        producer: ctx.producer,
        log: deps.log,
        botToken: deps.bridges.discord.botToken,
        apiUrl: deps.bridges.discord.apiUrl,
      })
    : null;

  return {
    ctx,
    sweep,
    async close() {
      clearInterval(timer);
      await discord?.close();
      await slackSocket?.close();
      await telegramPolling?.close();
      await Promise.allSettled([delivery.close(), inbound.close(), visitorWorker.close(), knowledgeWorker?.close()]);
      await ctx.producer.close();
      redis.disconnect();
      await ctx.db.$disconnect();
      await ctx.sql.end();
    },
  };
}
