import { listStaleInboundEvents, listStaleOutbox } from '@pocketping/db';
import type { TWorkerContext } from './context.js';

/**
 * Re-enqueues outbox and inbound rows that have waited longer than `olderThanMs` — their job was never added
 * (crash between commit and enqueue, Redis outage) or was dropped. Job ids are the row ids, so re-adding a
 * job that still exists is a no-op; running this on every worker process is safe.
 */
export async function sweepOnce(
  ctx: TWorkerContext,
  olderThanMs: number,
): Promise<{ deliveries: number; inbound: number }> {
  // Every outbox kind (posts, edits, deletes): all go through the same per-pair drain.
  const stale = await listStaleOutbox(ctx.db, { olderThanMs, limit: 500 });
  if (stale.length > 0) await ctx.producer.enqueueDeliveries(stale);
  const inbound = await listStaleInboundEvents(ctx.db, { olderThanMs, limit: 500 });
  for (const ev of inbound)
    await ctx.producer.enqueueInbound({ organizationId: ev.organizationId, inboundEventId: ev.id });
  return { deliveries: stale.length, inbound: inbound.length };
}
