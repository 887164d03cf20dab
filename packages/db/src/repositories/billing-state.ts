import { PLAN_IDS, SUBSCRIPTION_STATUSES, TRIAL_DAYS, TRIAL_PLAN, type TBillingState } from '@pocketping/billing';
import type { TDbOrTx } from '../client.js';

const DAY_MS = 24 * 3600 * 1000;

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/**
 * An organization's billing as stored (`OrganizationBilling`). No row = never billed: the card-less trial of
 * TRIAL_PLAN until `createdAt` + TRIAL_DAYS, then Free. A value the code does not know reads as Free/none rather than
 * granting anything. not_found is the caller's business: an unknown organization reads as an expired trial.
 */
export async function loadBillingState(db: TDbOrTx, organizationId: string): Promise<TBillingState> {
  const org = await db.organization.findUnique({
    where: { id: organizationId },
    select: { createdAt: true, billing: true },
  });
  const b = org?.billing;
  if (!b) {
    const trialEndsAt = new Date((org?.createdAt ?? new Date(0)).getTime() + TRIAL_DAYS * DAY_MS);
    return {
      organizationId,
      plan: TRIAL_PLAN,
      interval: null,
      status: 'trialing',
      trialEndsAt,
      pastDueSince: null,
      currentPeriodEnd: null,
      cancelAtPeriodEnd: false,
    };
  }
  return {
    organizationId,
    plan: oneOf(b.plan, PLAN_IDS, 'free'),
    interval: b.interval === 'monthly' || b.interval === 'yearly' ? b.interval : null,
    status: oneOf(b.status, SUBSCRIPTION_STATUSES, 'none'),
    trialEndsAt: b.trialEndsAt,
    pastDueSince: b.pastDueSince,
    currentPeriodEnd: b.currentPeriodEnd,
    cancelAtPeriodEnd: b.cancelAtPeriodEnd,
  };
}
