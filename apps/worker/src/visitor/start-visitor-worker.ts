import { Worker } from 'bullmq';
import type { TLogger } from '@pocketping/core';
import { QUEUES, bullPrefix, createRedis, type TRedisConfig } from '@pocketping/jobs';
import { processVisitorLeftJob, type TVisitorJobDeps } from './process-visitor-left.js';

/** The `visitor-events` queue (visitor.left). Registered by runtime.ts; shares the worker's db, Redis and producer. */
export async function startVisitorWorker(deps: Omit<TVisitorJobDeps, 'redisPrefix'> & { redisConfig: TRedisConfig; concurrency: number; log: TLogger }) {
  const worker = new Worker(QUEUES.visitor, (job) => processVisitorLeftJob({ ...deps, redisPrefix: deps.redisConfig.prefix }, job), {
    prefix: bullPrefix(deps.redisConfig),
    concurrency: Math.min(deps.concurrency, 20),
    connection: createRedis(deps.redisConfig.url, 'worker'),
  });
  worker.on('failed', (job, err) => deps.log.warn({ queue: QUEUES.visitor, jobId: job?.id, err: err.message }, 'job failed'));
  worker.on('error', (err) => deps.log.error({ err: err.message }, 'worker connection error'));
  await worker.waitUntilReady();
  return { close: () => worker.close() };
}
