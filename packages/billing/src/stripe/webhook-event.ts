import type Stripe from 'stripe';

/** Stripe's default: a signature more than 5 minutes old (or ahead) is refused, so a captured request cannot be replayed later. */
export const STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300;

/** Event payloads are small JSON documents; anything this big is not one of ours. */
export const MAX_STRIPE_EVENT_BYTES = 512 * 1024;

/** The events the billing job acts on; any other type is stored and acknowledged, and changes nothing. */
export const HANDLED_STRIPE_EVENTS = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.trial_will_end',
  'invoice.paid',
  'invoice.payment_failed',
  'customer.updated',
] as const;

export type TVerifiedStripeEvent =
  | { ok: true; event: Stripe.Event }
  | { ok: false; reason: 'missing_signature' | 'bad_signature' | 'stale_timestamp' | 'malformed' };

/**
 * Checks `Stripe-Signature` over the exact raw body with the SDK's verifier (HMAC-SHA256 of "t.body" under the
 * endpoint secret, within the timestamp tolerance) and parses the event.
 */
export function verifyStripeEvent(
  stripe: Stripe,
  input: { rawBody: string; signatureHeader: string | null; secret: string; nowSeconds?: number },
): TVerifiedStripeEvent {
  if (!input.signatureHeader) return { ok: false, reason: 'missing_signature' };
  try {
    const event = stripe.webhooks.constructEvent(
      input.rawBody,
      input.signatureHeader,
      input.secret,
      STRIPE_WEBHOOK_TOLERANCE_SECONDS,
      undefined,
      input.nowSeconds,
    );
    if (
      typeof event?.id !== 'string' ||
      !/^evt_[A-Za-z0-9]{1,250}$/.test(event.id) ||
      typeof event.type !== 'string' ||
      typeof event.created !== 'number' ||
      !event.data ||
      typeof event.data.object !== 'object'
    )
      return { ok: false, reason: 'malformed' };
    return { ok: true, event };
  } catch (err) {
    // The SDK throws StripeSignatureVerificationError for a header that does not verify (with "tolerance" in the
    // message for a stale timestamp); anything else comes from parsing a body that did verify.
    const e = err as { type?: unknown; message?: unknown };
    if (e.type !== 'StripeSignatureVerificationError') return { ok: false, reason: 'malformed' };
    if (/tolerance/i.test(String(e.message))) return { ok: false, reason: 'stale_timestamp' };
    return { ok: false, reason: 'bad_signature' };
  }
}

const idOf = (v: unknown): string | null => {
  if (typeof v === 'string' && v.length > 0 && v.length <= 255) return v;
  if (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string') return (v as { id: string }).id;
  return null;
};

/**
 * The customer and subscription an event is about, from whichever field its object keeps them in. The job resolves
 * the organization from the customer (the one we created for it) and re-reads the subscriptions from Stripe.
 */
export function eventSubjects(event: Stripe.Event): { customerId: string | null; subscriptionId: string | null } {
  const obj = event.data.object as unknown as Record<string, unknown>;
  const objectType = obj.object;
  if (objectType === 'customer') return { customerId: idOf(obj.id), subscriptionId: null };
  if (objectType === 'subscription') return { customerId: idOf(obj.customer), subscriptionId: idOf(obj.id) };
  if (objectType === 'invoice') {
    const parent = obj.parent as { subscription_details?: { subscription?: unknown } | null } | null | undefined;
    return {
      customerId: idOf(obj.customer),
      subscriptionId: idOf(parent?.subscription_details?.subscription),
    };
  }
  return { customerId: idOf(obj.customer), subscriptionId: idOf(obj.subscription) };
}
