import type { TDb, TTx } from '../client.js';
import type { TOutboxRef } from './messages.js';
import type { TOutboxKind } from './outbox-drain.js';

export const THREAD_RENAME_KIND: TOutboxKind = 'bridge.rename';

/**
 * The visitor's name or email changed (identify(), the pre-chat form, the API): queue one `bridge.rename` row per
 * chat app of the project for each of the visitor's open conversations, in the caller's transaction — the same
 * outbox as a message, so the rename reaches every thread exactly as a delivery does (the drain renames the thread,
 * or does nothing if the thread is not open yet: it will be opened with the new title). Rows go to every active
 * connection, not only those with a thread already, so a thread being opened right now is renamed after it.
 * Callers enqueue the returned rows after commit (the sweeper does it otherwise).
 */
export async function queueThreadRenames(tx: TTx, organizationId: string, visitorId: string): Promise<TOutboxRef[]> {
  const conversations = await tx.conversation.findMany({
    where: { organizationId, visitorId, status: 'open', overQuotaAt: null },
    select: { id: true, projectId: true, nextSeq: true },
  });
  const refs: TOutboxRef[] = [];
  for (const conv of conversations) {
    const connections = await tx.bridgeConnection.findMany({
      where: { organizationId, projectId: conv.projectId, status: { not: 'disabled' }, pausedAt: null },
      select: { id: true },
      orderBy: { createdAt: 'asc' },
    });
    for (const c of connections) {
      // After every message written so far (seq order), before the next one.
      const seq = Math.max(0, conv.nextSeq - 1);
      const row = await tx.outboxEvent.create({
        data: { organizationId, kind: THREAD_RENAME_KIND, connectionId: c.id, conversationId: conv.id, seq },
        select: { id: true },
      });
      refs.push({ id: row.id, organizationId, connectionId: c.id, conversationId: conv.id, seq });
    }
  }
  return refs;
}

/** Whether an identity change is one a thread title shows (name or email), comparing the stored and new values. */
export function changesThreadTitle(
  before: { name: string | null; email: string | null },
  after: { name: string | null; email: string | null },
): boolean {
  return (before.name ?? null) !== (after.name ?? null) || (before.email ?? null) !== (after.email ?? null);
}

/**
 * The conversation the visitor had before this one (the latest they started earlier), with its thread on this
 * connection if it had one: a new thread mentions it, and its own thread is told the visitor wrote again. Null
 * for a visitor's first conversation.
 */
export async function getPreviousConversationThread(
  db: TDb,
  organizationId: string,
  input: { conversationId: string; connectionId: string },
): Promise<{
  conversationId: string;
  closedAt: string | null;
  thread: { externalChatId: string; externalThreadId: string } | null;
} | null> {
  const current = await db.conversation.findUnique({
    where: { organizationId_id: { organizationId, id: input.conversationId } },
    select: { visitorId: true, createdAt: true },
  });
  if (!current) return null;
  const previous = await db.conversation.findFirst({
    where: {
      organizationId,
      visitorId: current.visitorId,
      id: { not: input.conversationId },
      createdAt: { lte: current.createdAt },
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    select: {
      id: true,
      closedAt: true,
      threads: {
        where: { organizationId, connectionId: input.connectionId },
        select: { externalChatId: true, externalThreadId: true },
      },
    },
  });
  if (!previous) return null;
  return {
    conversationId: previous.id,
    closedAt: previous.closedAt?.toISOString() ?? null,
    thread: previous.threads[0] ?? null,
  };
}
