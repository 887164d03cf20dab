/**
 * The plans: names, limits and Stripe prices in one typed table. Changing a number here changes what every
 * organization on that plan may do; nothing else in the code knows a plan's numbers.
 *
 * Stripe prices are found by `lookup_key` (`<plan>_<interval>`, e.g. `pro_monthly`), never by price id, so the same
 * code runs against test mode, live mode and the local fake.
 */
export const PLAN_IDS = ['free', 'starter', 'pro', 'business'] as const;
export type TPlanId = (typeof PLAN_IDS)[number];

export const BILLING_INTERVALS = ['monthly', 'yearly'] as const;
export type TBillingInterval = (typeof BILLING_INTERVALS)[number];

/** What a plan allows. `null` = unlimited. Monthly figures reset on the first day of each calendar month (UTC). */
export interface TPlanLimits {
  projects: number | null;
  /** Members plus pending invitations. */
  seats: number | null;
  chatAppsPerProject: number | null;
  conversationsPerMonth: number | null;
  aiRepliesPerMonth: number;
  aiTokensPerMonth: number;
  storageBytes: number;
  apiRequestsPerMinute: number;
  retentionDays: number | null;
  /** "Powered by PocketPing" in the widget. */
  showBranding: boolean;
}

export interface TPlan {
  id: TPlanId;
  name: string;
  /** Prices in the smallest currency unit (cents), shown on the pricing page; Stripe's price is what is charged. */
  prices: Record<TBillingInterval, number> | null;
  currency: 'usd';
  limits: TPlanLimits;
}

const MB = 1024 * 1024;
const GB = 1024 * MB;

export const PLANS: Record<TPlanId, TPlan> = {
  free: {
    id: 'free',
    name: 'Free',
    prices: null,
    currency: 'usd',
    limits: {
      projects: 1,
      seats: 2,
      chatAppsPerProject: 1,
      conversationsPerMonth: 100,
      aiRepliesPerMonth: 0,
      aiTokensPerMonth: 0,
      storageBytes: 100 * MB,
      apiRequestsPerMinute: 60,
      retentionDays: 90,
      showBranding: true,
    },
  },
  starter: {
    id: 'starter',
    name: 'Starter',
    prices: { monthly: 1900, yearly: 19000 },
    currency: 'usd',
    limits: {
      projects: 3,
      seats: 5,
      chatAppsPerProject: 3,
      conversationsPerMonth: 1000,
      aiRepliesPerMonth: 500,
      aiTokensPerMonth: 1_000_000,
      storageBytes: 2 * GB,
      apiRequestsPerMinute: 300,
      retentionDays: 365,
      showBranding: false,
    },
  },
  pro: {
    id: 'pro',
    name: 'Pro',
    prices: { monthly: 4900, yearly: 49000 },
    currency: 'usd',
    limits: {
      projects: 10,
      seats: 15,
      chatAppsPerProject: 3,
      conversationsPerMonth: 10_000,
      aiRepliesPerMonth: 3000,
      aiTokensPerMonth: 6_000_000,
      storageBytes: 10 * GB,
      apiRequestsPerMinute: 1000,
      retentionDays: 730,
      showBranding: false,
    },
  },
  business: {
    id: 'business',
    name: 'Business',
    prices: { monthly: 14900, yearly: 149000 },
    currency: 'usd',
    limits: {
      projects: null,
      seats: null,
      chatAppsPerProject: null,
      conversationsPerMonth: 100_000,
      aiRepliesPerMonth: 20_000,
      aiTokensPerMonth: 40_000_000,
      storageBytes: 100 * GB,
      apiRequestsPerMinute: 5000,
      retentionDays: null,
      showBranding: false,
    },
  },
};

/** New organizations try this plan without a card. */
export const TRIAL_PLAN: TPlanId = 'pro';
export const TRIAL_DAYS = 14;
/** A failed payment keeps the paid plan this long (banner and emails meanwhile), then the organization is on Free. */
export const PAST_DUE_GRACE_DAYS = 7;

export function stripeLookupKey(plan: TPlanId, interval: TBillingInterval): string {
  return `${plan}_${interval}`;
}

/** The plan and interval a Stripe price's lookup_key names, or null for a price that is not ours. */
export function parseStripeLookupKey(
  key: string | null | undefined,
): { plan: TPlanId; interval: TBillingInterval } | null {
  const m = /^(free|starter|pro|business)_(monthly|yearly)$/.exec(key ?? '');
  if (!m || m[1] === 'free') return null;
  return { plan: m[1] as TPlanId, interval: m[2] as TBillingInterval };
}
