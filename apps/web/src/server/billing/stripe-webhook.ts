import { AppError, toAppError, type TLogger } from '@pocketping/core';
import { markStripeEventProcessed, recordStripeEvent, type TDb } from '@pocketping/db';
import {
  eventSubjects,
  HANDLED_STRIPE_EVENTS,
  MAX_STRIPE_EVENT_BYTES,
  verifyStripeEvent,
  type TStripe,
} from '@pocketping/billing';
import type { TProducer } from '@pocketping/jobs';
import { withTimeout } from '../with-timeout';

/** An enqueue must not hold Stripe's request: past this the answer is 503 and Stripe's retry enqueues again. */
const ENQUEUE_TIMEOUT_MS = 2_000;

export interface TStripeWebhookDeps {
  db: TDb;
  producer: Pick<TProducer, 'enqueueStripeEvent'>;
  log: TLogger;
  /** Null when STRIPE_SECRET_KEY is not set: billing is off, nothing is accepted. */
  stripe: TStripe | null;
  /** STRIPE_WEBHOOK_SECRET: without it nothing can be verified, so nothing is accepted. */
  webhookSecret: string | undefined;
}

export interface TStripeWebhookInput {
  rawBody: string;
  signatureHeader: string | null;
  /** The clock the timestamp tolerance is measured against (tests); default now. */
  nowSeconds?: number;
}

export interface TStripeWebhookResult {
  status: number;
  body: unknown;
}

const HANDLED: ReadonlySet<string> = new Set(HANDLED_STRIPE_EVENTS);

/**
 * Receives one Stripe webhook delivery: verify the signature over the raw body (timestamp tolerance included), store
 * the event on its id, queue the billing job, answer. A redelivered event finds its row: answered 200, and queued
 * again only if its job has not run yet (the job id is the event id, so a waiting job is not doubled). Nothing about
 * the organization is decided here — the job resolves the customer and re-reads the subscription from Stripe.
 */
export async function handleStripeWebhook(
  deps: TStripeWebhookDeps,
  input: TStripeWebhookInput,
): Promise<TStripeWebhookResult> {
  const { log } = deps;
  try {
    if (!deps.stripe || !deps.webhookSecret)
      throw new AppError(
        'unavailable',
        'Stripe webhooks are not configured on this server (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET)',
        { platform: 'stripe' },
      );
    if (Buffer.byteLength(input.rawBody, 'utf8') > MAX_STRIPE_EVENT_BYTES)
      throw new AppError('payload_too_large', `Body exceeds ${MAX_STRIPE_EVENT_BYTES} bytes`);

    const verified = verifyStripeEvent(deps.stripe, {
      rawBody: input.rawBody,
      signatureHeader: input.signatureHeader,
      secret: deps.webhookSecret,
      ...(input.nowSeconds !== undefined ? { nowSeconds: input.nowSeconds } : {}),
    });
    if (!verified.ok) {
      log.warn({ reason: verified.reason }, 'stripe webhook: refused');
      const messages = {
        missing_signature: 'Missing Stripe-Signature header',
        bad_signature: 'Stripe-Signature does not match the body',
        stale_timestamp: 'Stripe-Signature timestamp is outside the tolerance',
        malformed: 'The body is not a Stripe event',
      } as const;
      throw new AppError('bad_request', messages[verified.reason], { reason: verified.reason });
    }
    const event = verified.event;
    const subjects = eventSubjects(event);
    const stored = await recordStripeEvent(deps.db, {
      id: event.id,
      type: event.type,
      eventCreatedAt: new Date(event.created * 1000),
      customerId: subjects.customerId,
      subscriptionId: subjects.subscriptionId,
    });
    const logCtx = { stripeEventId: event.id, type: event.type, customerId: subjects.customerId };
    if (stored.processed) {
      log.info(logCtx, 'stripe webhook: duplicate of a processed event');
      return { status: 200, body: { received: true, duplicate: true } };
    }
    if (!HANDLED.has(event.type) || !subjects.customerId) {
      if (stored.status === 'new')
        await markStripeEventProcessed(deps.db, event.id, { organizationId: null, outcome: 'ignored' });
      return { status: 200, body: { received: true, ignored: true } };
    }
    await withTimeout(deps.producer.enqueueStripeEvent({ stripeEventId: event.id }), ENQUEUE_TIMEOUT_MS, 'enqueue');
    log.info({ ...logCtx, duplicate: stored.status === 'duplicate' }, 'stripe webhook: queued');
    return { status: 200, body: { received: true, duplicate: stored.status === 'duplicate' } };
  } catch (err) {
    const e = toAppError(err);
    if (e.status >= 500) log.error({ err: e.message }, 'stripe webhook: failed, Stripe will retry');
    return { status: e.status, body: { error: e.toJSON() } };
  }
}
