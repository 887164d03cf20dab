import type { Job } from 'bullmq';
import type { TLogger } from '@pocketping/core';
import {
  applyBillingFromStripe,
  claimStripeCustomerId,
  findOrganizationByStripeCustomer,
  getOrganization,
  getStripeEvent,
  markStripeEventProcessed,
  withBillingLock,
  writeAuditLog,
  SYSTEM_ORIGIN,
  type TDb,
} from '@pocketping/db';
import { readCurrentSubscription, type TStripe } from '@pocketping/billing';
import { ZStripeEventJob } from '@pocketping/jobs';

export interface TStripeEventDeps {
  db: TDb;
  stripe: TStripe;
  log: TLogger;
  /** After a write: the plan limits' cached state is dropped so the new plan applies at once. */
  onBillingChanged?(organizationId: string): Promise<void>;
  /** After the event is recorded: the billing emails it makes due (payment failed, trial ending) go out. */
  onBillingApplied?(organizationId: string, eventType: string): Promise<void>;
}

export type TStripeEventOutcome = 'applied' | 'stale' | 'ignored' | 'already_processed' | 'unknown_event';

/** Events that also leave a line in the organization's audit log (the owner-facing history of billing). */
const AUDITED: Record<string, string> = {
  'customer.subscription.trial_will_end': 'billing.trial_will_end',
  'invoice.payment_failed': 'billing.payment_failed',
  'customer.subscription.deleted': 'billing.subscription_ended',
  'checkout.session.completed': 'billing.checkout_completed',
};

/**
 * The organization a Stripe customer belongs to: the one that recorded it at checkout (the webhook transport's
 * tenant lookup). A customer made outside the app but carrying an organization id in its metadata is adopted only
 * if that organization has no customer yet; anything else is a stranger and changes nothing.
 */
async function resolveOrganization(deps: TStripeEventDeps, customerId: string): Promise<string | null> {
  const known = await findOrganizationByStripeCustomer(deps.db, customerId);
  if (known) return known;
  let customer;
  try {
    customer = await deps.stripe.customers.retrieve(customerId);
  } catch (err) {
    // A customer Stripe does not know (another account's, or removed) is a stranger; any other failure is retried.
    if ((err as { statusCode?: unknown }).statusCode === 404) return null;
    throw err;
  }
  if ('deleted' in customer && customer.deleted) return null;
  const orgId = (customer as { metadata?: Record<string, string> }).metadata?.organizationId;
  if (!orgId || !(await getOrganization(deps.db, orgId))) return null;
  const recorded = await claimStripeCustomerId(deps.db, orgId, customerId);
  return recorded === customerId ? orgId : null;
}

/**
 * Applies one stored Stripe event: resolve the organization from the customer, then, holding the organization's
 * billing lock (every worker process takes it), RE-READ the customer's subscriptions from Stripe and write them. The
 * lock makes "read, then write" one step per organization: without it two jobs for one organization in two processes
 * could write in the opposite order of their reads and leave an older state until the next event. Duplicates and
 * reorderings change nothing wrong: what is written is always Stripe's state at the latest read; an event older than
 * the newest applied one is recorded `stale`. A Stripe or database failure throws: BullMQ retries with capped backoff.
 */
export async function processStripeEvent(deps: TStripeEventDeps, job: Pick<Job, 'data'>): Promise<TStripeEventOutcome> {
  const { stripeEventId } = ZStripeEventJob.parse(job.data);
  const row = await getStripeEvent(deps.db, stripeEventId);
  if (!row) return 'unknown_event';
  if (row.processedAt) return 'already_processed';
  const logCtx = { stripeEventId, type: row.type, customerId: row.customerId };
  const organizationId = row.customerId ? await resolveOrganization(deps, row.customerId) : null;
  if (!organizationId) {
    deps.log.warn(logCtx, 'stripe event: customer of no organization, ignored');
    await markStripeEventProcessed(deps.db, stripeEventId, { organizationId: null, outcome: 'ignored' });
    return 'ignored';
  }
  const done = await withBillingLock(deps.db, organizationId, async (tx) => {
    // Checked again under the lock: the same event run twice at once (a sweeper re-queue) is applied and audited once.
    if ((await getStripeEvent(tx, stripeEventId))?.processedAt) return null;
    const snapshot = await readCurrentSubscription(deps.stripe, row.customerId!);
    const outcome = await applyBillingFromStripe(tx, organizationId, snapshot, row.eventCreatedAt);
    const action = AUDITED[row.type];
    if (action)
      await writeAuditLog(
        tx,
        organizationId,
        {
          actorType: 'system',
          action,
          targetType: 'stripe_event',
          targetId: stripeEventId,
          metadata: { plan: snapshot.plan, status: snapshot.status, subscriptionId: row.subscriptionId },
        },
        SYSTEM_ORIGIN,
      );
    await markStripeEventProcessed(tx, stripeEventId, { organizationId, outcome });
    return { outcome, snapshot };
  });
  if (!done) return 'already_processed';
  const { outcome, snapshot } = done;
  // Both outcomes wrote Stripe's current state: the cached state goes, and the emails it makes due are sent.
  await deps.onBillingChanged?.(organizationId);
  await deps
    .onBillingApplied?.(organizationId, row.type)
    .catch((err: unknown) =>
      deps.log.warn(
        { tenantId: organizationId, err: err instanceof Error ? err.message : String(err) },
        'billing emails failed; the usage pass retries',
      ),
    );
  deps.log.info(
    { ...logCtx, tenantId: organizationId, outcome, plan: snapshot.plan, status: snapshot.status },
    'stripe event processed',
  );
  return outcome;
}
