import { listStaleInboundEvents, listStaleOutbox, listStaleStripeEvents } from '@pocketping/db';
import type { TWorkerContext } from './context.js';

/**
 * Re-enqueues outbox, inbound and Stripe event rows that have waited longer than `olderThanMs` — their job was never added
 * (crash between commit and enqueue, Redis outage) or was dropped. Job ids are the row ids, so re-adding a
 * job that still exists is a no-op; running this on every worker process is safe.
 */
export async function sweepOnce(
  ctx: TWorkerContext,
  olderThanMs: number,
): Promise<{ deliveries: number; inbound: number; billing: number }> {
  // Every outbox kind (posts, edits, deletes): all go through the same per-pair drain.
  const stale = await listStaleOutbox(ctx.db, { olderThanMs, limit: 500 });
  if (stale.length > 0) await ctx.producer.enqueueDeliveries(stale);
  const inbound = await listStaleInboundEvents(ctx.db, { olderThanMs, limit: 500 });
  for (const ev of inbound)
    await ctx.producer.enqueueInbound({ organizationId: ev.organizationId, inboundEventId: ev.id });
  // Stripe events wait longer (a minute): their job may be retrying against a Stripe outage, which is not lost work.
  const billing = await listStaleStripeEvents(ctx.db, { olderThanMs: Math.max(60_000, olderThanMs), limit: 100 });
  for (const ev of billing) await ctx.producer.enqueueStripeEvent({ stripeEventId: ev.id });
  return { deliveries: stale.length, inbound: inbound.length, billing: billing.length };
}
