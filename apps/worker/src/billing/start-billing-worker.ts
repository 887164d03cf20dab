import { Worker } from 'bullmq';
import type { TLogger } from '@pocketping/core';
import type { TDb } from '@pocketping/db';
import type { TStripe } from '@pocketping/billing';
import { JOBS, QUEUES, bullPrefix, cappedBackoff, createRedis, type TRedisConfig } from '@pocketping/jobs';
import { processStripeEvent } from './process-stripe-event.js';
import { sendBillingNotices } from './send-billing-notices.js';
import type { TUsageMailer } from '../usage/usage-pass.js';

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
  /** The billing emails (payment failed, trial ending); absent = none from the job (the usage pass may send them). */
  notices?: { mailer: TUsageMailer; webPublicUrl: string };
}): Promise<{ close(): Promise<void> }> {
  const { notices } = deps;
  const eventDeps = {
    ...deps,
    ...(notices
      ? {
          onBillingApplied: async (organizationId: string, eventType: string) => {
            await sendBillingNotices({ db: deps.db, log: deps.log, ...notices }, organizationId, {
              trialWillEnd: eventType === 'customer.subscription.trial_will_end',
            });
          },
        }
      : {}),
  };
  const worker = new Worker(
    QUEUES.billing,
    async (job) => (job.name === JOBS.stripeEvent ? processStripeEvent(eventDeps, job) : 'unknown job'),
    {
      prefix: bullPrefix(deps.redisConfig),
      concurrency: 1,
      connection: createRedis(deps.redisConfig, 'worker'),
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
