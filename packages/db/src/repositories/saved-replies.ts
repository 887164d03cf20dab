import { AppError } from '@pocketping/core';
import { SAVED_REPLIES_PER_PROJECT_MAX, type TSavedReply, type TSavedReplyInput } from '@pocketping/protocol';
import { isUniqueViolation, type TDb } from '../client.js';

function toSavedReply(r: {
  id: string;
  projectId: string;
  title: string;
  shortcut: string;
  body: string;
  updatedAt: Date;
}): TSavedReply {
  return {
    id: r.id,
    projectId: r.projectId,
    title: r.title,
    shortcut: r.shortcut,
    body: r.body,
    updatedAt: r.updatedAt.toISOString(),
  };
}

const taken = (shortcut: string) =>
  new AppError('conflict', `The shortcut "${shortcut}" is already used by another saved reply of this project.`, {
    issues: [{ path: 'shortcut', message: 'Already used by another saved reply of this project.' }],
  });

/** A project's saved replies, by shortcut. */
export async function listSavedReplies(db: TDb, organizationId: string, projectId: string): Promise<TSavedReply[]> {
  const rows = await db.savedReply.findMany({
    where: { organizationId, projectId },
    orderBy: { shortcut: 'asc' },
    take: SAVED_REPLIES_PER_PROJECT_MAX,
  });
  return rows.map(toSavedReply);
}

export async function findSavedReplyByShortcut(
  db: TDb,
  organizationId: string,
  projectId: string,
  shortcut: string,
): Promise<TSavedReply | null> {
  const row = await db.savedReply.findUnique({
    where: { organizationId_projectId_shortcut: { organizationId, projectId, shortcut } },
  });
  return row ? toSavedReply(row) : null;
}

/** A new saved reply; a shortcut the project already uses is a `conflict` naming the field. */
export async function createSavedReply(
  db: TDb,
  organizationId: string,
  projectId: string,
  input: TSavedReplyInput,
): Promise<TSavedReply> {
  const count = await db.savedReply.count({ where: { organizationId, projectId } });
  if (count >= SAVED_REPLIES_PER_PROJECT_MAX)
    throw new AppError('conflict', `A project keeps at most ${SAVED_REPLIES_PER_PROJECT_MAX} saved replies.`);
  try {
    return toSavedReply(await db.savedReply.create({ data: { organizationId, projectId, ...input } }));
  } catch (err) {
    if (isUniqueViolation(err)) throw taken(input.shortcut);
    throw err;
  }
}

/** Replaces a saved reply of this project; another project's or tenant's id is `not_found`. */
export async function updateSavedReply(
  db: TDb,
  organizationId: string,
  projectId: string,
  id: string,
  input: TSavedReplyInput,
): Promise<TSavedReply> {
  try {
    const { count } = await db.savedReply.updateMany({ where: { organizationId, projectId, id }, data: input });
    if (count === 0) throw new AppError('not_found', 'Saved reply not found.');
  } catch (err) {
    if (isUniqueViolation(err)) throw taken(input.shortcut);
    throw err;
  }
  const row = await db.savedReply.findUniqueOrThrow({ where: { organizationId_id: { organizationId, id } } });
  return toSavedReply(row);
}

export async function deleteSavedReply(db: TDb, organizationId: string, projectId: string, id: string): Promise<void> {
  const { count } = await db.savedReply.deleteMany({ where: { organizationId, projectId, id } });
  if (count === 0) throw new AppError('not_found', 'Saved reply not found.');
}
