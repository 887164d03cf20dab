import type { TLogger } from '@pocketping/core';
import type { TDb } from '@pocketping/db';
import type { TStripe } from '@pocketping/billing';
import { JOBS, QUEUES, cappedBackoff, type TRedisConfig } from '@pocketping/jobs';
import { processStripeEvent } from './process-stripe-event.js';
import { sendBillingNotices } from './send-billing-notices.js';
import type { TUsageMailer } from '../usage/usage-pass.js';
import { startQueueWorker } from '../queue-worker.js';

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
  const worker = await startQueueWorker(
    QUEUES.billing,
    async (job) => (job.name === JOBS.stripeEvent ? processStripeEvent(eventDeps, job) : 'unknown job'),
    deps,
    {
      concurrency: 1,
      settings: { backoffStrategy: (attemptsMade: number) => cappedBackoff(attemptsMade) },
      failedMessage: 'billing job failed (retried)',
    },
  );
  return { close: () => worker.close() };
}
