import type { Attachment, SenderKind } from '@prisma/client';
import type { TMessage } from '@pocketping/protocol';
import { AppError } from '@pocketping/core';
import { isUniqueViolation, type TDb } from '../client.js';
import { toMessageDto } from '../dto.js';

export interface TAppendMessageInput {
  conversationId: string;
  sender: SenderKind;
  body: string;
  source: string;
  clientId?: string | null;
  authorName?: string | null;
  /** The platform message this one came from: recorded in the same transaction, unique per connection. */
  inbound?: { connectionId: string; externalChatId: string; externalMessageId: string };
  /** Internal notes are stored but not delivered to the visitor nor mirrored. */
  deliver?: boolean;
  /** 'internal' (operator notes): never shown to the visitor, still mirrored to the other bridges as a note. */
  visibility?: 'public' | 'internal';
  /**
   * Uploaded attachments to link to this message, in the same transaction: each must belong to this conversation,
   * be uploaded by the same side (`visitor` for visitor messages, else `operator`) and not be linked yet;
   * otherwise nothing is stored (AppError forbidden).
   */
  attachmentIds?: readonly string[];
}

export interface TOutboxRef { id: string; organizationId: string; connectionId: string; conversationId: string; seq: number }

export interface TAppendMessageResult {
  message: TMessage;
  /** true when the same clientId (or the same inbound platform message) was already stored: nothing new was written. */
  duplicate: boolean;
  /** One outbox row per connected bridge (except the one the message came from), to hand to the delivery queue. */
  outbox: TOutboxRef[];
}

class Duplicate extends Error {}

/**
 * Stores a message and its deliveries atomically (transactional outbox, ../shared/design-notes.md §1):
 * take the next seq with UPDATE … RETURNING (the row lock serialises writers of a conversation), insert the
 * message, insert one outbox row per connection. A repeated clientId or inbound platform id is a duplicate:
 * the transaction rolls back (the seq is not consumed) and the stored message is returned.
 */
export async function appendMessage(db: TDb, organizationId: string, input: TAppendMessageInput): Promise<TAppendMessageResult> {
  try {
    return await db.$transaction(async (tx) => {
      // An operator (or AI) reply implies everything before it was read by the team: the read watermark moves to
      // the previous seq in the same statement (on the right-hand side "nextSeq" is the old value = this seq).
      const impliesRead = (input.sender === 'operator' || input.sender === 'ai') && input.visibility !== 'internal';
      const rows = await tx.$queryRaw<{ seq: number; projectId: string; status: string }[]>`
        UPDATE "Conversation" SET "nextSeq" = "nextSeq" + 1, "lastMessageAt" = now(), "updatedAt" = now(),
          "operatorLastReadSeq" = CASE WHEN ${impliesRead} THEN GREATEST("operatorLastReadSeq", "nextSeq" - 1) ELSE "operatorLastReadSeq" END
        WHERE "organizationId" = ${organizationId} AND id = ${input.conversationId}
        RETURNING "nextSeq" - 1 AS seq, "projectId", status::text AS status`;
      const conv = rows[0];
      if (!conv) throw new AppError('not_found', 'Conversation not found');

      // Checked after taking the row lock: a concurrent send of the same clientId has committed by now.
      if (input.clientId) {
        const existing = await tx.message.findUnique({
          where: { organizationId_conversationId_clientId: { organizationId, conversationId: input.conversationId, clientId: input.clientId } },
        });
        if (existing) throw new Duplicate();
      }
      if (input.inbound) {
        const existing = await tx.bridgeMessage.findUnique({
          where: {
            organizationId_connectionId_externalChatId_externalMessageId: { organizationId, ...input.inbound },
          },
        });
        if (existing) throw new Duplicate();
      }

      const message = await tx.message.create({
        data: {
          organizationId,
          conversationId: input.conversationId,
          seq: Number(conv.seq),
          clientId: input.clientId ?? null,
          sender: input.sender,
          authorName: input.authorName ?? null,
          body: input.body,
          source: input.source,
          visibility: input.visibility ?? 'public',
        },
      });
      let attachments: Attachment[] = [];
      const attachmentIds = [...new Set(input.attachmentIds ?? [])];
      if (attachmentIds.length > 0) {
        const linked = await tx.attachment.updateMany({
          where: {
            organizationId,
            conversationId: input.conversationId,
            id: { in: attachmentIds },
            messageId: null,
            uploadedBy: input.sender === 'visitor' ? 'visitor' : 'operator',
          },
          data: { messageId: message.id },
        });
        // All or nothing: one foreign, reused or unknown id refuses the whole message (and rolls back the seq).
        if (linked.count !== attachmentIds.length) throw new AppError('forbidden', 'An attachment is unknown, already sent, or not yours');
        attachments = await tx.attachment.findMany({ where: { organizationId, messageId: message.id }, orderBy: { createdAt: 'asc' } });
      }
      if (input.inbound) {
        await tx.bridgeMessage.create({
          data: { organizationId, messageId: message.id, direction: 'inbound', ...input.inbound },
        });
      }
      if (input.sender === 'visitor' && conv.status === 'closed') {
        await tx.conversation.update({ where: { organizationId_id: { organizationId, id: input.conversationId } }, data: { status: 'open' } });
      }

      const outbox: TOutboxRef[] = [];
      if (input.deliver !== false) {
        const connections = await tx.bridgeConnection.findMany({
          where: {
            organizationId,
            projectId: conv.projectId,
            status: { not: 'disabled' },
            ...(input.inbound ? { id: { not: input.inbound.connectionId } } : {}),
          },
          select: { id: true },
          orderBy: { createdAt: 'asc' },
        });
        for (const c of connections) {
          const row = await tx.outboxEvent.create({
            data: { organizationId, kind: 'bridge.deliver', connectionId: c.id, conversationId: input.conversationId, messageId: message.id, seq: message.seq },
          });
          outbox.push({ id: row.id, organizationId, connectionId: c.id, conversationId: input.conversationId, seq: message.seq });
        }
      }
      return { message: toMessageDto({ ...message, attachments }), duplicate: false, outbox };
    });
  } catch (err) {
    if (err instanceof Duplicate || isUniqueViolation(err)) {
      const existing = await findDuplicate(db, organizationId, input);
      if (existing) return { message: existing, duplicate: true, outbox: [] };
    }
    throw err;
  }
}

