import type { TKeyRing, TLogger } from '@pocketping/core';
import { createBridgeRegistry, type TBridgesConfig } from '@pocketping/bridges';
import { createDb, createLimitsStore, createSqlPool, recordAiUsage } from '@pocketping/db';
import { createLimits } from '@pocketping/billing';
import {
  DASHBOARD_NAMESPACE,
  QUEUES,
  cappedBackoff,
  createDashboardPush,
  createPairLock,
  DELIVERY_LEASE_MS,
  createProducer,
  createAiTimer,
  createNotificationJobs,
  createRateLimiter,
  createRedis,
  socketIoKey,
  type TRedisConfig,
} from '@pocketping/jobs';
import { Emitter } from '@socket.io/redis-emitter';
import { createConversationPorts } from '@pocketping/conversations';
import type { TFileUrlSigner, TStorage, TStorageQuotaFor } from '@pocketping/storage';
import type { TWorkerContext } from './context.js';
import { processDeliverJob } from './delivery/deliver-pair.js';
import { RetryLaterError, signMessageFiles } from './inbound/inbound-scope.js';
import { processInboundJob } from './inbound/drain-inbound.js';
import { createJobsInFlight } from './jobs-in-flight.js';
import { startQueueWorker } from './queue-worker.js';
import { sweepOnce } from './sweeper.js';
import { runUsagePass, type TUsageMailer, type TUsagePassResult } from './usage/usage-pass.js';
import { createWidgetSignals } from './visitor/widget-signals.js';
import { startVisitorWorker } from './visitor/start-visitor-worker.js';
import { startTransports } from './transports/start-transports.js';
import { startBillingWorker } from './billing/start-billing-worker.js';
import type { TStripe } from '@pocketping/billing';
import { DEFAULT_AI_CONFIG, type TAiConfig } from './ai/ai-config.js';
import { startAiWorker } from './ai/start-ai-worker.js';
import {
  createKnowledgeEmbedder,
  startKnowledgeWorker,
  type TKnowledgeWorkerConfig,
} from './knowledge/start-knowledge-worker.js';
import { createKnowledgeRetriever } from '@pocketping/knowledge';
import { estimateCostMicroUsd } from '@pocketping/ai';
import { startNotificationWorker, type TNotificationsConfig } from './notifications/start-notification-worker.js';
import { startWebhookWorker, type TWebhookWorkerConfig } from './webhooks/start-webhook-worker.js';
import { runPrivacyPass, type TPrivacyPassOptions, type TPrivacyPassResult } from './privacy/privacy-pass.js';
import { startPrivacyWorker } from './privacy/start-privacy-worker.js';

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
  /** Attachment bytes an organization may store; default: its plan's (`storageBytes`). */
  storageQuotaFor?: TStorageQuotaFor;
  /** Signs attachment URLs in messages pushed to widgets. */
  fileUrls?: TFileUrlSigner | null;
  /** Largest platform file taken in either direction (default 10 MB). */
  maxAttachmentBytes?: number;
  /** The periodic usage pass (usage/usage-pass.ts); absent or intervalMs 0 = off (tests call `usagePass`). */
  usage?: { intervalMs: number; mailer: TUsageMailer | null; webPublicUrl: string };
  /** Telegram long polling for bots without a webhook (absent = never poll; packages/bridges/src/telegram). */
  telegramPolling?: TBridgesConfig['telegramUpdates'];
  /** Stripe client for the billing queue (absent = billing off: Stripe events wait in their queue). */
  stripe?: TStripe | null;
  /**
   * The AI fallback (apps/worker/src/ai): provider base URL and platform key, optional ports (knowledge retrieval,
   * the plan's allowance) and tuning. Absent = no AI timer, no AI answers.
   */
  ai?: Pick<TAiConfig, 'baseURL' | 'apiKey'> & Partial<TAiConfig>;
  /** The AI knowledge indexer (absent = this worker does not index). */
  knowledge?: TKnowledgeWorkerConfig;
  /** Outbound webhooks (apps/worker/src/webhooks); absent = this worker sends none (rows wait for one that does). */
  webhooks?: TWebhookWorkerConfig;
  /** Team emails (a visitor waits; digests) and the mail queue (apps/worker/src/notifications); absent = none. */
  notifications?: TNotificationsConfig;
  /** The privacy pass (retention, internal rows, organization purges, chat-app deletions); absent or 0 = not scheduled by this worker. */
  privacy?: { intervalMs: number };
}

