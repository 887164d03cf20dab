import { AppError } from '@pocketping/core';
import {
  claimStripeCustomerId,
  getOrganization,
  getStripeCustomerId,
  loadBillingState,
  type TDb,
} from '@pocketping/db';
import {
  createCheckoutSession,
  createPortalSession,
  listInvoices,
  type TBillingInterval,
  type TBillingState,
  type TInvoiceSummary,
  type TPlanId,
  type TStripe,
} from '@pocketping/billing';
import type { TWebContext } from '../context';
import { getStripe } from './stripe-client';

/** Stripe is a remote service: its failures become one clear 503, never a 500 with the SDK's internals. */
async function callStripe<T>(
  app: Pick<TWebContext, 'log'>,
  organizationId: string,
  what: string,
  fn: () => Promise<T>,
) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError) throw err;
    app.log.warn(
      { tenantId: organizationId, what, err: err instanceof Error ? err.message : String(err) },
      'stripe call failed',
    );
    throw new AppError('unavailable', 'Stripe could not be reached. Try again in a moment.');
  }
}

function stripeOrThrow(app: TWebContext): TStripe {
  const stripe = getStripe(app.env);
  if (!stripe)
    throw new AppError('unavailable', 'Billing is not configured on this server (STRIPE_SECRET_KEY).', {
      platform: 'stripe',
    });
  return stripe;
}

const billingPath = (env: TWebContext['env'], organizationId: string) =>
  `${env.WEB_PUBLIC_URL}/app/o/${encodeURIComponent(organizationId)}/billing`;

const customerStore = (db: TDb, organizationId: string) => ({
  get: () => getStripeCustomerId(db, organizationId),
  claim: (customerId: string) => claimStripeCustomerId(db, organizationId, customerId),
});

/** A Checkout session for the organization (its one customer, reused); returns Stripe's page URL. */
export async function startCheckout(
  app: TWebContext,
  organizationId: string,
  email: string,
  input: { plan: Exclude<TPlanId, 'free'>; interval: TBillingInterval },
): Promise<{ url: string }> {
  const stripe = stripeOrThrow(app);
  const org = await getOrganization(app.db, organizationId);
  if (!org) throw new AppError('not_found', 'Not found.');
  const base = billingPath(app.env, organizationId);
  return callStripe(app, organizationId, 'checkout', () =>
    createCheckoutSession(stripe, customerStore(app.db, organizationId), {
      organizationId,
      organizationName: org.name,
      email,
      plan: input.plan,
      interval: input.interval,
      successUrl: `${base}?checkout=success`,
      cancelUrl: `${base}?checkout=canceled`,
    }),
  );
}

/** A Customer Portal session for the organization's customer; 409 before the first checkout. */
export async function openPortal(app: TWebContext, organizationId: string): Promise<{ url: string }> {
  const stripe = stripeOrThrow(app);
  const customerId = await getStripeCustomerId(app.db, organizationId);
  if (!customerId) throw new AppError('conflict', 'There is no billing account yet: choose a plan first.');
  return callStripe(app, organizationId, 'portal', () =>
    createPortalSession(stripe, customerId, billingPath(app.env, organizationId)),
  );
}

export type TBillingOverview = {
  billing: TBillingState;
  /** False when the server has no Stripe key: the page says so instead of offering buttons that cannot work. */
  stripeEnabled: boolean;
  hasCustomer: boolean;
  invoices: TInvoiceSummary[];
  /** Set when Stripe could not be reached for the invoices (the rest of the page still shows). */
  invoicesError: string | null;
};

/** What the billing page and GET /billing show: the state from our database, invoices live from Stripe. */
export async function getBillingOverview(app: TWebContext, organizationId: string): Promise<TBillingOverview> {
  const billing = await loadBillingState(app.db, organizationId);
  if (!billing) throw new AppError('not_found', 'Not found.');
  const stripe = getStripe(app.env);
  const customerId = await getStripeCustomerId(app.db, organizationId);
  let invoices: TInvoiceSummary[] = [];
  let invoicesError: string | null = null;
  if (stripe && customerId) {
    try {
      invoices = await callStripe(app, organizationId, 'invoices', () => listInvoices(stripe, customerId));
    } catch (err) {
      invoicesError = err instanceof Error ? err.message : 'Stripe could not be reached.';
    }
  }
  return { billing, stripeEnabled: stripe !== null, hasCustomer: customerId !== null, invoices, invoicesError };
}
