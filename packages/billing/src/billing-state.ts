import type { TBillingInterval, TPlanId } from './plans.js';

/** Stripe's subscription statuses, plus `none` for an organization that never subscribed. */
export const SUBSCRIPTION_STATUSES = [
  'none',
  'trialing',
  'active',
  'past_due',
  'unpaid',
  'canceled',
  'incomplete',
  'incomplete_expired',
  'paused',
] as const;
export type TSubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/**
 * An organization's billing as last synchronised from Stripe (row `OrganizationBilling`). Entitlements are computed
 * from this, the plan table and the clock: this record says what was bought, never what is allowed.
 */
export interface TBillingState {
  organizationId: string;
  plan: TPlanId;
  interval: TBillingInterval | null;
  status: TSubscriptionStatus;
  /** End of the card-less trial (new organizations) or of a Stripe trial. */
  trialEndsAt: Date | null;
  /** When the subscription became past_due (start of the grace period); null otherwise. */
  pastDueSince: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
}