export interface TWorkerRuntime {
  ctx: TWorkerContext;
  sweep(): Promise<{ deliveries: number; inbound: number; billing: number; webhooks?: number }>;
  /** One usage pass now (counters, plan pauses, usage emails). */
  usagePass(): Promise<TUsagePassResult>;
  /** One privacy pass now (apps/worker/src/privacy/privacy-pass.ts). */
  privacyPass(opts?: TPrivacyPassOptions): Promise<TPrivacyPassResult>;
  /** One digest pass of the team notifications now (null when this worker sends no notifications). */
  digestPass: ((now?: Date) => Promise<{ users: number; emails: number }>) | null;
  /** One pass of operator replies emailed to visitors who left (null when this worker sends no notifications). */
  visitorReplyPass: ((now?: Date) => Promise<{ candidates: number; emails: number }>) | null;
  /** One pass of transcripts emailed at close (null when this worker sends no notifications). */
  closeTranscriptPass: ((now?: Date) => Promise<{ candidates: number; emails: number }>) | null;
  /**
   * Graceful shutdown: the chat-app transports stop first (the Discord shard leases are released, so another worker
   * takes the shards over at once), every queue stops taking jobs and finishes the ones running; bridge jobs still
   * running after `graceMs` are put back in their queue for another worker. Resolves true when nothing was cut.
   */
  close(opts?: { graceMs?: number }): Promise<boolean>;
}

