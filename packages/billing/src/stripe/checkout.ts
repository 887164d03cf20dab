import type Stripe from 'stripe';
import { AppError } from '@pocketping/core';
import { PLANS, stripeLookupKey, type TBillingInterval, type TPlanId } from '../plans.js';

/** Where an organization's Stripe customer id is kept (packages/db through the app): read, and claim once. */
export interface TCustomerStore {
  get(): Promise<string | null>;
  /** Records the id unless one is recorded already; returns the one that is recorded. */
  claim(customerId: string): Promise<string>;
}

export interface TCheckoutInput {
  organizationId: string;
  organizationName: string;
  /** The owner starting checkout: prefills the customer's email. */
  email: string;
  plan: Exclude<TPlanId, 'free'>;
  interval: TBillingInterval;
  successUrl: string;
  cancelUrl: string;
  /** Fixes the idempotency window (tests); default now. */
  now?: Date;
}

/** Idempotency keys of creates that must happen once per organization / per attempt. */
export const idempotencyKeys = {
  customer: (organizationId: string) => `pp-customer-${organizationId}`,
  /** One Checkout session per organization, price and minute: a double click opens the same session. */
  checkout: (organizationId: string, lookupKey: string, now: Date) =>
    `pp-checkout-${organizationId}-${lookupKey}-${Math.floor(now.getTime() / 60_000)}`,
  portal: (customerId: string, now: Date) => `pp-portal-${customerId}-${Math.floor(now.getTime() / 60_000)}`,
};

/**
 * The organization's Stripe customer: the recorded one, or a new one (organization id in its metadata, created under
 * an idempotency key per organization so a retried or concurrent first checkout creates one customer).
 */
export async function ensureStripeCustomer(
  stripe: Stripe,
  store: TCustomerStore,
  input: Pick<TCheckoutInput, 'organizationId' | 'organizationName' | 'email'>,
): Promise<string> {
  const known = await store.get();
  if (known) return known;
  const customer = await stripe.customers.create(
    {
      name: input.organizationName,
      email: input.email,
      metadata: { organizationId: input.organizationId },
    },
    { idempotencyKey: idempotencyKeys.customer(input.organizationId) },
  );
  return store.claim(customer.id);
}

/** The Stripe price of a plan and interval, found by lookup_key (`pro_monthly`). */
export async function findPrice(stripe: Stripe, plan: TPlanId, interval: TBillingInterval): Promise<Stripe.Price> {
  const lookupKey = stripeLookupKey(plan, interval);
  const prices = await stripe.prices.list({ lookup_keys: [lookupKey], active: true, limit: 1 });
  const price = prices.data[0];
  if (!price)
    throw new AppError('unavailable', `No active Stripe price with lookup_key "${lookupKey}": create it in Stripe.`);
  return price;
}

/**
 * A Checkout session (subscription mode) for the organization's customer, with the organization id in the session's
 * and the subscription's metadata. Returns the URL of Stripe's hosted page.
 */
export async function createCheckoutSession(
  stripe: Stripe,
  store: TCustomerStore,
  input: TCheckoutInput,
): Promise<{ id: string; url: string }> {
  if (!PLANS[input.plan].prices) throw new AppError('bad_request', `The ${input.plan} plan cannot be bought.`);
  const customerId = await ensureStripeCustomer(stripe, store, input);
  const price = await findPrice(stripe, input.plan, input.interval);
  const metadata = { organizationId: input.organizationId };
  const session = await stripe.checkout.sessions.create(
    {
      mode: 'subscription',
      customer: customerId,
      client_reference_id: input.organizationId,
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: input.successUrl,
      cancel_url: input.cancelUrl,
      metadata,
      subscription_data: { metadata },
    },
    {
      idempotencyKey: idempotencyKeys.checkout(
        input.organizationId,
        price.lookup_key ?? price.id,
        input.now ?? new Date(),
      ),
    },
  );
  if (!session.url) throw new AppError('unavailable', 'Stripe returned a Checkout session without a URL.');
  return { id: session.id, url: session.url };
}

/** A Customer Portal session (card, plan switch, cancel, invoices) that returns to `returnUrl`. */
export async function createPortalSession(
  stripe: Stripe,
  customerId: string,
  returnUrl: string,
  now: Date = new Date(),
): Promise<{ url: string }> {
  const session = await stripe.billingPortal.sessions.create(
    { customer: customerId, return_url: returnUrl },
    { idempotencyKey: idempotencyKeys.portal(customerId, now) },
  );
  return { url: session.url };
}

export interface TInvoiceSummary {
  id: string;
  number: string | null;
  status: string | null;
  /** Cents. */
  amountDue: number;
  amountPaid: number;
  currency: string;
  createdAt: Date;
  hostedInvoiceUrl: string | null;
  pdfUrl: string | null;
}

/** The customer's most recent invoices, newest first, with Stripe's hosted links. */
export async function listInvoices(stripe: Stripe, customerId: string, limit = 12): Promise<TInvoiceSummary[]> {
  const page = await stripe.invoices.list({ customer: customerId, limit });
  return page.data.map((inv) => ({
    id: inv.id ?? '',
    number: inv.number ?? null,
    status: inv.status ?? null,
    amountDue: inv.amount_due,
    amountPaid: inv.amount_paid,
    currency: inv.currency,
    createdAt: new Date(inv.created * 1000),
    hostedInvoiceUrl: inv.hosted_invoice_url ?? null,
    pdfUrl: inv.invoice_pdf ?? null,
  }));
}
