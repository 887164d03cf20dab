import type { TMessage } from '@pocketping/protocol';
import type { TDb } from '../client.js';
import { toMessageDto } from '../dto.js';
import type { TOutboxRef } from './messages.js';
import type { TOutboxKind } from './outbox-drain.js';

/**
 * Applies an operator's edit (new body) or delete (soft: deletedAt) to a stored message and queues the same change
 * for every other bridge of the project, in one transaction. Idempotent: an edit to the same text or a second
 * delete changes nothing and queues nothing (`changed: false`).
 */
export async function changeMessage(
  db: TDb,
  organizationId: string,
  input: {
    messageId: string;
    change: { kind: 'edit'; body: string } | { kind: 'delete' };
    excludeConnectionId: string | null;
  },
): Promise<{ message: TMessage; changed: boolean; outbox: TOutboxRef[] } | null> {
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "Message" WHERE "organizationId" = ${organizationId} AND id = ${input.messageId} FOR UPDATE`;
    if (rows.length === 0) return null;
    const current = await tx.message.findUniqueOrThrow({
      where: { organizationId_id: { organizationId, id: input.messageId } },
    });
    const unchanged =
      current.deletedAt !== null || (input.change.kind === 'edit' && current.body === input.change.body);
    if (unchanged) return { message: toMessageDto(current), changed: false, outbox: [] };
    const updated = await tx.message.update({
      where: { organizationId_id: { organizationId, id: input.messageId } },
      data:
        input.change.kind === 'edit' ? { body: input.change.body, editedAt: new Date() } : { deletedAt: new Date() },
    });
    const conversation = await tx.conversation.findUniqueOrThrow({
      where: { organizationId_id: { organizationId, id: current.conversationId } },
      select: { projectId: true },
    });
    const connections = await tx.bridgeConnection.findMany({
      where: {
        organizationId,
        projectId: conversation.projectId,
        status: { not: 'disabled' },
        pausedAt: null,
        ...(input.excludeConnectionId ? { id: { not: input.excludeConnectionId } } : {}),
      },
      select: { id: true },
      orderBy: { createdAt: 'asc' },
    });
    const kind: TOutboxKind = input.change.kind === 'edit' ? 'bridge.edit' : 'bridge.delete';
    const outbox: TOutboxRef[] = [];
    for (const c of connections) {
      const row = await tx.outboxEvent.create({
        data: {
          organizationId,
          kind,
          connectionId: c.id,
          conversationId: current.conversationId,
          messageId: current.id,
          seq: current.seq,
        },
      });
      outbox.push({
        id: row.id,
        organizationId,
        connectionId: c.id,
        conversationId: current.conversationId,
        seq: current.seq,
      });
    }
    return { message: toMessageDto(updated), changed: true, outbox };
  });
}
