import type { TDb } from '../client.js';

export interface TBridgeThread { id: string; conversationId: string; connectionId: string; externalChatId: string; externalThreadId: string }

export async function getBridgeThread(db: TDb, organizationId: string, conversationId: string, connectionId: string): Promise<TBridgeThread | null> {
  const t = await db.bridgeThread.findUnique({
    where: { organizationId_conversationId_connectionId: { organizationId, conversationId, connectionId } },
  });
  return t ? { id: t.id, conversationId: t.conversationId, connectionId: t.connectionId, externalChatId: t.externalChatId, externalThreadId: t.externalThreadId } : null;
}

/** Saves (or replaces, when a topic was deleted and recreated) the thread of a conversation on a connection. */
export async function saveBridgeThread(
  db: TDb,
  organizationId: string,
  input: { conversationId: string; connectionId: string; externalChatId: string; externalThreadId: string },
): Promise<TBridgeThread> {
  const t = await db.bridgeThread.upsert({
    where: { organizationId_conversationId_connectionId: { organizationId, conversationId: input.conversationId, connectionId: input.connectionId } },
    create: { organizationId, ...input },
    update: { externalChatId: input.externalChatId, externalThreadId: input.externalThreadId },
  });
  return { id: t.id, conversationId: t.conversationId, connectionId: t.connectionId, externalChatId: t.externalChatId, externalThreadId: t.externalThreadId };
}

/** Platform thread → conversation, always scoped by tenant and connection (a topic id is only unique in its chat). */
export async function findConversationIdByThread(
  db: TDb,
  organizationId: string,
  input: { connectionId: string; externalChatId: string; externalThreadId: string },
): Promise<string | null> {
  const t = await db.bridgeThread.findUnique({
    where: { organizationId_connectionId_externalChatId_externalThreadId: { organizationId, ...input } },
    select: { conversationId: true },
  });
  return t?.conversationId ?? null;
}
