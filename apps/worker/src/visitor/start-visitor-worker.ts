import type { TLogger } from '@pocketping/core';
import { JOBS, QUEUES, type TRedisConfig } from '@pocketping/jobs';
import type { TWorkerContext } from '../context.js';
import { processVisitorLeftJob, type TVisitorJobDeps } from './process-visitor-left.js';
import { processVisitorTypingJob } from './process-visitor-typing.js';
import { processVisitorPostedJob } from './process-visitor-posted.js';
import { startQueueWorker } from '../queue-worker.js';

/**
 * The `visitor-events` queue (visitor.left, visitor.typing, visitor.posted → the AI timer). Registered by runtime.ts, which passes its context
 * (`ctx`: the bridges typing goes through); without one — a test of visitor.left alone — typing jobs do nothing.
 */
export async function startVisitorWorker(
  deps: Omit<TVisitorJobDeps, 'redisPrefix'> & {
    ctx?: TWorkerContext;
    redisConfig: TRedisConfig;
    concurrency: number;
    log: TLogger;
  },
) {
  const leftDeps = { ...deps, redisPrefix: deps.redisConfig.prefix };
  const worker = await startQueueWorker(
    QUEUES.visitor,
    async (job) => {
      if (job.name === JOBS.visitorPosted)
        return deps.ctx ? processVisitorPostedJob(deps.ctx, job) : { outcome: 'no AI in this worker' };
      if (job.name !== JOBS.visitorTyping) return processVisitorLeftJob(leftDeps, job);
      return deps.ctx ? processVisitorTypingJob(deps.ctx, job) : { outcome: 'no bridges in this worker', shown: 0 };
    },
    deps,
    { concurrency: Math.min(deps.concurrency, 20) },
  );
  return { close: () => worker.close() };
}
