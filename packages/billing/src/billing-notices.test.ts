import { describe, expect, it } from 'vitest';
import { billingNoticesDue } from './billing-notices.js';
import type { TBillingState } from './billing-state.js';

const DAY = 86_400_000;
const now = new Date('2026-12-08T12:00:00Z');
const state = (over: Partial<TBillingState>): TBillingState => ({
  organizationId: 'org1',
  plan: 'pro',
  interval: 'monthly',
  status: 'active',
  trialEndsAt: null,
  pastDueSince: null,
  currentPeriodEnd: null,
  cancelAtPeriodEnd: false,
  ...over,
});

describe('billingNoticesDue', () => {
  it('payment failed: while past_due, keyed on the episode start', () => {
    const since = new Date(now.getTime() - DAY);
    expect(billingNoticesDue(state({ status: 'past_due', pastDueSince: since }), now)).toEqual([
      { kind: 'payment_failed', occurrence: since.toISOString() },
    ]);
    expect(billingNoticesDue(state({ status: 'active' }), now)).toEqual([]);
  });

  it('trial ending: only in the last three days (or when Stripe says so), keyed on the trial end', () => {
    const trial = (days: number) => state({ status: 'trialing', trialEndsAt: new Date(now.getTime() + days * DAY) });
    expect(billingNoticesDue(trial(3.5), now)).toEqual([]);
    expect(billingNoticesDue(trial(3), now)).toHaveLength(1);
    expect(billingNoticesDue(trial(0.1), now)[0]).toMatchObject({ kind: 'trial_ending' });
    expect(billingNoticesDue(trial(-1), now)).toEqual([]);
    expect(billingNoticesDue(trial(10), now, { trialWillEnd: true })).toHaveLength(1);
    expect(billingNoticesDue(state({ status: 'active', trialEndsAt: now }), now, { trialWillEnd: true })).toEqual([]);
  });
});
