import type { Prisma } from '@prisma/client';
import { isUniqueViolation, type TDb } from '../client.js';
import { toStorableJson, toStorableText } from '../storable.js';

export interface TInboundEvent {
  id: string;
  organizationId: string;
  connectionId: string;
  externalId: string;
  payload: unknown;
  status: string;
  /** The platform thread it is about (per connection); null = no thread, applied on its own. */
  groupKey: string | null;
  orderKey: string;
  readyAt: Date;
  attempts: number;
  createdAt: Date;
}

export interface TRecordInboundInput {
  connectionId: string;
  externalId: string;
  payload: Prisma.InputJsonValue;
  groupKey?: string | null;
  orderKey?: string;
  /** Not applied before this instant (default: now). */
  readyAt?: Date;
}

/**
 * Stores an inbound platform delivery before it is acknowledged. The unique key (tenant, connection, platform id)
 * turns a redelivery into `duplicate: true`: the platform's own id is the dedupe key (docs/design.md §6).
 */
export async function recordInboundEvent(
  db: TDb,
  organizationId: string,
  input: TRecordInboundInput,
): Promise<{ id: string; duplicate: boolean }> {
  // A platform delivery is stored even when it carries what Postgres cannot hold (NUL, a lone surrogate, absurd
  // nesting): refusing it would make the platform redeliver it forever, or drop a real message.
  const externalId = toStorableText(input.externalId);
  const payload = toStorableJson(input.payload) ?? {};
  try {
    const row = await db.inboundEvent.create({
      data: {
        organizationId,
        connectionId: input.connectionId,
        externalId,
        payload,
        groupKey: input.groupKey === undefined || input.groupKey === null ? null : toStorableText(input.groupKey),
        ...(input.orderKey !== undefined ? { orderKey: toStorableText(input.orderKey) } : {}),
        ...(input.readyAt ? { readyAt: input.readyAt } : {}),
      },
    });
    return { id: row.id, duplicate: false };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const row = await db.inboundEvent.findUnique({
      where: {
        organizationId_connectionId_externalId: { organizationId, connectionId: input.connectionId, externalId },
      },
      select: { id: true },
    });
    if (!row) throw err;
    return { id: row.id, duplicate: true };
  }
}

/** Whether a delivery with this platform id is stored for the connection (Telegram: is update N−1 here?). */
export async function hasInboundEvent(
  db: TDb,
  organizationId: string,
  input: { connectionId: string; externalId: string },
): Promise<boolean> {
  const row = await db.inboundEvent.findUnique({
    where: {
      organizationId_connectionId_externalId: {
        organizationId,
        connectionId: input.connectionId,
        externalId: toStorableText(input.externalId),
      },
    },
    select: { id: true },
  });
  return row !== null;
}

const toEvent = (row: Prisma.InboundEventGetPayload<object>): TInboundEvent => ({
  id: row.id,
  organizationId: row.organizationId,
  connectionId: row.connectionId,
  externalId: row.externalId,
  payload: row.payload,
  status: row.status,
  groupKey: row.groupKey,
  orderKey: row.orderKey,
  readyAt: row.readyAt,
  attempts: row.attempts,
  createdAt: row.createdAt,
});

export async function getInboundEvent(db: TDb, organizationId: string, id: string): Promise<TInboundEvent | null> {
  const row = await db.inboundEvent.findFirst({ where: { id, organizationId } });
  return row ? toEvent(row) : null;
}

/**
 * The pending events of one platform thread in the order they must be applied: the platform's order, then arrival
 * (a Discord edit carries its message's id and follows it by arrival).
 */
export async function listPendingInboundOfGroup(
  db: TDb,
  organizationId: string,
  input: { connectionId: string; groupKey: string; limit: number },
): Promise<TInboundEvent[]> {
  const rows = await db.inboundEvent.findMany({
    where: { organizationId, connectionId: input.connectionId, groupKey: input.groupKey, status: 'pending' },
    orderBy: [{ orderKey: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }],
    take: input.limit,
  });
  return rows.map(toEvent);
}

export async function finishInboundEvent(
  db: TDb,
  organizationId: string,
  id: string,
  input: { status: 'done' | 'ignored' | 'failed'; error?: string },
): Promise<void> {
  await db.inboundEvent.update({
    where: { id, organizationId },
    data: {
      status: input.status,
      processedAt: new Date(),
      attempts: { increment: 1 },
      lastError: input.error?.slice(0, 500) ?? null,
    },
  });
}

/** A failed attempt at applying an event that stays pending; returns how many attempts it has had. */
export async function recordInboundAttempt(
  db: TDb,
  organizationId: string,
  id: string,
  error: string,
): Promise<number> {
  const row = await db.inboundEvent.update({
    where: { id, organizationId },
    data: { attempts: { increment: 1 }, lastError: error.slice(0, 500) },
    select: { attempts: true },
  });
  return row.attempts;
}

/** System sweep: inbound events still pending after `olderThanMs` (their job was never enqueued, or was lost). */
export async function listStaleInboundEvents(
  db: TDb,
  input: { olderThanMs: number; limit: number },
): Promise<{ id: string; organizationId: string }[]> {
  return db.inboundEvent.findMany({
    where: { status: 'pending', createdAt: { lt: new Date(Date.now() - input.olderThanMs) } },
    orderBy: { createdAt: 'asc' },
    take: input.limit,
    select: { id: true, organizationId: true },
  });
}