async function findDuplicate(db: TDb, organizationId: string, input: TAppendMessageInput): Promise<TMessage | null> {
  if (input.clientId) {
    const m = await db.message.findUnique({
      where: { organizationId_conversationId_clientId: { organizationId, conversationId: input.conversationId, clientId: input.clientId } },
      include: { attachments: { orderBy: { createdAt: 'asc' } } },
    });
    if (m) return toMessageDto(m);
  }
  if (input.inbound) {
    const bm = await db.bridgeMessage.findUnique({
      where: { organizationId_connectionId_externalChatId_externalMessageId: { organizationId, ...input.inbound } },
      include: { message: true },
    });
    if (bm) return toMessageDto(bm.message);
  }
  return null;
}

/** Messages of one conversation with seq > afterSeq, in order. */
export async function listMessagesAfter(
  db: TDb,
  organizationId: string,
  conversationId: string,
  afterSeq: number,
  limit: number,
): Promise<{ messages: TMessage[]; hasMore: boolean }> {
  const rows = await db.message.findMany({
    // Internal notes never reach the visitor; their seq is simply a gap, which the widget's resume tolerates.
    where: { organizationId, conversationId, seq: { gt: afterSeq }, visibility: 'public' },
    orderBy: { seq: 'asc' },
    take: limit + 1,
  });
  return { messages: rows.slice(0, limit).map(toMessageDto), hasMore: rows.length > limit };
}

export async function getMessage(db: TDb, organizationId: string, messageId: string): Promise<TMessage | null> {
  const m = await db.message.findUnique({ where: { organizationId_id: { organizationId, id: messageId } } });
  return m ? toMessageDto(m) : null;
}

/**
 * What the widget may see of one conversation after `afterSeq`: public messages only (internal notes and custom
 * events never leave the operators' side), with their attachments (unsigned). Internal messages still take a
 * seq, so a page can skip seqs; `throughSeq` says up to where the page accounts for everything, letting the
 * widget advance its resume point past trailing internal messages.
 */
export async function listVisibleMessagesAfter(
  db: TDb,
  organizationId: string,
  conversationId: string,
  afterSeq: number,
  limit: number,
): Promise<{ messages: TMessage[]; hasMore: boolean; throughSeq: number }> {
  // Read the watermark first: every seq below a committed nextSeq is committed (seq and message share a
  // transaction), so the page read next cannot miss one of them.
  const conv = await db.conversation.findUnique({ where: { organizationId_id: { organizationId, id: conversationId } }, select: { nextSeq: true } });
  if (!conv) return { messages: [], hasMore: false, throughSeq: afterSeq };
  const rows = await db.message.findMany({
    where: { organizationId, conversationId, seq: { gt: afterSeq }, visibility: 'public' },
    orderBy: { seq: 'asc' },
    take: limit + 1,
    include: { attachments: { orderBy: { createdAt: 'asc' } } },
  });
  const page = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  const lastReturned = page[page.length - 1]?.seq ?? afterSeq;
  const throughSeq = hasMore ? lastReturned : Math.max(lastReturned, conv.nextSeq - 1, afterSeq);
  return { messages: page.map(toMessageDto), hasMore, throughSeq };
}