export async function startWorker(deps: TWorkerDeps): Promise<TWorkerRuntime> {
  const redis = createRedis(deps.redis, 'worker');
  const db = createDb(deps.databaseUrl, { poolSize: Math.min(20, deps.concurrency) });
  const producer = createProducer(deps.redis);
  const signals = createWidgetSignals({ db, redis, redisConfig: deps.redis, log: deps.log });
  const fileUrls = deps.fileUrls ?? null;
  const limits = createLimits({ store: createLimitsStore(db), redis, prefix: deps.redis.prefix });
  // The plan's monthly AI allowance comes from the plan limits unless a test passes its own.
  const planAllowance: TAiConfig['aiAllowance'] = async (organizationId) => {
    const { limits: plan } = await limits.entitlements(organizationId);
    return { maxReplies: plan.aiRepliesPerMonth, maxTokens: plan.aiTokensPerMonth };
  };
  // Embeddings are metered like completions: in the AI meter and in the plan's monthly tokens.
  const onEmbeddingUsage = async (u: { organizationId: string; model: string; tokensIn: number }) => {
    await recordAiUsage(db, u.organizationId, {
      kind: 'embedding',
      model: u.model,
      promptTokens: u.tokensIn,
      completionTokens: 0,
      costMicroUsd: estimateCostMicroUsd(u.model, u.tokensIn, 0),
    });
    await limits.recordAiUsage(u.organizationId, { replies: 0, tokens: u.tokensIn });
  };
  const knowledge: TKnowledgeWorkerConfig | null = deps.knowledge
    ? { onUsage: onEmbeddingUsage, ...deps.knowledge }
    : null;
  // The AI answers from the project's knowledge (full text, plus embeddings when on) unless a test passes its own.
  const retrieveKnowledge: TAiConfig['retrieveKnowledge'] = knowledge
    ? createKnowledgeRetriever({ db, embedder: createKnowledgeEmbedder(knowledge), log: deps.log })
    : DEFAULT_AI_CONFIG.retrieveKnowledge;
  const ai: TAiConfig | null = deps.ai
    ? { ...DEFAULT_AI_CONFIG, aiAllowance: planAllowance, retrieveKnowledge, ...deps.ai }
    : null;
  const aiRedis = ai ? createRedis(deps.redis, 'producer') : null;
  const aiTimer = aiRedis ? createAiTimer(aiRedis, deps.redis) : null;
  const notifyRedis = deps.notifications ? createRedis(deps.redis, 'producer') : null;
  const notificationJobs = notifyRedis ? createNotificationJobs(notifyRedis, deps.redis) : null;
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
    // Short and renewed in the background by its holder: a killed worker's pairs are free again within 4 s.
    lock: createPairLock(redis, deps.redis.prefix, DELIVERY_LEASE_MS),
    // Short: the holder renews it in the background (a 30 s file download keeps it), and a killed holder's threads
    // are free again after 10 s — not after the slowest event's length.
    inboundLock: createPairLock(redis, `${deps.redis.prefix}:in`, 10_000),
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
      ...(aiTimer ? { aiTimer } : {}),
    }),
    signals,
    log: deps.log,
    maxAttachmentBytes: deps.maxAttachmentBytes ?? 10 * 1024 * 1024,
    storage: deps.storage ?? null,
    storageQuotaFor: deps.storageQuotaFor ?? limits.storageQuotaFor,
    limits,
    fileUrls,
    aiTimer,
    ai,
    notifications: notificationJobs,
  };
  const bridgeQueue = {
    concurrency: deps.concurrency,
    settings: { backoffStrategy: (attemptsMade: number) => cappedBackoff(attemptsMade) },
    // A worker killed mid-job leaves it "active"; a short job lock lets another worker take it over within ~15 s
    // (the outbox row, not the job, is the truth: a job run twice finds its row done).
    lockDuration: 10_000,
    stalledInterval: 5_000,
    // A pair busy elsewhere is an expected retry, not a failure worth a warning.
    failedLevel: (err: Error) => (err instanceof RetryLaterError ? 'debug' : 'warn'),
  } as const;
  const queueDeps = { redisConfig: deps.redis, log: deps.log };
  const inFlight = createJobsInFlight();
  const [delivery, inbound] = await Promise.all([
    startQueueWorker(
      QUEUES.delivery,
      inFlight.wrap((job, token) => processDeliverJob(ctx, job, token)),
      queueDeps,
      bridgeQueue,
    ),
    startQueueWorker(
      QUEUES.inbound,
      inFlight.wrap((job, token) => processInboundJob(ctx, job, token)),
      queueDeps,
      bridgeQueue,
    ),
  ]);

  const webhookWorker = deps.webhooks
    ? await startWebhookWorker({
        db: ctx.db,
        databaseUrl: deps.databaseUrl,
        keyRing: deps.keyRing,
        redisConfig: deps.redis,
        concurrency: deps.concurrency,
        log: deps.log,
        config: deps.webhooks,
      })
    : null;
  const sweep = async (): Promise<{ deliveries: number; inbound: number; billing: number; webhooks?: number }> => {
    const r = await sweepOnce(ctx, Math.max(1_000, deps.sweepIntervalMs));
    return webhookWorker ? { ...r, webhooks: await webhookWorker.sweep(Math.max(1_000, deps.sweepIntervalMs)) } : r;
  };
  // First sweep right away: after a crash, whatever was pending is picked up at once.
  const runSweep = () =>
    sweep().then(
      (r) =>
        r.deliveries + r.inbound + r.billing + (r.webhooks ?? 0) > 0
          ? deps.log.info(r, 'sweeper re-enqueued rows')
          : undefined,
      (err: unknown) => deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'sweep failed'),
    );
  void runSweep();
  const timer = setInterval(() => void runSweep(), deps.sweepIntervalMs);
  const usagePass = () =>
    runUsagePass({
      db,
      limits,
      log: deps.log,
      mailer: deps.usage?.mailer ?? null,
      webPublicUrl: deps.usage?.webPublicUrl ?? 'http://localhost:3000',
    });
  const usageTimer =
    deps.usage && deps.usage.intervalMs > 0
      ? setInterval(
          () =>
            void usagePass().catch((err: unknown) =>
              deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'usage pass failed'),
            ),
          deps.usage.intervalMs,
        )
      : null;
  usageTimer?.unref();

  const visitorWorker = await startVisitorWorker({
    ctx,
    db: ctx.db,
    redis,
    redisConfig: deps.redis,
    producer: ctx.producer,
    concurrency: deps.concurrency,
    log: deps.log,
  });
  const knowledgeWorker = knowledge
    ? await startKnowledgeWorker({ db: ctx.db, redisConfig: deps.redis, log: deps.log, config: knowledge })
    : null;
  const billingWorker = deps.stripe
    ? await startBillingWorker({
        db: ctx.db,
        stripe: deps.stripe,
        redisConfig: deps.redis,
        log: deps.log,
        onBillingChanged: (organizationId) => limits.invalidate(organizationId),
        ...(deps.usage?.mailer
          ? { notices: { mailer: deps.usage.mailer, webPublicUrl: deps.usage.webPublicUrl } }
          : {}),
      })
    : null;
  const notificationWorker = deps.notifications
    ? await startNotificationWorker({
        db: ctx.db,
        redis,
        redisConfig: deps.redis,
        keyRing: deps.keyRing,
        log: deps.log,
        config: deps.notifications,
      })
    : null;
  if (deps.notifications && notificationJobs && deps.notifications.digestEveryMs > 0)
    await notificationJobs.startPasses(deps.notifications.digestEveryMs, 60_000);
  const aiWorker = ai
    ? await startAiWorker({ ctx, ai, redisConfig: deps.redis, concurrency: deps.concurrency, log: deps.log })
    : null;
  const privacyWorker = await startPrivacyWorker({
    ctx,
    redisConfig: deps.redis,
    intervalMs: deps.privacy?.intervalMs ?? 0,
  });
  // Telegram long polling, Slack Socket Mode and the Discord gateway shards this worker holds, each only when
  // configured and in the background (a platform outage never blocks the worker).
  const transports = startTransports(
    ctx,
    { ...deps.bridges, ...(deps.telegramPolling ? { telegramUpdates: deps.telegramPolling } : {}) },
    deps.redis.prefix,
  );

  return {
    ctx,
    sweep,
    usagePass,
    privacyPass: (opts) => runPrivacyPass(ctx, opts),
    digestPass: notificationWorker ? (now) => notificationWorker.digestPass(now) : null,
    visitorReplyPass: notificationWorker ? (now) => notificationWorker.visitorReplyPass(now) : null,
    closeTranscriptPass: notificationWorker ? (now) => notificationWorker.closeTranscriptPass(now) : null,
    async close(opts = {}) {
      const deadline = Date.now() + (opts.graceMs ?? 10_000);
      clearInterval(timer);
      if (usageTimer) clearInterval(usageTimer);
      await transports.close();
      const finished = Promise.allSettled([
        delivery.close(),
        inbound.close(),
        visitorWorker.close(),
        billingWorker?.close(),
        aiWorker?.close(),
        knowledgeWorker?.close(),
        webhookWorker?.close(),
        privacyWorker.close(),
        notificationWorker?.close(),
      ]).then(() => true);
      let bound: NodeJS.Timeout | undefined;
      const clean = await Promise.race([
        finished,
        new Promise<false>((resolve) => (bound = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now())))),
      ]);
      clearTimeout(bound);
      if (!clean) {
        const running = inFlight.count();
        const returned = await inFlight.returnAll();
        deps.log.warn({ running, returned }, 'shutdown bound reached: running bridge jobs returned to their queue');
      }
      await aiTimer?.close();
      aiRedis?.disconnect();
      await notificationJobs?.close();
      notifyRedis?.disconnect();
      await ctx.producer.close();
      redis.disconnect();
      await ctx.db.$disconnect();
      await ctx.sql.end();
      return clean;
    },
  };
}
