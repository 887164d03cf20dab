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
  id: string;
  organizationId: string;
  conversationId: string;
  messageId: string | null;
  uploadedBy: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  storageKey: string;
  createdAt: Date;
}): TAttachment {
  return {
    ...a,
    uploadedBy: a.uploadedBy === 'operator' ? 'operator' : 'visitor',
    createdAt: a.createdAt.toISOString(),
  };
}

/** Records an uploaded file's metadata (the bytes are already in storage under `storageKey`). Unlinked until a message claims it. */
export async function createAttachment(
  db: TDb,
  organizationId: string,
  input: {
    conversationId: string;
    uploadedBy: 'visitor' | 'operator';
    name: string;
    contentType: string;
    size: number;
    sha256: string;
    storageKey: string;
  },
): Promise<TAttachment> {
  const a = await db.attachment.create({ data: { organizationId, ...input } });
  return toAttachment(a);
}

class OverQuota extends Error {}

/**
 * `createAttachment` within the organization's storage quota: the row is written only if the organization's stored
 * bytes, this file included, stay within `quotaBytes`; otherwise nothing is written and the answer is null (the
 * caller deletes the bytes it stored). Safe under concurrency: the insert's trigger adds the size to the meter
 * ("OrganizationStorage") and holds that row locked until commit, so parallel uploads of one organization pass the
 * check one after the other, each seeing the others' bytes — two can never both squeeze into the last free space.
 */
export async function createAttachmentWithinQuota(
  db: TDb,
  organizationId: string,
  input: {
    conversationId: string;
    uploadedBy: 'visitor' | 'operator';
    name: string;
    contentType: string;
    size: number;
    sha256: string;
    storageKey: string;
  },
  quotaBytes: number,
): Promise<TAttachment | null> {
  try {
    return await db.$transaction(async (tx) => {
      const a = await tx.attachment.create({ data: { organizationId, ...input } });
      const meter = await tx.organizationStorage.findUnique({ where: { organizationId }, select: { usedBytes: true } });
      if (Number(meter?.usedBytes ?? 0) > quotaBytes) throw new OverQuota();
      return toAttachment(a);
    });
  } catch (err) {
    if (err instanceof OverQuota) return null;
    throw err;
  }
}

/** Bytes the organization stores now (what the quota is checked against). */
export async function getStorageUsage(db: TDb, organizationId: string): Promise<number> {
  const meter = await db.organizationStorage.findUnique({ where: { organizationId }, select: { usedBytes: true } });
  return Number(meter?.usedBytes ?? 0);
}

export async function getAttachment(
  db: TDb,
  organizationId: string,
  attachmentId: string,
): Promise<TAttachment | null> {
  const a = await db.attachment.findUnique({ where: { organizationId_id: { organizationId, id: attachmentId } } });
  return a ? toAttachment(a) : null;
}

/**
 * An attachment the widget may still serve: a pending upload (not yet in a message: its signed link went to the
 * visitor who uploaded it) or a file of a public message that was not deleted. A deleted message's files, and an
 * internal note's, are null like a missing one.
 */
export async function getWidgetServableAttachment(
  db: TDb,
  organizationId: string,
  attachmentId: string,
): Promise<TAttachment | null> {
  const a = await db.attachment.findFirst({
    where: {
      organizationId,
      id: attachmentId,
      OR: [{ messageId: null }, { message: { is: { deletedAt: null, visibility: 'public' } } }],
    },
  });
  return a ? toAttachment(a) : null;
}

/** Unlinked attachments older than `olderThanMs` (uploaded, never sent), for a cleanup job. */
export async function listOrphanAttachments(
  db: TDb,
  organizationId: string,
  input: { olderThanMs: number; limit: number },
): Promise<TAttachment[]> {
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

/**
 * An attachment of a live (not deleted) message of this conversation of this project, with what a download needs;
 * null otherwise — an upload never sent, a deleted message's file and another tenant's id look the same.
 */
export async function findDownloadableAttachment(
  db: TDb,
  scope: { organizationId: string; projectId: string; conversationId: string },
  attachmentId: string,
): Promise<{ id: string; name: string; contentType: string; sha256: string; storageKey: string } | null> {
  return db.attachment.findFirst({
    where: {
      organizationId: scope.organizationId,
      id: attachmentId,
      conversationId: scope.conversationId,
      conversation: { projectId: scope.projectId },
      message: { is: { deletedAt: null } },
    },
    select: { id: true, name: true, contentType: true, sha256: true, storageKey: true },
  });
}

/** A message's files in upload order, with their storage keys (for uploading them to the platforms). */
export async function listMessageAttachments(
  db: TDb,
  organizationId: string,
  messageId: string,
): Promise<{ id: string; name: string; contentType: string; size: number; storageKey: string }[]> {
  return db.attachment.findMany({
    where: { organizationId, messageId },
    orderBy: { createdAt: 'asc' },
    select: { id: true, name: true, contentType: true, size: true, storageKey: true },
  });
}
