import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { snapshotFromSubscription } from './subscription-snapshot.js';

/** A subscription as API version 2026-10-28 shapes it (periods on the item, price with its lookup_key). */
function sub(status: string, lookupKey: string | null, extra: Partial<Stripe.Subscription> = {}): Stripe.Subscription {
  return {
    id: 'sub_1',
    object: 'subscription',
    status,
    cancel_at_period_end: false,
    trial_end: 1_900_000_000,
    created: 1_800_000_000,
    items: {
      object: 'list',
      data: [{ price: { lookup_key: lookupKey }, current_period_end: 1_850_000_000 }],
    },
    ...extra,
  } as unknown as Stripe.Subscription;
}

describe('snapshotFromSubscription', () => {
  it('trialing and active keep the plan bought; past_due keeps it too (the grace is decided elsewhere)', () => {
    expect(snapshotFromSubscription(sub('active', 'pro_yearly'))).toMatchObject({
      plan: 'pro',
      interval: 'yearly',
      status: 'active',
      trialEndsAt: null,
      currentPeriodEnd: new Date(1_850_000_000_000),
    });
    expect(snapshotFromSubscription(sub('trialing', 'starter_monthly'))).toMatchObject({
      plan: 'starter',
      status: 'trialing',
      trialEndsAt: new Date(1_900_000_000_000),
    });
    expect(snapshotFromSubscription(sub('past_due', 'business_monthly'))).toMatchObject({
      plan: 'business',
      status: 'past_due',
    });
  });

  it('unpaid, canceled, incomplete and incomplete_expired are Free; so is a price that is not ours', () => {
    for (const status of ['unpaid', 'canceled', 'incomplete', 'incomplete_expired', 'paused'])
      expect(snapshotFromSubscription(sub(status, 'pro_monthly'))).toMatchObject({
        plan: 'free',
        interval: null,
        status,
      });
    expect(snapshotFromSubscription(sub('active', 'someone_elses_price'))).toMatchObject({ plan: 'free' });
    expect(snapshotFromSubscription(sub('active', null))).toMatchObject({ plan: 'free' });
  });

  it('an unknown future status is treated as ended, never as paid', () => {
    expect(snapshotFromSubscription(sub('something_new', 'pro_monthly'))).toMatchObject({
      plan: 'free',
      status: 'canceled',
    });
  });
});
