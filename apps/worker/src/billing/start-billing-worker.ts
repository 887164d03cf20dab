import { Worker } from 'bullmq';
import type { TLogger } from '@pocketping/core';
import type { TDb } from '@pocketping/db';
import type { TStripe } from '@pocketping/billing';
import { JOBS, QUEUES, bullPrefix, cappedBackoff, createRedis, type TRedisConfig } from '@pocketping/jobs';
import { processStripeEvent } from './process-stripe-event.js';

/**
 * The `billing-events` queue (billing.stripe-event). One job at a time per worker process: events are few, and
 * applying one organization's events one after another keeps "re-read, then write if not older" simple.
 */
export async function startBillingWorker(deps: {
  db: TDb;
  stripe: TStripe;
  redisConfig: TRedisConfig;
  log: TLogger;
  onBillingChanged?(organizationId: string): Promise<void>;
}): Promise<{ close(): Promise<void> }> {
  const worker = new Worker(
    QUEUES.billing,
    async (job) => (job.name === JOBS.stripeEvent ? processStripeEvent(deps, job) : 'unknown job'),
    {
      prefix: bullPrefix(deps.redisConfig),
      concurrency: 1,
      connection: createRedis(deps.redisConfig.url, 'worker'),
      settings: { backoffStrategy: (attemptsMade: number) => cappedBackoff(attemptsMade) },
    },
  );
  worker.on('failed', (job, err) =>
    deps.log.warn(
      { queue: QUEUES.billing, jobId: job?.id, attempts: job?.attemptsMade, err: err.message },
      'billing job failed (retried)',
    ),
  );
  worker.on('error', (err) => deps.log.error({ err: err.message }, 'worker connection error'));
  await worker.waitUntilReady();
  return { close: () => worker.close() };
}
