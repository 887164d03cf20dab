import type { Attachment, SenderKind } from '@prisma/client';
import type { TMessage } from '@pocketping/protocol';
import { AppError } from '@pocketping/core';
import { isUniqueViolation, type TDb } from '../client.js';
import { toMessageDto } from '../dto.js';
import type { TSql } from './sql-pool.js';
import { newId } from './ids.js';
import { emitWebhookEvent, newWebhookEventId } from './webhooks.js';

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
  /**
   * Another webhook event this message stands for, written in the same transaction (e.g. `ai.handoff` for the
   * handoff note); `message.created` itself is emitted for every visitor, operator and AI message and note.
   */
  webhook?: { type: string; data: Record<string, unknown> };
}

export interface TOutboxRef {
  id: string;
  organizationId: string;
  connectionId: string;
  conversationId: string;
  seq: number;
}

export interface TAppendMessageResult {
  message: TMessage;
  /** true when the same clientId (or the same inbound platform message) was already stored: nothing new was written. */
  duplicate: boolean;
  /** One outbox row per connected bridge (except the one the message came from), to hand to the delivery queue. */
  outbox: TOutboxRef[];
}

class Duplicate extends Error {}

/**
 * Stores a message and its deliveries atomically (transactional outbox, docs/design.md §1):
 * take the next seq with UPDATE … RETURNING (the row lock serialises writers of a conversation), insert the
 * message, insert one outbox row per connection. A repeated clientId or inbound platform id is a duplicate:
 * the transaction rolls back (the seq is not consumed) and the stored message is returned.
 */
