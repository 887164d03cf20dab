import type { TDb, TTx } from '../client.js';

export interface TConversation {
  id: string;
  organizationId: string;
  projectId: string;
  visitorId: string;
  status: 'open' | 'closed';
  lastSeq: number;
}

function toConversation(c: { id: string; organizationId: string; projectId: string; visitorId: string; status: 'open' | 'closed'; nextSeq: number }): TConversation {
  return { id: c.id, organizationId: c.organizationId, projectId: c.projectId, visitorId: c.visitorId, status: c.status, lastSeq: c.nextSeq - 1 };
}

export async function getOpenConversationForVisitor(db: TDb | TTx, organizationId: string, visitorId: string): Promise<TConversation | null> {
  const c = await db.conversation.findFirst({ where: { organizationId, visitorId, status: 'open' }, orderBy: { createdAt: 'desc' } });
  return c ? toConversation(c) : null;
}

/**
 * Returns the visitor's open conversation, creating it if there is none. The visitor row is locked first, so two
 * tabs sending their first message at once still end up in one conversation.
 */
export async function getOrCreateOpenConversation(
  db: TDb,
  organizationId: string,
  input: { projectId: string; visitorId: string },
): Promise<TConversation> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Visitor" WHERE "organizationId" = ${organizationId} AND id = ${input.visitorId} FOR UPDATE`;
    const existing = await getOpenConversationForVisitor(tx, organizationId, input.visitorId);
    if (existing) return existing;
    const c = await tx.conversation.create({ data: { organizationId, projectId: input.projectId, visitorId: input.visitorId } });
    return toConversation(c);
  });
}

export async function getConversation(db: TDb | TTx, organizationId: string, conversationId: string): Promise<TConversation | null> {
  const c = await db.conversation.findUnique({ where: { organizationId_id: { organizationId, id: conversationId } } });
  return c ? toConversation(c) : null;
}

/** The visitor's most recent conversation, open or closed: what the widget shows on return. */
export async function getLatestConversationForVisitor(db: TDb, organizationId: string, visitorId: string): Promise<TConversation | null> {
  const c = await db.conversation.findFirst({ where: { organizationId, visitorId }, orderBy: { createdAt: 'desc' } });
  return c ? toConversation(c) : null;
}
