import type { TDb } from '../client.js';
import { toConnection, type TConnection } from './connections.js';

export interface TBridgeThread { id: string; conversationId: string; connectionId: string; externalChatId: string; externalThreadId: string }

export async function getBridgeThread(db: TDb, organizationId: string, conversationId: string, connectionId: string): Promise<TBridgeThread | null> {
  const t = await db.bridgeThread.findUnique({
    where: { organizationId_conversationId_connectionId: { organizationId, conversationId, connectionId } },
  });
  return t ? { id: t.id, conversationId: t.conversationId, connectionId: t.connectionId, externalChatId: t.externalChatId, externalThreadId: t.externalThreadId } : null;
}

/** The threads a conversation has on its project's active connections, each with its connection (for ephemeral calls). */
export async function listActiveThreadsOfConversation(db: TDb, organizationId: string, conversationId: string): Promise<{ thread: TBridgeThread; connection: TConnection }[]> {
  const rows = await db.bridgeThread.findMany({
    where: { organizationId, conversationId, connection: { status: 'active' } },
    include: { connection: true },
    orderBy: { createdAt: 'asc' },
  });
  return rows.map((t) => ({
    thread: { id: t.id, conversationId: t.conversationId, connectionId: t.connectionId, externalChatId: t.externalChatId, externalThreadId: t.externalThreadId },
    connection: toConnection(t.connection),
  }));
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

/**
 * Platform ids of the messages operators wrote in one platform thread that are still shown (inbound, not deleted),
 * newest first, at most `limit`: the Discord gateway compares them with the thread's recent history after a fresh
 * session, to apply the deletes it missed while disconnected.
 */
export async function listLiveInboundMessageIds(
  db: TDb,
  organizationId: string,
  input: { connectionId: string; externalChatId: string; externalThreadId: string; limit: number },
): Promise<string[]> {
  const conversationId = await findConversationIdByThread(db, organizationId, { connectionId: input.connectionId, externalChatId: input.externalChatId, externalThreadId: input.externalThreadId });
  if (!conversationId) return [];
  const rows = await db.bridgeMessage.findMany({
    where: { organizationId, connectionId: input.connectionId, direction: 'inbound', message: { conversationId, deletedAt: null } },
    orderBy: { createdAt: 'desc' },
    take: input.limit,
    select: { externalMessageId: true },
  });
  return rows.map((r) => r.externalMessageId);
}