export async function appendMessage(
  db: TDb,
  organizationId: string,
  input: TAppendMessageInput,
): Promise<TAppendMessageResult> {
  try {
    return await db.$transaction(async (tx) => {
      // An operator (or AI) reply implies everything before it was read by the team: the read watermark moves to
      // the previous seq in the same statement (on the right-hand side "nextSeq" is the old value = this seq).
      const impliesRead = (input.sender === 'operator' || input.sender === 'ai') && input.visibility !== 'internal';
      const rows = await tx.$queryRaw<
        { seq: number; projectId: string; visitorId: string; status: string; overQuotaAt: Date | null }[]
      >`
        UPDATE "Conversation" SET "nextSeq" = "nextSeq" + 1, "lastMessageAt" = now(), "updatedAt" = now(),
          "operatorLastReadSeq" = CASE WHEN ${impliesRead} THEN GREATEST("operatorLastReadSeq", "nextSeq" - 1) ELSE "operatorLastReadSeq" END
        WHERE "organizationId" = ${organizationId} AND id = ${input.conversationId}
        RETURNING "nextSeq" - 1 AS seq, "projectId", "visitorId", status::text AS status, "overQuotaAt"`;
      const conv = rows[0];
      if (!conv) throw new AppError('not_found', 'Conversation not found');

      // Checked after taking the row lock: a concurrent send of the same clientId has committed by now.
      if (input.clientId) {
        const existing = await tx.message.findUnique({
          where: {
            organizationId_conversationId_clientId: {
              organizationId,
              conversationId: input.conversationId,
              clientId: input.clientId,
            },
          },
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
        if (linked.count !== attachmentIds.length)
          throw new AppError('forbidden', 'An attachment is unknown, already sent, or not yours');
        attachments = await tx.attachment.findMany({
          where: { organizationId, messageId: message.id },
          orderBy: { createdAt: 'asc' },
        });
      }
      if (input.inbound) {
        await tx.bridgeMessage.create({
          data: { organizationId, messageId: message.id, direction: 'inbound', ...input.inbound },
        });
      }
      if (input.sender === 'visitor' && conv.status === 'closed') {
        await tx.conversation.update({
          where: { organizationId_id: { organizationId, id: input.conversationId } },
          data: { status: 'open' },
        });
        await emitWebhookEvent(tx, organizationId, {
          projectId: conv.projectId,
          type: 'conversation.reopened',
          conversationId: input.conversationId,
          data: {
            conversation: {
              id: input.conversationId,
              projectId: conv.projectId,
              visitorId: conv.visitorId,
              status: 'open',
            },
            by: 'visitor',
          },
        });
      }
      // Outbound webhooks, same transaction (zero rows when no endpoint of the project wants the event).
      if (input.sender !== 'system') {
        await emitWebhookEvent(tx, organizationId, {
          projectId: conv.projectId,
          type: 'message.created',
          conversationId: input.conversationId,
          data: {
            conversationId: input.conversationId,
            projectId: conv.projectId,
            visitorId: conv.visitorId,
            message: webhookMessage(message, attachments),
          },
        });
      }
      if (input.webhook) {
        await emitWebhookEvent(tx, organizationId, {
          projectId: conv.projectId,
          type: input.webhook.type,
          conversationId: input.conversationId,
          data: {
            conversationId: input.conversationId,
            projectId: conv.projectId,
            visitorId: conv.visitorId,
            ...input.webhook.data,
          },
        });
      }

      const outbox: TOutboxRef[] = [];
      // A conversation started beyond the plan's monthly quota stays in the inbox; paused chat apps get nothing.
      if (input.deliver !== false && conv.overQuotaAt === null) {
        const connections = await tx.bridgeConnection.findMany({
          where: {
            organizationId,
            projectId: conv.projectId,
            status: { not: 'disabled' },
            pausedAt: null,
            ...(input.inbound ? { id: { not: input.inbound.connectionId } } : {}),
          },
          select: { id: true },
          orderBy: { createdAt: 'asc' },
        });
        for (const c of connections) {
          const row = await tx.outboxEvent.create({
            data: {
              organizationId,
              kind: 'bridge.deliver',
              connectionId: c.id,
              conversationId: input.conversationId,
              messageId: message.id,
              seq: message.seq,
            },
          });
          outbox.push({
            id: row.id,
            organizationId,
            connectionId: c.id,
            conversationId: input.conversationId,
            seq: message.seq,
          });
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

/** A message as `message.created` webhooks carry it (docs/webhooks.md). */
export function webhookMessage(
  m: {
    id: string;
    seq: number;
    sender: SenderKind;
    visibility: 'public' | 'internal';
    authorName: string | null;
    body: string;
    source: string;
    createdAt: Date;
  },
  attachments: readonly Pick<Attachment, 'id' | 'name' | 'contentType' | 'size'>[],
): Record<string, unknown> {
  return {
    id: m.id,
    seq: m.seq,
    kind: m.visibility === 'internal' ? 'note' : m.sender,
    sender: m.sender,
    visibility: m.visibility,
    authorName: m.authorName,
    body: m.body,
    source: m.source,
    createdAt: m.createdAt.toISOString(),
    attachments: attachments.map((a) => ({ id: a.id, name: a.name, contentType: a.contentType, size: a.size })),
  };
}

async function findDuplicate(db: TDb, organizationId: string, input: TAppendMessageInput): Promise<TMessage | null> {
  if (input.clientId) {
    const m = await db.message.findUnique({
      where: {
        organizationId_conversationId_clientId: {
          organizationId,
          conversationId: input.conversationId,
          clientId: input.clientId,
        },
      },
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
  const conv = await db.conversation.findUnique({
    where: { organizationId_id: { organizationId, id: conversationId } },
    select: { nextSeq: true },
  });
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

/**
 * The visitor's earlier conversations for the widget, shown read-only above the current one: the public messages of
 * at most `conversations` conversations started before `beforeConversationId` (the one the widget shows), the newest
 * `limit` messages of them all, oldest first. Scoped to the visitor: callers pass the visitor their transport
 * authenticated, never an id from a payload.
 */
export async function listPreviousVisitorMessages(
  db: TDb,
  organizationId: string,
  input: { visitorId: string; beforeConversationId: string; conversations: number; limit: number },
): Promise<TMessage[]> {
  const current = await db.conversation.findFirst({
    where: { organizationId, id: input.beforeConversationId, visitorId: input.visitorId },
    select: { createdAt: true },
  });
  if (!current) return [];
  const earlier = await db.conversation.findMany({
    where: {
      organizationId,
      visitorId: input.visitorId,
      id: { not: input.beforeConversationId },
      createdAt: { lte: current.createdAt },
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: input.conversations,
    select: { id: true },
  });
  if (earlier.length === 0) return [];
  const order = new Map(earlier.map((c, i) => [c.id, earlier.length - i]));
  const rows = await db.message.findMany({
    where: { organizationId, conversationId: { in: [...order.keys()] }, visibility: 'public' },
    orderBy: [{ createdAt: 'desc' }, { seq: 'desc' }],
    take: input.limit,
    include: { attachments: { orderBy: { createdAt: 'asc' } } },
  });
  // Oldest conversation first, each in seq order.
  return rows
    .sort((a, b) => (order.get(a.conversationId) ?? 0) - (order.get(b.conversationId) ?? 0) || a.seq - b.seq)
    .map(toMessageDto);
}

// ───────────── The widget's send path over plain node-postgres (realtime's hot path) ─────────────

export interface TAppendWidgetMessageInput {
  /** The visitor's open conversation (realtime caches it per socket). */
  conversationId: string;
  /** The conversation must belong to this visitor and still be open, else nothing is written (`conversationGone`). */
  visitorId: string;
  /** 'visitor' for what the visitor writes; 'system' for operator-only notes (custom events, forms). */
  sender: 'visitor' | 'system';
  visibility: 'public' | 'internal';
  body: string;
  source: string;
  clientId?: string | null;
  /** Visitor uploads of this conversation, not linked yet; all or nothing (AppError forbidden). */
  attachmentIds?: readonly string[];
  /**
   * The webhook event an operator-only note stands for (`event.custom` for a `PocketPing.trigger`); a visitor message
   * is always `message.created`. Written by the same statement, for the endpoints subscribed to it.
   */
  webhook?: { type: string; data: Record<string, unknown> };
}

export type TAppendWidgetMessageResult = TAppendMessageResult | { conversationGone: true };

/*
 * ONE statement does it all, atomically (a statement is its own transaction): the clientId check, the seq (UPDATE …
 * RETURNING takes the conversation's row lock, which serialises writers), the message, the links to its uploads and
 * one outbox row per connected bridge. A clientId already stored skips the UPDATE, so a duplicate consumes no seq.
 * Two sends of one clientId racing: the second waits on the row lock; its snapshot predates the first's commit, so
 * its INSERT hits the unique key (23505), the whole statement rolls back, and the stored message is returned.
 */
export const APPEND_WIDGET_SQL = `
WITH dup AS (
  SELECT id FROM "Message" WHERE "organizationId" = $1 AND "conversationId" = $2 AND $4::text IS NOT NULL AND "clientId" = $4::text
),
conv AS (
  UPDATE "Conversation" SET "nextSeq" = "nextSeq" + 1, "lastMessageAt" = now() AT TIME ZONE 'UTC', "updatedAt" = now() AT TIME ZONE 'UTC'
  WHERE "organizationId" = $1 AND id = $2 AND "visitorId" = $3 AND status = 'open' AND NOT EXISTS (SELECT 1 FROM dup)
  RETURNING "nextSeq" - 1 AS seq, "projectId", "overQuotaAt"
),
msg AS (
  INSERT INTO "Message" (id, "organizationId", "conversationId", seq, "clientId", sender, visibility, body, source, "createdAt")
  SELECT $5, $1, $2, conv.seq, $4::text, $6::"SenderKind", $7::"Visibility", $8, $9, now() AT TIME ZONE 'UTC' FROM conv
  RETURNING id, seq, "createdAt"
),
att AS (
  UPDATE "Attachment" SET "messageId" = msg.id FROM msg
  WHERE "Attachment"."organizationId" = $1 AND "Attachment"."conversationId" = $2 AND "Attachment".id = ANY($10::text[])
    AND "Attachment"."messageId" IS NULL AND "Attachment"."uploadedBy" = 'visitor'
    -- A one-time filter: a send without attachments (nearly all) never touches the table. Without it the generic plan
    -- of this prepared statement scanned the tenant's attachments on every send.
    AND cardinality($10::text[]) > 0
  RETURNING "Attachment".id, "Attachment".name, "Attachment"."contentType", "Attachment".size, "Attachment"."createdAt"
),
ob AS (
  INSERT INTO "OutboxEvent" (id, "organizationId", kind, "connectionId", "conversationId", "messageId", seq, "createdAt")
  SELECT 'c' || substr(md5(gen_random_uuid()::text), 1, 24), $1, 'bridge.deliver', c.id, $2, msg.id, msg.seq, now() AT TIME ZONE 'UTC'
  FROM msg JOIN conv ON true
  JOIN "BridgeConnection" c ON c."organizationId" = $1 AND c."projectId" = conv."projectId" AND c.status <> 'disabled'
    AND c."pausedAt" IS NULL
  -- A conversation started beyond the plan's monthly quota stays in the inbox (billing limits).
  WHERE conv."overQuotaAt" IS NULL
  RETURNING id, "connectionId"
),
-- Outbound webhooks ($11 = event type or NULL, $12 = its data, $13 = webhook-id): one row per subscribed endpoint; a
-- project without webhooks costs one index probe of "WebhookEndpoint" and writes nothing.
wh AS (
  INSERT INTO "WebhookDelivery" (id, "organizationId", "projectId", "endpointId", "eventId", "eventType", "groupKey", payload, "createdAt", "nextAttemptAt")
  SELECT 'c' || substr(md5(gen_random_uuid()::text), 1, 24), $1, conv."projectId", e.id, $13::text, $11::text, $2,
    jsonb_build_object('type', $11::text, 'timestamp', to_char(msg."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'data', $12::jsonb || jsonb_build_object('projectId', conv."projectId") || CASE WHEN $12::jsonb ? 'message' THEN
        jsonb_build_object('message', ($12::jsonb -> 'message') || jsonb_build_object('seq', msg.seq,
          'createdAt', to_char(msg."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
          'attachments', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', att.id, 'name', att.name,
            'contentType', att."contentType", 'size', att.size) ORDER BY att."createdAt", att.id), '[]'::jsonb) FROM att)))
        ELSE jsonb_build_object('messageId', msg.id) END),
    now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
  FROM msg JOIN conv ON true
  JOIN "WebhookEndpoint" e ON e."organizationId" = $1 AND e."projectId" = conv."projectId" AND e.status = 'enabled'
    AND $11::text = ANY(e.events)
  WHERE $11::text IS NOT NULL
  RETURNING id
)
SELECT (SELECT id FROM dup LIMIT 1) AS "dupId",
       msg.id, msg.seq, msg."createdAt" AT TIME ZONE 'UTC' AS "createdAt",
       (SELECT coalesce(json_agg(json_build_object('id', ob.id, 'connectionId', ob."connectionId")), '[]'::json) FROM ob) AS outbox,
       (SELECT coalesce(json_agg(json_build_object('id', att.id, 'name', att.name, 'contentType', att."contentType", 'size', att.size)
                                 ORDER BY att."createdAt", att.id), '[]'::json) FROM att) AS attachments
FROM (SELECT 1) AS one LEFT JOIN msg ON true`;

interface TAppendWidgetRow {
  dupId: string | null;
  id: string | null;
  seq: number | null;
  createdAt: Date | null;
  outbox: { id: string; connectionId: string }[];
  attachments: { id: string; name: string; contentType: string; size: number }[];
}

/** $11–$13 of the widget's statement: the webhook event type (or null), its data without what SQL adds, an id. */
function widgetWebhookParams(input: TAppendWidgetMessageInput, messageId: string): [string | null, string, string] {
  const base = { conversationId: input.conversationId, visitorId: input.visitorId };
  if (input.sender === 'visitor')
    return [
      'message.created',
      JSON.stringify({
        ...base,
        message: {
          id: messageId,
          kind: 'visitor',
          sender: 'visitor',
          visibility: input.visibility,
          authorName: null,
          body: input.body,
          source: input.source,
        },
      }),
      newWebhookEventId(),
    ];
  if (input.webhook)
    return [input.webhook.type, JSON.stringify({ ...base, ...input.webhook.data }), newWebhookEventId()];
  return [null, '{}', ''];
}

/**
 * The widget's append (visitor messages and operator-only notes) in one round trip over plain SQL; the same
 * transactional-outbox and idempotency rules as `appendMessage`. With attachments the statement runs inside an
 * explicit transaction so a foreign, reused or unknown upload refuses the whole message (nothing is stored, no seq
 * taken). `{ conversationGone: true }` when the conversation is no longer this visitor's open one (closed meanwhile):
 * the caller resolves the open conversation again and retries.
 */
export async function appendWidgetMessage(
  sql: TSql,
  organizationId: string,
  input: TAppendWidgetMessageInput,
): Promise<TAppendWidgetMessageResult> {
  const attachmentIds = [...new Set(input.attachmentIds ?? [])];
  const messageId = newId();
  const values = [
    organizationId,
    input.conversationId,
    input.visitorId,
    input.clientId ?? null,
    messageId,
    input.sender,
    input.visibility,
    input.body,
    input.source,
    attachmentIds,
    ...widgetWebhookParams(input, messageId),
  ];
  let row: TAppendWidgetRow | undefined;
  try {
    if (attachmentIds.length === 0) {
      row = (await sql.query<TAppendWidgetRow>({ name: 'pp_append_widget', text: APPEND_WIDGET_SQL, values })).rows[0];
    } else {
      const client = await sql.connect();
      try {
        await client.query('BEGIN');
        row = (await client.query<TAppendWidgetRow>({ name: 'pp_append_widget', text: APPEND_WIDGET_SQL, values }))
          .rows[0];
        if (row?.id && row.attachments.length !== attachmentIds.length) {
          await client.query('ROLLBACK');
          throw new AppError('forbidden', 'An attachment is unknown, already sent, or not yours');
        }
        await client.query('COMMIT');
      } catch (err) {
        if (!(err instanceof AppError)) await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    }
  } catch (err) {
    if (isPgUniqueViolation(err) && input.clientId) {
      const existing = await findByClientIdSql(sql, organizationId, input.conversationId, input.clientId);
      if (existing) return { message: existing, duplicate: true, outbox: [] };
    }
    throw err;
  }
  if (!row) throw new Error('append statement returned no row');
  if (row.dupId && input.clientId) {
    const existing = await findByClientIdSql(sql, organizationId, input.conversationId, input.clientId);
    if (existing) return { message: existing, duplicate: true, outbox: [] };
  }
  if (row.id === null || row.seq === null || row.createdAt === null) return { conversationGone: true };
  const seq = Number(row.seq);
  return {
    message: {
      id: row.id,
      conversationId: input.conversationId,
      seq,
      clientId: input.clientId ?? null,
      sender: input.sender,
      authorName: null,
      body: input.body,
      source: input.source,
      createdAt: row.createdAt.toISOString(),
      editedAt: null,
      deletedAt: null,
      attachments: row.attachments.map((a) => ({
        id: a.id,
        name: a.name,
        contentType: a.contentType,
        size: a.size,
        url: null,
      })),
    },
    duplicate: false,
    outbox: row.outbox.map((o) => ({
      id: o.id,
      organizationId,
      connectionId: o.connectionId,
      conversationId: input.conversationId,
      seq,
    })),
  };
}

function isPgUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

/** The stored message of a clientId, with its attachments (a duplicate send answers exactly what was stored). */
async function findByClientIdSql(
  sql: TSql,
  organizationId: string,
  conversationId: string,
  clientId: string,
): Promise<TMessage | null> {
  const { rows } = await sql.query<{
    id: string;
    seq: number;
    clientId: string | null;
    sender: SenderKind;
    authorName: string | null;
    body: string;
    source: string;
    createdAt: Date;
    editedAt: Date | null;
    deletedAt: Date | null;
    attachments: { id: string; name: string; contentType: string; size: number }[];
  }>({
    name: 'pp_message_by_client_id',
    text: `SELECT m.id, m.seq, m."clientId", m.sender::text AS sender, m."authorName", m.body, m.source,
             m."createdAt" AT TIME ZONE 'UTC' AS "createdAt", m."editedAt" AT TIME ZONE 'UTC' AS "editedAt", m."deletedAt" AT TIME ZONE 'UTC' AS "deletedAt",
             (SELECT coalesce(json_agg(json_build_object('id', a.id, 'name', a.name, 'contentType', a."contentType", 'size', a.size)
                                       ORDER BY a."createdAt", a.id), '[]'::json)
                FROM "Attachment" a WHERE a."organizationId" = m."organizationId" AND a."messageId" = m.id) AS attachments
      FROM "Message" m WHERE m."organizationId" = $1 AND m."conversationId" = $2 AND m."clientId" = $3`,
    values: [organizationId, conversationId, clientId],
  });
  const m = rows[0];
  if (!m) return null;
  return {
    id: m.id,
    conversationId,
    seq: m.seq,
    clientId: m.clientId,
    sender: m.sender,
    authorName: m.authorName,
    body: m.deletedAt ? '' : m.body,
    source: m.source,
    createdAt: m.createdAt.toISOString(),
    editedAt: m.editedAt?.toISOString() ?? null,
    deletedAt: m.deletedAt?.toISOString() ?? null,
    attachments: m.deletedAt ? [] : m.attachments.map((a) => ({ ...a, url: null })),
  };
}
