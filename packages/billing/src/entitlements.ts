import { PAST_DUE_GRACE_DAYS, PLANS, type TPlanId, type TPlanLimits } from './plans.js';
import type { TBillingState, TSubscriptionStatus } from './billing-state.js';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Why an organization gets the limits it gets. `past_due_grace` keeps the paid plan with a warning; every reason in
 * `FREE_FALLBACK_REASONS` means the organization pays nothing (any more) and is on Free.
 */
export type TEntitlementReason =
  | 'trialing'
  | 'active'
  | 'past_due_grace'
  | 'past_due_expired'
  | 'trial_ended'
  | 'unpaid'
  | 'canceled'
  | 'incomplete'
  | 'incomplete_expired'
  | 'paused'
  | 'none';

export interface TEntitlements {
  /** The plan whose limits apply now (Free after a fallback). */
  plan: TPlanId;
  limits: TPlanLimits;
  /** What was bought (the stored plan), so a page can say "Pro, on Free limits until you pay". */
  subscribedPlan: TPlanId;
  status: TSubscriptionStatus;
  reason: TEntitlementReason;
  /** True while something needs the owner's attention without limits having dropped yet (payment failed). */
  warning: boolean;
  /** End of the past_due grace period, while in it or after it. */
  graceEndsAt?: Date;
  trialEndsAt?: Date;
}

function free(state: TBillingState, reason: TEntitlementReason, extra: Partial<TEntitlements> = {}): TEntitlements {
  return {
    plan: 'free',
    limits: PLANS.free.limits,
    subscribedPlan: state.plan,
    status: state.status,
    reason,
    warning: false,
    ...extra,
  };
}

function paid(state: TBillingState, reason: TEntitlementReason, extra: Partial<TEntitlements> = {}): TEntitlements {
  return {
    plan: state.plan,
    limits: PLANS[state.plan].limits,
    subscribedPlan: state.plan,
    status: state.status,
    reason,
    warning: false,
    ...extra,
  };
}

/**
 * What an organization may use right now, from its stored billing state and the clock — the ONE place that turns
 * Stripe's subscription status into limits. Pure: no database, no Stripe, no clock of its own.
 *
 * - trialing → the plan until `trialEndsAt` (exclusive), then Free (`trial_ended`), whatever Stripe says later;
 * - active → the plan;
 * - past_due → the plan for PAST_DUE_GRACE_DAYS after `pastDueSince` (exclusive), flagged `warning`, then Free;
 * - unpaid, canceled, incomplete, incomplete_expired, paused, none → Free (`trial_ended` for none after a trial).
 */
export function entitlementsFor(state: TBillingState, now: Date): TEntitlements {
  const t = now.getTime();
  switch (state.status) {
    case 'trialing': {
      const trialEndsAt = state.trialEndsAt ?? undefined;
      if (trialEndsAt && t < trialEndsAt.getTime()) return paid(state, 'trialing', { trialEndsAt });
      return free(state, 'trial_ended', trialEndsAt ? { trialEndsAt } : {});
    }
    case 'active':
      return paid(state, 'active');
    case 'past_due': {
      // Without a recorded start the grace is counted from the end of the period that failed to renew, else now.
      const since = state.pastDueSince ?? state.currentPeriodEnd ?? now;
      const graceEndsAt = new Date(since.getTime() + PAST_DUE_GRACE_DAYS * DAY_MS);
      if (t < graceEndsAt.getTime()) return paid(state, 'past_due_grace', { warning: true, graceEndsAt });
      return free(state, 'past_due_expired', { graceEndsAt });
    }
    case 'none':
      // Never subscribed: Free, said as "trial ended" once a card-less trial is behind it.
      return state.trialEndsAt && t >= state.trialEndsAt.getTime()
        ? free(state, 'trial_ended', { trialEndsAt: state.trialEndsAt })
        : free(state, 'none');
    case 'unpaid':
    case 'canceled':
    case 'incomplete':
    case 'incomplete_expired':
    case 'paused':
      return free(state, state.status);
  }
}
