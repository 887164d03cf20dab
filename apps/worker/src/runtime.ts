import { Worker, type Job } from 'bullmq';
import type { TKeyRing, TLogger } from '@pocketping/core';
import { createBridgeRegistry, type TBridgesConfig } from '@pocketping/bridges';
import { createDb } from '@pocketping/db';
import { QUEUES, bullPrefix, cappedBackoff, createPairLock, createProducer, createRedis, socketIoKey, type TRedisConfig } from '@pocketping/jobs';
import type { TWorkerContext } from './context.js';
import { processDeliverJob } from './delivery/deliver-pair.js';
import { processInboundJob } from './inbound/process-inbound.js';
import { createRealtimePublisher } from './publisher.js';
import { sweepOnce } from './sweeper.js';

export interface TWorkerDeps {
  databaseUrl: string;
  redis: TRedisConfig;
  keyRing: TKeyRing;
  bridges: TBridgesConfig;
  concurrency: number;
  sweepIntervalMs: number;
  log: TLogger;
}

export interface TWorkerRuntime {
  ctx: TWorkerContext;
  sweep(): Promise<{ deliveries: number; inbound: number }>;
  close(): Promise<void>;
}

export async function startWorker(deps: TWorkerDeps): Promise<TWorkerRuntime> {
  const redis = createRedis(deps.redis.url, 'worker');
  const ctx: TWorkerContext = {
    db: createDb(deps.databaseUrl, { poolSize: Math.min(20, deps.concurrency) }),
    redis,
    producer: createProducer(deps.redis),
    bridges: createBridgeRegistry(deps.bridges),
    keyRing: deps.keyRing,
    lock: createPairLock(redis, deps.redis.prefix),
    publisher: createRealtimePublisher(redis, socketIoKey(deps.redis)),
    log: deps.log,
  };
  const common = {
    prefix: bullPrefix(deps.redis),
    concurrency: deps.concurrency,
    settings: { backoffStrategy: (attemptsMade: number) => cappedBackoff(attemptsMade) },
  };
  const onFailed = (queue: string) => (job: Job | undefined, err: Error) =>
    deps.log.warn({ queue, jobId: job?.id, tenantId: (job?.data as { organizationId?: string } | undefined)?.organizationId, attempts: job?.attemptsMade, err: err.message }, 'job failed');

  const delivery = new Worker(QUEUES.delivery, (job, token) => processDeliverJob(ctx, job, token), { ...common, connection: createRedis(deps.redis.url, 'worker') });
  const inbound = new Worker(QUEUES.inbound, (job) => processInboundJob(ctx, job), { ...common, connection: createRedis(deps.redis.url, 'worker') });
  delivery.on('failed', onFailed(QUEUES.delivery));
  inbound.on('failed', onFailed(QUEUES.inbound));
  for (const w of [delivery, inbound]) w.on('error', (err) => deps.log.error({ err: err.message }, 'worker connection error'));

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

  return {
    ctx,
    sweep,
    async close() {
      clearInterval(timer);
      await Promise.allSettled([delivery.close(), inbound.close()]);
      await ctx.producer.close();
      redis.disconnect();
      await ctx.db.$disconnect();
    },
  };
}
