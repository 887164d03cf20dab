import type Stripe from 'stripe';
import { parseStripeLookupKey, type TBillingInterval, type TPlanId } from '../plans.js';
import { SUBSCRIPTION_STATUSES, type TSubscriptionStatus } from '../billing-state.js';

/** An organization's subscription as Stripe says it is now: what the billing job writes to OrganizationBilling. */
export interface TSubscriptionSnapshot {
  stripeSubscriptionId: string | null;
  plan: TPlanId;
  interval: TBillingInterval | null;
  status: TSubscriptionStatus;
  trialEndsAt: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
}

/**
 * A customer without any subscription (checkout started, or its first events arrive before the subscription exists):
 * status `none`, which leaves an organization in its card-less trial. A subscription that ended is still listed by
 * Stripe (status canceled), so this never hides an ended plan.
 */
export const NO_SUBSCRIPTION: TSubscriptionSnapshot = {
  stripeSubscriptionId: null,
  plan: 'free',
  interval: null,
  status: 'none',
  trialEndsAt: null,
  currentPeriodEnd: null,
  cancelAtPeriodEnd: false,
};

/** Statuses that keep the plan bought: trialing/active, and past_due for the grace period (entitlements decide). */
const KEEPS_PLAN: ReadonlySet<TSubscriptionStatus> = new Set(['trialing', 'active', 'past_due']);

const toDate = (seconds: number | null | undefined): Date | null =>
  typeof seconds === 'number' ? new Date(seconds * 1000) : null;

/**
 * Maps a Stripe subscription to our snapshot. The plan comes from the price's lookup_key (`pro_monthly`); a
 * subscription to a price that is not ours, or one that ended (canceled, unpaid, incomplete_expired…), is Free.
 */
export function snapshotFromSubscription(sub: Stripe.Subscription): TSubscriptionSnapshot {
  const item = sub.items.data[0];
  const parsed = parseStripeLookupKey(item?.price.lookup_key);
  const status = (SUBSCRIPTION_STATUSES as readonly string[]).includes(sub.status)
    ? (sub.status as TSubscriptionStatus)
    : 'canceled';
  const keeps = KEEPS_PLAN.has(status) && parsed !== null;
  return {
    stripeSubscriptionId: sub.id,
    plan: keeps ? parsed.plan : 'free',
    interval: keeps ? parsed.interval : null,
    status,
    trialEndsAt: status === 'trialing' ? toDate(sub.trial_end) : null,
    currentPeriodEnd: toDate(item?.current_period_end),
    cancelAtPeriodEnd: sub.cancel_at_period_end,
  };
}

/** Rank for choosing "the" subscription of a customer that has several: one that gives a plan wins, newest first. */
function rank(sub: Stripe.Subscription): number {
  if (sub.status === 'active' || sub.status === 'trialing') return 3;
  if (sub.status === 'past_due') return 2;
  if (sub.status === 'incomplete') return 1;
  return 0;
}

/**
 * Reads the customer's subscriptions from Stripe now (never trusting the event's copy, which may be older than what
 * we know) and returns the one that governs the organization's plan, or NO_SUBSCRIPTION.
 */
export async function readCurrentSubscription(stripe: Stripe, customerId: string): Promise<TSubscriptionSnapshot> {
  const subs: Stripe.Subscription[] = [];
  for await (const sub of stripe.subscriptions.list({ customer: customerId, status: 'all', limit: 100 })) {
    subs.push(sub);
    if (subs.length >= 500) break;
  }
  if (subs.length === 0) return NO_SUBSCRIPTION;
  subs.sort((a, b) => rank(b) - rank(a) || b.created - a.created);
  return snapshotFromSubscription(subs[0]!);
}
