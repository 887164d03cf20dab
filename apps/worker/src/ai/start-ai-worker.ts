import { Worker } from 'bullmq';
import type { TLogger } from '@pocketping/core';
import { QUEUES, bullPrefix, createRedis, type TRedisConfig } from '@pocketping/jobs';
import type { TWorkerContext } from '../context.js';
import type { TAiConfig } from './ai-config.js';
import { processAiTakeoverJob } from './process-ai-takeover.js';

/** The `ai-takeover` queue: one delayed job per conversation waiting for a human (apps/worker/src/ai). */
export async function startAiWorker(deps: {
  ctx: TWorkerContext;
  ai: TAiConfig;
  redisConfig: TRedisConfig;
  concurrency: number;
  log: TLogger;
}): Promise<{ close(): Promise<void> }> {
  const ctx = { ...deps.ctx, ai: deps.ai, redisPrefix: deps.redisConfig.prefix };
  const worker = new Worker(QUEUES.ai, (job, token) => processAiTakeoverJob(ctx, job, token), {
    prefix: bullPrefix(deps.redisConfig),
    // A job mostly waits on the provider's stream (I/O): timers that fall due together must not queue behind each
    // other's answers, so it takes the worker's full concurrency (bench/ai-timer.ts).
    concurrency: deps.concurrency,
    connection: createRedis(deps.redisConfig, 'worker'),
    lockDuration: 30_000,
  });
  worker.on('failed', (job, err) =>
    deps.log.warn(
      {
        queue: QUEUES.ai,
        jobId: job?.id,
        tenantId: (job?.data as { organizationId?: string } | undefined)?.organizationId,
        err: err.message,
      },
      'job failed',
    ),
  );
  worker.on('error', (err) => deps.log.error({ err: err.message }, 'worker connection error'));
  await worker.waitUntilReady();
  return { close: () => worker.close() };
}
