import type { TDb } from '../client.js';

export interface TAttachment {
  id: string;
  organizationId: string;
  conversationId: string;
  messageId: string | null;
  uploadedBy: 'visitor' | 'operator';
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  storageKey: string;
  createdAt: string;
}

function toAttachment(a: {
  id: string; organizationId: string; conversationId: string; messageId: string | null; uploadedBy: string; name: string;
  contentType: string; size: number; sha256: string; storageKey: string; createdAt: Date;
}): TAttachment {
  return { ...a, uploadedBy: a.uploadedBy === 'operator' ? 'operator' : 'visitor', createdAt: a.createdAt.toISOString() };
}

/** Records an uploaded file's metadata (the bytes are already in storage under `storageKey`). Unlinked until a message claims it. */
export async function createAttachment(
  db: TDb,
  organizationId: string,
  input: { conversationId: string; uploadedBy: 'visitor' | 'operator'; name: string; contentType: string; size: number; sha256: string; storageKey: string },
): Promise<TAttachment> {
  const a = await db.attachment.create({ data: { organizationId, ...input } });
  return toAttachment(a);
}

export async function getAttachment(db: TDb, organizationId: string, attachmentId: string): Promise<TAttachment | null> {
  const a = await db.attachment.findUnique({ where: { organizationId_id: { organizationId, id: attachmentId } } });
  return a ? toAttachment(a) : null;
}

/** Unlinked attachments older than `olderThanMs` (uploaded, never sent), for a cleanup job. */
export async function listOrphanAttachments(db: TDb, organizationId: string, input: { olderThanMs: number; limit: number }): Promise<TAttachment[]> {
  const rows = await db.attachment.findMany({
    where: { organizationId, messageId: null, createdAt: { lt: new Date(Date.now() - input.olderThanMs) } },
    orderBy: { createdAt: 'asc' },
    take: input.limit,
  });
  return rows.map(toAttachment);
}

export async function deleteAttachment(db: TDb, organizationId: string, attachmentId: string): Promise<void> {
  await db.attachment.deleteMany({ where: { organizationId, id: attachmentId } });
}
