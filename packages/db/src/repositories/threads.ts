import { isUniqueViolation, type TDb } from '../client.js';
import { toConnection, type TConnection } from './connections.js';

export interface TBridgeThread {
  id: string;
  conversationId: string;
  connectionId: string;
  externalChatId: string;
  externalThreadId: string;
}

export async function getBridgeThread(
  db: TDb,
  organizationId: string,
  conversationId: string,
  connectionId: string,
): Promise<TBridgeThread | null> {
  const t = await db.bridgeThread.findUnique({
    where: { organizationId_conversationId_connectionId: { organizationId, conversationId, connectionId } },
  });
  return t
    ? {
        id: t.id,
        conversationId: t.conversationId,
        connectionId: t.connectionId,
        externalChatId: t.externalChatId,
        externalThreadId: t.externalThreadId,
      }
    : null;
}

/** The threads a conversation has on its project's active connections, each with its connection (for ephemeral calls). */
export async function listActiveThreadsOfConversation(
  db: TDb,
  organizationId: string,
  conversationId: string,
): Promise<{ thread: TBridgeThread; connection: TConnection }[]> {
  const rows = await db.bridgeThread.findMany({
    where: { organizationId, conversationId, connection: { status: 'active' } },
    include: { connection: true },
    orderBy: { createdAt: 'asc' },
  });
  return rows.map((t) => ({
    thread: {
      id: t.id,
      conversationId: t.conversationId,
      connectionId: t.connectionId,
      externalChatId: t.externalChatId,
      externalThreadId: t.externalThreadId,
    },
    connection: toConnection(t.connection),
  }));
}

/**
 * Saves (or replaces, when a topic was deleted and recreated) the thread of a conversation on a connection.
 * `cardPending`: the thread was just opened and its visitor card is still to be posted.
 */
export async function saveBridgeThread(
  db: TDb,
  organizationId: string,
  input: {
    conversationId: string;
    connectionId: string;
    externalChatId: string;
    externalThreadId: string;
    cardPending?: boolean;
  },
): Promise<TBridgeThread> {
  const cardPending = input.cardPending ?? false;
  const t = await db.bridgeThread.upsert({
    where: {
      organizationId_conversationId_connectionId: {
        organizationId,
        conversationId: input.conversationId,
        connectionId: input.connectionId,
      },
    },
    create: { organizationId, ...input, cardPending },
    update: { externalChatId: input.externalChatId, externalThreadId: input.externalThreadId, cardPending },
  });
  return {
    id: t.id,
    conversationId: t.conversationId,
    connectionId: t.connectionId,
    externalChatId: t.externalChatId,
    externalThreadId: t.externalThreadId,
  };
}

/**
 * saveBridgeThread for a thread found on the platform rather than created by this call: null when that platform
 * thread is already the thread of another conversation (a same-named thread opened at the same moment).
 */
export async function claimBridgeThread(
  db: TDb,
  organizationId: string,
  input: {
    conversationId: string;
    connectionId: string;
    externalChatId: string;
    externalThreadId: string;
    cardPending?: boolean;
  },
): Promise<TBridgeThread | null> {
  try {
    return await saveBridgeThread(db, organizationId, input);
  } catch (err) {
    if (isUniqueViolation(err)) return null;
    throw err;
  }
}

/** The visitor card of the conversation's thread on this connection is posted. */
export async function markThreadCardPosted(
  db: TDb,
  organizationId: string,
  input: { conversationId: string; connectionId: string },
): Promise<void> {
  await db.bridgeThread.updateMany({
    where: { organizationId, conversationId: input.conversationId, connectionId: input.connectionId },
    data: { cardPending: false },
  });
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
  const conversationId = await findConversationIdByThread(db, organizationId, {
    connectionId: input.connectionId,
    externalChatId: input.externalChatId,
    externalThreadId: input.externalThreadId,
  });
  if (!conversationId) return [];
  const rows = await db.bridgeMessage.findMany({
    where: {
      organizationId,
      connectionId: input.connectionId,
      direction: 'inbound',
      message: { conversationId, deletedAt: null },
    },
    orderBy: { createdAt: 'desc' },
    take: input.limit,
    select: { externalMessageId: true },
  });
  return rows.map((r) => r.externalMessageId);
}
