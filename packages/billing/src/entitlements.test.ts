import { describe, expect, it } from 'vitest';
import type { TBillingState, TSubscriptionStatus } from './billing-state.js';
import { entitlementsFor } from './entitlements.js';
import { PAST_DUE_GRACE_DAYS, PLANS } from './plans.js';
import { usagePeriod } from './usage-period.js';

const DAY = 24 * 3600 * 1000;
const NOW = new Date('2026-12-07T10:00:00.000Z');

function state(over: Partial<TBillingState>): TBillingState {
  return {
    organizationId: 'org_1',
    plan: 'pro',
    interval: 'monthly',
    status: 'active',
    trialEndsAt: null,
    pastDueSince: null,
    currentPeriodEnd: new Date(NOW.getTime() + 20 * DAY),
    cancelAtPeriodEnd: false,
    ...over,
  };
}

describe('entitlementsFor', () => {
  it('active: the plan bought, no warning', () => {
    const e = entitlementsFor(state({ plan: 'starter' }), NOW);
    expect(e).toMatchObject({ plan: 'starter', subscribedPlan: 'starter', reason: 'active', warning: false });
    expect(e.limits).toEqual(PLANS.starter.limits);
  });

  it('active but cancelling at period end keeps the plan until Stripe says canceled', () => {
    expect(entitlementsFor(state({ cancelAtPeriodEnd: true }), NOW).plan).toBe('pro');
  });

  it('trialing: the plan until trialEndsAt (exclusive), then Free as trial_ended', () => {
    const trialEndsAt = new Date(NOW.getTime() + 1000);
    const during = entitlementsFor(state({ status: 'trialing', trialEndsAt }), NOW);
    expect(during).toMatchObject({ plan: 'pro', reason: 'trialing', trialEndsAt });
    const lastMs = entitlementsFor(state({ status: 'trialing', trialEndsAt }), new Date(trialEndsAt.getTime() - 1));
    expect(lastMs.plan).toBe('pro');
    const atEnd = entitlementsFor(state({ status: 'trialing', trialEndsAt }), trialEndsAt);
    expect(atEnd).toMatchObject({ plan: 'free', subscribedPlan: 'pro', reason: 'trial_ended', trialEndsAt });
    expect(atEnd.limits).toEqual(PLANS.free.limits);
  });

  it('trialing without an end date grants nothing', () => {
    expect(entitlementsFor(state({ status: 'trialing', trialEndsAt: null }), NOW).plan).toBe('free');
  });

  it('past_due: the plan with a warning for exactly PAST_DUE_GRACE_DAYS, then Free', () => {
    const pastDueSince = new Date(NOW.getTime() - 2 * DAY);
    const graceEndsAt = new Date(pastDueSince.getTime() + PAST_DUE_GRACE_DAYS * DAY);
    const inGrace = entitlementsFor(state({ status: 'past_due', pastDueSince }), NOW);
    expect(inGrace).toMatchObject({ plan: 'pro', reason: 'past_due_grace', warning: true, graceEndsAt });
    const lastMs = entitlementsFor(state({ status: 'past_due', pastDueSince }), new Date(graceEndsAt.getTime() - 1));
    expect(lastMs.plan).toBe('pro');
    const after = entitlementsFor(state({ status: 'past_due', pastDueSince }), graceEndsAt);
    expect(after).toMatchObject({ plan: 'free', reason: 'past_due_expired', warning: false, graceEndsAt });
  });

  it('past_due without a recorded start counts the grace from the period end', () => {
    const currentPeriodEnd = new Date(NOW.getTime() - (PAST_DUE_GRACE_DAYS + 1) * DAY);
    expect(entitlementsFor(state({ status: 'past_due', currentPeriodEnd }), NOW).reason).toBe('past_due_expired');
    const recent = new Date(NOW.getTime() - DAY);
    expect(entitlementsFor(state({ status: 'past_due', currentPeriodEnd: recent }), NOW).reason).toBe('past_due_grace');
  });

  it.each<TSubscriptionStatus>(['unpaid', 'canceled', 'incomplete', 'incomplete_expired', 'paused'])(
    '%s falls back to Free and says why',
    (status) => {
      const e = entitlementsFor(state({ status, plan: 'business' }), NOW);
      expect(e).toMatchObject({ plan: 'free', subscribedPlan: 'business', reason: status, status });
      expect(e.limits.showBranding).toBe(true);
    },
  );

  it('none: Free; after a card-less trial it says trial_ended', () => {
    expect(entitlementsFor(state({ status: 'none', plan: 'free' }), NOW).reason).toBe('none');
    const ended = entitlementsFor(state({ status: 'none', trialEndsAt: new Date(NOW.getTime() - DAY) }), NOW);
    expect(ended).toMatchObject({ plan: 'free', reason: 'trial_ended' });
  });

  it('free with an active status is Free', () => {
    expect(entitlementsFor(state({ plan: 'free', status: 'active' }), NOW).limits).toEqual(PLANS.free.limits);
  });
});

describe('usagePeriod', () => {
  it('is the UTC calendar month, reset on the 1st at 00:00 UTC', () => {
    expect(usagePeriod(new Date('2026-12-31T23:59:59.999Z'))).toEqual({
      key: '2026-12',
      start: new Date('2026-12-01T00:00:00.000Z'),
      resetsAt: new Date('2027-01-01T00:00:00.000Z'),
    });
    expect(usagePeriod(new Date('2027-01-01T00:00:00.000Z')).key).toBe('2027-01');
  });
});
