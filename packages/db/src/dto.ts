import type { Message } from '@prisma/client';
import type { TMessage } from '@pocketping/protocol';

/** Repositories return plain DTOs: dates as ISO strings, no Prisma objects past this package. */
export function toMessageDto(m: Message): TMessage {
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq: m.seq,
    clientId: m.clientId,
    sender: m.sender,
    authorName: m.authorName,
    body: m.deletedAt ? '' : m.body,
    source: m.source,
    createdAt: m.createdAt.toISOString(),
    editedAt: m.editedAt?.toISOString() ?? null,
    deletedAt: m.deletedAt?.toISOString() ?? null,
    attachments: [],
  };
}
