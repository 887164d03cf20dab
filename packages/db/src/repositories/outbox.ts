import type { TDb } from '../client.js';
import type { TOutboxRef } from './messages.js';

export interface TPendingDelivery {
  id: string;
  seq: number;
  messageId: string;
  attempts: number;
}

/** Pending deliveries of one (connection, conversation) pair, oldest seq first. */
export async function listPendingDeliveries(
  db: TDb,
  organizationId: string,
  input: { connectionId: string; conversationId: string; limit?: number },
): Promise<TPendingDelivery[]> {
  const rows = await db.outboxEvent.findMany({
    where: { organizationId, connectionId: input.connectionId, conversationId: input.conversationId, status: 'pending', kind: 'bridge.deliver' },
    orderBy: [{ seq: 'asc' }, { createdAt: 'asc' }],
    take: input.limit ?? 50,
    select: { id: true, seq: true, messageId: true, attempts: true },
  });
  return rows.filter((r): r is typeof r & { messageId: string } => r.messageId !== null);
}

/**
 * Marks a delivery done and records the platform's message id in the same transaction, right after the platform
 * call returned (docs/design.md §4): a retry then sees `done` and never posts twice.
 */
export async function completeDelivery(
  db: TDb,
  organizationId: string,
  input: { outboxId: string; messageId: string; connectionId: string; externalChatId: string; externalMessageId: string },
): Promise<void> {
  await db.$transaction([
    db.outboxEvent.update({
      where: { id: input.outboxId, organizationId },
      data: { status: 'done', processedAt: new Date(), attempts: { increment: 1 }, lastError: null },
    }),
    db.bridgeMessage.upsert({
      where: {
        organizationId_connectionId_externalChatId_externalMessageId: {
          organizationId, connectionId: input.connectionId, externalChatId: input.externalChatId, externalMessageId: input.externalMessageId,
        },
      },
      create: {
        organizationId, messageId: input.messageId, connectionId: input.connectionId, direction: 'outbound',
        externalChatId: input.externalChatId, externalMessageId: input.externalMessageId,
      },
      update: {},
    }),
  ]);
}

export async function recordDeliveryAttempt(db: TDb, organizationId: string, outboxId: string, error: string): Promise<void> {
  await db.outboxEvent.update({
    where: { id: outboxId, organizationId },
    data: { attempts: { increment: 1 }, lastError: error.slice(0, 500) },
  });
}

/**
 * System sweep across tenants (the one place that reads without a tenant id, by design): pending deliveries older
 * than `olderThanMs`, which a crash between commit and enqueue (or a Redis outage) may have left without a job.
 */
export async function listStaleDeliveries(db: TDb, input: { olderThanMs: number; limit: number }): Promise<TOutboxRef[]> {
  const rows = await db.outboxEvent.findMany({
    where: { status: 'pending', kind: 'bridge.deliver', createdAt: { lt: new Date(Date.now() - input.olderThanMs) } },
    orderBy: { createdAt: 'asc' },
    take: input.limit,
    select: { id: true, organizationId: true, connectionId: true, conversationId: true, seq: true },
  });
  return rows.filter((r): r is typeof r & { connectionId: string } => r.connectionId !== null);
}

/** Counts, for tests and the doctor. */
export async function countDeliveries(db: TDb, organizationId: string, status: 'pending' | 'done' | 'dead'): Promise<number> {
  return db.outboxEvent.count({ where: { organizationId, status } });
}
