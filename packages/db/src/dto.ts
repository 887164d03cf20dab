import type { Attachment, Message } from '@prisma/client';
import type { TAttachmentRef, TMessage } from '@pocketping/protocol';

/** An attachment as clients see it; `url` is filled by whoever signs URLs (realtime, worker), never stored. */
export function toAttachmentRef(a: Pick<Attachment, 'id' | 'name' | 'contentType' | 'size'>): TAttachmentRef {
  return { id: a.id, name: a.name, contentType: a.contentType, size: a.size, url: null };
}

/** Repositories return plain DTOs: dates as ISO strings, no Prisma objects past this package. */
export function toMessageDto(m: Message & { attachments?: Attachment[] }): TMessage {
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
    attachments: m.deletedAt ? [] : (m.attachments ?? []).map(toAttachmentRef),
  };
}
