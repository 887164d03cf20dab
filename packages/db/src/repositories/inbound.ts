import type { Prisma } from '@prisma/client';
import { isUniqueViolation, type TDb } from '../client.js';
import { toStorableJson, toStorableText } from '../storable.js';

export interface TInboundEvent { id: string; organizationId: string; connectionId: string; externalId: string; payload: unknown; status: string; createdAt: Date }

/**
 * Stores an inbound platform delivery before it is acknowledged. The unique key (tenant, connection, platform id)
 * turns a redelivery into `duplicate: true` (../shared/design-notes.md §4).
 */
export async function recordInboundEvent(
  db: TDb,
  organizationId: string,
  input: { connectionId: string; externalId: string; payload: Prisma.InputJsonValue },
): Promise<{ id: string; duplicate: boolean }> {
  // A platform delivery is stored even when it carries what Postgres cannot hold (NUL, a lone surrogate, absurd
  // nesting): refusing it would make the platform redeliver it forever, or drop a real message.
  const externalId = toStorableText(input.externalId);
  const payload = toStorableJson(input.payload) ?? {};
  try {
    const row = await db.inboundEvent.create({ data: { organizationId, connectionId: input.connectionId, externalId, payload } });
    return { id: row.id, duplicate: false };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const row = await db.inboundEvent.findUnique({
      where: { organizationId_connectionId_externalId: { organizationId, connectionId: input.connectionId, externalId } },
      select: { id: true },
    });
    if (!row) throw err;
    return { id: row.id, duplicate: true };
  }
}

export async function getInboundEvent(db: TDb, organizationId: string, id: string): Promise<TInboundEvent | null> {
  const row = await db.inboundEvent.findFirst({ where: { id, organizationId } });
  return row ? { id: row.id, organizationId: row.organizationId, connectionId: row.connectionId, externalId: row.externalId, payload: row.payload, status: row.status, createdAt: row.createdAt } : null;
}

export async function finishInboundEvent(
  db: TDb,
  organizationId: string,
  id: string,
  input: { status: 'done' | 'ignored' | 'failed'; error?: string },
): Promise<void> {
  await db.inboundEvent.update({
    where: { id, organizationId },
    data: { status: input.status, processedAt: new Date(), attempts: { increment: 1 }, lastError: input.error?.slice(0, 500) ?? null },
  });
}

/** System sweep: inbound events still pending after `olderThanMs` (their job was never enqueued, or was lost). */
export async function listStaleInboundEvents(db: TDb, input: { olderThanMs: number; limit: number }): Promise<{ id: string; organizationId: string }[]> {
  return db.inboundEvent.findMany({
    where: { status: 'pending', createdAt: { lt: new Date(Date.now() - input.olderThanMs) } },
    orderBy: { createdAt: 'asc' },
    take: input.limit,
    select: { id: true, organizationId: true },
  });
}
