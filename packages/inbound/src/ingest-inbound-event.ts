import { INBOUND_ORDERING, type TBridgeKind } from '@pocketping/bridges';
import type { TLogger } from '@pocketping/core';
import { getInboundEvent, hasInboundEvent, recordInboundEvent, type Prisma, type TDb } from '@pocketping/db';
import type { TProducer } from '@pocketping/jobs';

export interface TIngestDeps {
  db: TDb;
  producer: Pick<TProducer, 'enqueueInbound'>;
  log: TLogger;
}

export interface TIngestInput {
  organizationId: string;
  connectionId: string;
  kind: TBridgeKind;
  /** The platform's id of the delivery (the dedupe key). */
  externalId: string;
  payload: unknown;
  /**
   * Transports that may hand over deliveries concurrently (webhooks) hold each one back this long, so an earlier
   * delivery still in flight takes its place in line first. Ordered streams (gateway, Socket Mode, long polling)
   * store one event after another and hold nothing.
   */
  reorderWindowMs?: number;
  /**
   * The platform id of the delivery just before this one, where the platform numbers them without gaps (Telegram's
   * update_id): when it is already stored nothing earlier can be in flight, and the event is not held.
   */
  previousExternalId?: string;
  /** Added to every log line about this delivery. */
  logContext?: Record<string, unknown>;
}

export type TIngestOutcome = { id: string; outcome: 'stored' | 'duplicate' | 'requeued' };

/**
 * Every inbound transport's one way in (Telegram webhook and long polling, Slack Events API and Socket Mode, the
 * Discord gateway): store the delivery — unique on the platform's id, so a redelivery is a duplicate — with its
 * thread and place in the platform's order, then hand it to the bridge.inbound queue. A duplicate whose first copy
 * is still pending (its enqueue failed) is enqueued again (same job id: a job that exists is not doubled). A failed
 * enqueue is only logged: the row is committed and the worker's sweeper picks it up, so the platform gets its 200.
 */
export async function ingestInboundEvent(deps: TIngestDeps, input: TIngestInput): Promise<TIngestOutcome> {
  const { organizationId, connectionId } = input;
  const ordering = INBOUND_ORDERING[input.kind](input.payload);
  let holdMs = ordering.threadKey === null ? 0 : (input.reorderWindowMs ?? 0);
  if (
    holdMs > 0 &&
    input.previousExternalId !== undefined &&
    (await hasInboundEvent(deps.db, organizationId, { connectionId, externalId: input.previousExternalId }))
  )
    holdMs = 0;
  const event = await recordInboundEvent(deps.db, organizationId, {
    connectionId,
    externalId: input.externalId,
    payload: input.payload as Prisma.InputJsonValue,
    groupKey: ordering.threadKey,
    orderKey: ordering.orderKey,
    ...(holdMs > 0 ? { readyAt: new Date(Date.now() + holdMs) } : {}),
  });
  const log = {
    ...input.logContext,
    tenantId: organizationId,
    connectionId,
    inboundEventId: event.id,
    externalId: input.externalId,
  };
  if (event.duplicate) {
    const stored = await getInboundEvent(deps.db, organizationId, event.id);
    if (stored?.status !== 'pending') return { id: event.id, outcome: 'duplicate' };
  }
  try {
    await deps.producer.enqueueInbound({ organizationId, inboundEventId: event.id });
  } catch (err) {
    deps.log.warn(
      { ...log, err: err instanceof Error ? err.message : String(err) },
      'inbound enqueue failed; the sweeper will pick the event up',
    );
  }
  return { id: event.id, outcome: event.duplicate ? 'requeued' : 'stored' };
}
