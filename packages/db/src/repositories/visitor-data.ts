import type { TDb } from '../client.js';
import { deleteConversationSideRows } from './retention.js';

/** Whose visitor: the organization, and the one project a restricted caller may see (null: any of the org's). */
export interface TVisitorScope {
  organizationId: string;
  projectId: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export interface TVisitorExportFile {
  id: string;
  conversationId: string;
  messageId: string | null;
  uploadedBy: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: string;
  /** Where the bytes are (packages/storage): for the caller that reads them; never shown as such. */
  storageKey: string;
}

/** Everything stored about one visitor, as plain JSON (the right of access). */
export interface TVisitorExport {
  visitor: {
    id: string;
    projectId: string;
    externalId: string | null;
    identityVerified: boolean;
    verifiedFields: string[];
    email: string | null;
    name: string | null;
    metadata: Record<string, unknown>;
    createdAt: string;
    lastSeenAt: string;
    /** The time zone the visitor's browser reported. */
    timeZone: string | null;
  };
  /** The pages the visitor's widget saw (the newest 20 kept), oldest first. */
  pagesVisited: { url: string; seenAt: string }[];
  conversations: {
    id: string;
    status: string;
    aiState: string;
    createdAt: string;
    closedAt: string | null;
    lastMessageAt: string | null;
    preChat: unknown;
    csat: { score: number; comment: string | null; at: string | null } | null;
    overQuota: boolean;
    messages: {
      id: string;
      seq: number;
      sender: string;
      visibility: string;
      authorName: string | null;
      body: string;
      source: string;
      createdAt: string;
      editedAt: string | null;
      deletedAt: string | null;
    }[];
    files: TVisitorExportFile[];
    /** Where the conversation was copied: the chat app and the platform's thread and message ids. */
    chatAppCopies: {
      connectionId: string;
      kind: string;
      externalChatId: string;
      externalThreadId: string;
      messages: { messageId: string; direction: string; externalMessageId: string }[];
    }[];
  }[];
}

/** The visitor's data, or null when the visitor is not in scope (another tenant's id reads as unknown). */
export async function exportVisitorData(
  db: TDb,
  scope: TVisitorScope,
  visitorId: string,
): Promise<TVisitorExport | null> {
  const { organizationId } = scope;
  const v = await db.visitor.findFirst({
    where: { organizationId, id: visitorId, ...(scope.projectId ? { projectId: scope.projectId } : {}) },
  });
  if (!v) return null;
  const conversations = await db.conversation.findMany({
    where: { organizationId, visitorId },
    orderBy: { createdAt: 'asc' },
    include: {
      messages: { orderBy: { seq: 'asc' }, include: { bridgeMessages: true } },
      attachments: { orderBy: { createdAt: 'asc' } },
      threads: { include: { connection: { select: { kind: true } } } },
    },
  });
  const pages = await db.visitorPageView.findMany({
    where: { organizationId, visitorId },
    orderBy: { seenAt: 'asc' },
    select: { url: true, seenAt: true },
  });
  return {
    visitor: {
      id: v.id,
      projectId: v.projectId,
      externalId: v.externalId,
      identityVerified: v.identityVerified,
      verifiedFields: v.verifiedFields,
      email: v.email,
      name: v.name,
      metadata: (v.metadata ?? {}) as Record<string, unknown>,
      createdAt: v.createdAt.toISOString(),
      lastSeenAt: v.lastSeenAt.toISOString(),
      timeZone: v.timeZone,
    },
    pagesVisited: pages.map((p) => ({ url: p.url, seenAt: p.seenAt.toISOString() })),
    conversations: conversations.map((c) => ({
      id: c.id,
      status: c.status,
      aiState: c.aiState,
      createdAt: c.createdAt.toISOString(),
      closedAt: iso(c.closedAt),
      lastMessageAt: iso(c.lastMessageAt),
      preChat: c.preChat ?? null,
      csat: c.csatScore === null ? null : { score: c.csatScore, comment: c.csatComment, at: iso(c.csatAt) },
      overQuota: c.overQuotaAt !== null,
      messages: c.messages.map((m) => ({
        id: m.id,
        seq: m.seq,
        sender: m.sender,
        visibility: m.visibility,
        authorName: m.authorName,
        body: m.body,
        source: m.source,
        createdAt: m.createdAt.toISOString(),
        editedAt: iso(m.editedAt),
        deletedAt: iso(m.deletedAt),
      })),
      files: c.attachments.map((a) => ({
        id: a.id,
        conversationId: a.conversationId,
        messageId: a.messageId,
        uploadedBy: a.uploadedBy,
        name: a.name,
        contentType: a.contentType,
        size: a.size,
        sha256: a.sha256,
        createdAt: a.createdAt.toISOString(),
        storageKey: a.storageKey,
      })),
      chatAppCopies: c.threads.map((t) => ({
        connectionId: t.connectionId,
        kind: t.connection.kind,
        externalChatId: t.externalChatId,
        externalThreadId: t.externalThreadId,
        messages: c.messages.flatMap((m) =>
          m.bridgeMessages
            .filter((b) => b.connectionId === t.connectionId)
            .map((b) => ({ messageId: m.id, direction: b.direction, externalMessageId: b.externalMessageId })),
        ),
      })),
    })),
  };
}

export interface TVisitorErasure {
  projectId: string;
  conversations: number;
  messages: number;
  /** Storage keys of the deleted files: their bytes are the caller's to delete, after the commit. */
  storageKeys: string[];
  /** Chat-app posts queued for deletion on their platform (PlatformDeletion rows). */
  platformDeletions: number;
  /** The deleted conversations (what the caller clears outside Postgres). */
  conversationIds: string[];
}

/**
 * Erases a visitor (the right to erasure), in one transaction: the visitor row and by cascade their conversations with
 * every message, file row, chat-app thread and message mapping; the rows no foreign key reaches (webhook deliveries
 * about them, outbox rows without a message, the AI meter's link); and queues a `PlatformDeletion` for every post
 * the bot made in a chat app for them (and Slack's thread card, a post of its own), which the worker's privacy queue
 * deletes on the platform. Null when the visitor is not in scope.
 */
export async function eraseVisitorData(
  db: TDb,
  scope: TVisitorScope,
  visitorId: string,
): Promise<TVisitorErasure | null> {
  const { organizationId } = scope;
  return db.$transaction(async (tx) => {
    const v = await tx.visitor.findFirst({
      where: { organizationId, id: visitorId, ...(scope.projectId ? { projectId: scope.projectId } : {}) },
      select: { id: true, projectId: true },
    });
    if (!v) return null;
    const ids = (await tx.conversation.findMany({ where: { organizationId, visitorId }, select: { id: true } })).map(
      (c) => c.id,
    );
    const attachments = await tx.attachment.findMany({
      where: { organizationId, conversationId: { in: ids } },
      select: { storageKey: true },
    });
    const messages = await tx.message.count({ where: { organizationId, conversationId: { in: ids } } });
    const threads = await tx.bridgeThread.findMany({
      where: { organizationId, conversationId: { in: ids } },
      include: { connection: { select: { kind: true } } },
    });
    const posts = await tx.bridgeMessage.findMany({
      where: { organizationId, direction: 'outbound', message: { conversationId: { in: ids } } },
      include: { message: { select: { conversationId: true } } },
    });
    const threadOf = (conversationId: string, connectionId: string) =>
      threads.find((t) => t.conversationId === conversationId && t.connectionId === connectionId);
    const deletions = [
      ...posts.flatMap((p) => {
        const t = threadOf(p.message.conversationId, p.connectionId);
        return t
          ? [
              {
                organizationId,
                connectionId: p.connectionId,
                externalChatId: p.externalChatId,
                externalThreadId: t.externalThreadId,
                externalMessageId: p.externalMessageId,
              },
            ]
          : [];
      }),
      // A Slack thread is a post of ours (the visitor card, with their name and email): it goes too.
      ...threads
        .filter((t) => t.connection.kind === 'slack')
        .map((t) => ({
          organizationId,
          connectionId: t.connectionId,
          externalChatId: t.externalChatId,
          externalThreadId: t.externalThreadId,
          externalMessageId: t.externalThreadId,
        })),
    ];
    const queued =
      deletions.length > 0
        ? (await tx.platformDeletion.createMany({ data: deletions, skipDuplicates: true })).count
        : 0;
    await deleteConversationSideRows(tx, organizationId, ids);
    await tx.visitor.delete({ where: { organizationId_id: { organizationId, id: visitorId } } });
    return {
      projectId: v.projectId,
      conversations: ids.length,
      messages,
      storageKeys: attachments.map((a) => a.storageKey),
      platformDeletions: queued,
      conversationIds: ids,
    };
  });
}
