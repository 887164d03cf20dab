import type { TDb } from '../client.js';

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
    where: {
      organizationId,
      connectionId: input.connectionId,
      conversationId: input.conversationId,
      status: 'pending',
      kind: 'bridge.deliver',
    },
    orderBy: [{ seq: 'asc' }, { createdAt: 'asc' }],
    take: input.limit ?? 50,
    select: { id: true, seq: true, messageId: true, attempts: true },
  });
  return rows.filter((r): r is typeof r & { messageId: string } => r.messageId !== null);
}

export async function recordDeliveryAttempt(
  db: TDb,
  organizationId: string,
  outboxId: string,
  error: string,
): Promise<void> {
  await db.outboxEvent.update({
    where: { id: outboxId, organizationId },
    data: { attempts: { increment: 1 }, lastError: error.slice(0, 500) },
  });
}
