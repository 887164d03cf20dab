import type { TLogger } from '@pocketping/core';
import { QUEUES, type TRedisConfig } from '@pocketping/jobs';
import type { TWorkerContext } from '../context.js';
import type { TAiConfig } from './ai-config.js';
import { processAiTakeoverJob } from './process-ai-takeover.js';
import { startQueueWorker } from '../queue-worker.js';

/** The `ai-takeover` queue: one delayed job per conversation waiting for a human (apps/worker/src/ai). */
export async function startAiWorker(deps: {
  ctx: TWorkerContext;
  ai: TAiConfig;
  redisConfig: TRedisConfig;
  concurrency: number;
  log: TLogger;
}): Promise<{ close(): Promise<void> }> {
  const ctx = { ...deps.ctx, ai: deps.ai, redisPrefix: deps.redisConfig.prefix };
  const worker = await startQueueWorker(QUEUES.ai, (job, token) => processAiTakeoverJob(ctx, job, token), deps, {
    // A job mostly waits on the provider's stream (I/O): timers that fall due together must not queue behind each
    // other's answers, so it takes the worker's full concurrency (bench/ai-timer.ts).
    concurrency: deps.concurrency,
    lockDuration: 30_000,
  });
  return { close: () => worker.close() };
}
