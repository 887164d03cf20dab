// The bridge delivery drain: a (connection, conversation) pair's context and pending outbox rows, and recording a
// delivery. The hot path uses a few hand-written statements over node-postgres: one read for the pair's context and
// its pending rows with their messages, one atomic statement to record a delivery — fewer round trips per message.
import type { BridgeKind, ConnectionStatus, SenderKind } from '@prisma/client';
import type { TDb } from '../client.js';
import { toConnection, type TConnection } from './connections.js';
import { newId } from './ids.js';
import type { TOutboxRef } from './messages.js';
import type { TSql } from './sql-pool.js';

/** Outbox kinds the delivery drain understands; all of a pair's rows are processed in (seq, createdAt) order. */
export type TOutboxKind = 'bridge.deliver' | 'bridge.edit' | 'bridge.delete' | 'bridge.rename';

export interface TPairContext {
  connection: TConnection & { consecutiveFailures: number; lastSuccessAt: Date | null; brokenAlertedAt: Date | null };
  thread: { externalChatId: string; externalThreadId: string } | null;
  /** The thread exists but its visitor card was not posted yet: the card is its next post. */
  cardPending: boolean;
}

/** The connection and the pair's thread in one query (the first thing every drain needs). */
export async function getPairContext(
  sql: TSql,
  organizationId: string,
  input: { connectionId: string; conversationId: string },
): Promise<TPairContext | null> {
  const { rows } = await sql.query<{
    id: string;
    organizationId: string;
    projectId: string;
    kind: BridgeKind;
    credentials: string;
    webhookSecretHash: string | null;
    targetId: string;
    targetScope: string | null;
    status: ConnectionStatus;
    statusReason: string | null;
    consecutiveFailures: number;
    lastSuccessAt: Date | null;
    brokenAlertedAt: Date | null;
    externalChatId: string | null;
    externalThreadId: string | null;
    cardPending: boolean | null;
  }>({
    name: 'pp_pair_context',
    text: `SELECT c.id, c."organizationId", c."projectId", c.kind::text AS kind, c.credentials, c."webhookSecretHash", c."targetId", c."targetScope",
             c.status::text AS status, c."statusReason", c."consecutiveFailures", c."lastSuccessAt", c."brokenAlertedAt",
             t."externalChatId", t."externalThreadId", t."cardPending"
      FROM "BridgeConnection" c
      LEFT JOIN "BridgeThread" t ON t."organizationId" = c."organizationId" AND t."connectionId" = c.id AND t."conversationId" = $3
      WHERE c."organizationId" = $1 AND c.id = $2`,
    values: [organizationId, input.connectionId, input.conversationId],
  });
  const r = rows[0];
  if (!r) return null;
  return {
    connection: {
      ...toConnection(r),
      consecutiveFailures: r.consecutiveFailures,
      lastSuccessAt: r.lastSuccessAt,
      brokenAlertedAt: r.brokenAlertedAt,
    },
    thread:
      r.externalChatId !== null && r.externalThreadId !== null
        ? { externalChatId: r.externalChatId, externalThreadId: r.externalThreadId }
        : null,
    cardPending: r.cardPending === true,
  };
}

/** A pending outbox row with what the bridge needs of its message (null fields when the message is gone). */
export interface TPendingOutboxRow {
  id: string;
  kind: string;
  seq: number;
  attempts: number;
  messageId: string | null;
  sender: SenderKind | null;
  authorName: string | null;
  body: string | null;
  source: string | null;
  visibility: 'public' | 'internal' | null;
  deleted: boolean;
  attachmentCount: number;
}

/** Pending rows of one (connection, conversation) pair with their messages, oldest seq first — one query. */
export async function listPendingOutbox(
  sql: TSql,
  organizationId: string,
  input: { connectionId: string; conversationId: string; limit: number },
): Promise<TPendingOutboxRow[]> {
  const { rows } = await sql.query<
    Omit<TPendingOutboxRow, 'attachmentCount' | 'deleted'> & {
      attachmentCount: string | number;
      deletedAt: Date | null;
    }
  >({
    name: 'pp_pending_outbox',
    text: `SELECT o.id, o.kind, o.seq, o.attempts, o."messageId", m.sender::text AS sender, m."authorName", m.body, m.source,
             m.visibility::text AS visibility, m."deletedAt",
             (SELECT count(*) FROM "Attachment" a WHERE a."organizationId" = o."organizationId" AND a."messageId" = o."messageId") AS "attachmentCount"
      FROM "OutboxEvent" o
      LEFT JOIN "Message" m ON m."organizationId" = o."organizationId" AND m.id = o."messageId"
      WHERE o."organizationId" = $1 AND o."connectionId" = $2 AND o."conversationId" = $3 AND o.status = 'pending'
      ORDER BY o.seq ASC, o."createdAt" ASC
      LIMIT $4`,
    values: [organizationId, input.connectionId, input.conversationId, input.limit],
  });
  return rows.map(({ deletedAt, attachmentCount, ...r }) => ({
    ...r,
    deleted: deletedAt !== null,
    attachmentCount: Number(attachmentCount),
  }));
}

/**
 * The start of a drain in ONE statement: the connection, the pair's thread and its first pending rows (oldest seq
 * first). Null when the connection is gone. Saves a round trip per drain against getPairContext + listPendingOutbox
 * (in steady state a drain is one message, so this is a statement per delivery).
 */
export async function loadPairDrain(
  sql: TSql,
  organizationId: string,
  input: { connectionId: string; conversationId: string; limit: number },
): Promise<{ pair: TPairContext; rows: TPendingOutboxRow[] } | null> {
  const { rows } = await sql.query<{
    c_id: string;
    c_org: string;
    projectId: string;
    c_kind: BridgeKind;
    credentials: string;
    webhookSecretHash: string | null;
    targetId: string;
    targetScope: string | null;
    c_status: ConnectionStatus;
    statusReason: string | null;
    consecutiveFailures: number;
    lastSuccessAt: Date | null;
    brokenAlertedAt: Date | null;
    externalChatId: string | null;
    externalThreadId: string | null;
    cardPending: boolean | null;
    id: string | null;
    kind: string | null;
    seq: number | null;
    attempts: number | null;
    messageId: string | null;
    sender: SenderKind | null;
    authorName: string | null;
    body: string | null;
    source: string | null;
    visibility: 'public' | 'internal' | null;
    deletedAt: Date | null;
    attachmentCount: string | number | null;
  }>({
    name: 'pp_pair_drain',
    text: `SELECT c.id AS c_id, c."organizationId" AS c_org, c."projectId", c.kind::text AS c_kind, c.credentials, c."webhookSecretHash", c."targetId",
             c."targetScope", c.status::text AS c_status, c."statusReason", c."consecutiveFailures", c."lastSuccessAt", c."brokenAlertedAt",
             t."externalChatId", t."externalThreadId", t."cardPending", r.*
      FROM "BridgeConnection" c
      LEFT JOIN "BridgeThread" t ON t."organizationId" = c."organizationId" AND t."connectionId" = c.id AND t."conversationId" = $3
      LEFT JOIN LATERAL (
        SELECT o.id, o.kind, o.seq, o.attempts, o."messageId", m.sender::text AS sender, m."authorName", m.body, m.source,
               m.visibility::text AS visibility, m."deletedAt", o."createdAt" AS o_created,
               (SELECT count(*) FROM "Attachment" a WHERE a."organizationId" = o."organizationId" AND a."messageId" = o."messageId") AS "attachmentCount"
        FROM "OutboxEvent" o
        LEFT JOIN "Message" m ON m."organizationId" = o."organizationId" AND m.id = o."messageId"
        WHERE o."organizationId" = c."organizationId" AND o."connectionId" = c.id AND o."conversationId" = $3 AND o.status = 'pending'
        ORDER BY o.seq ASC, o."createdAt" ASC
        LIMIT $4
      ) r ON true
      WHERE c."organizationId" = $1 AND c.id = $2
      ORDER BY r.seq ASC, r.o_created ASC`,
    values: [organizationId, input.connectionId, input.conversationId, input.limit],
  });
  const r = rows[0];
  if (!r) return null;
  const pair: TPairContext = {
    connection: {
      ...toConnection({
        id: r.c_id,
        organizationId: r.c_org,
        projectId: r.projectId,
        kind: r.c_kind,
        credentials: r.credentials,
        webhookSecretHash: r.webhookSecretHash,
        targetId: r.targetId,
        targetScope: r.targetScope,
        status: r.c_status,
        statusReason: r.statusReason,
      }),
      consecutiveFailures: r.consecutiveFailures,
      lastSuccessAt: r.lastSuccessAt,
      brokenAlertedAt: r.brokenAlertedAt,
    },
    thread:
      r.externalChatId !== null && r.externalThreadId !== null
        ? { externalChatId: r.externalChatId, externalThreadId: r.externalThreadId }
        : null,
    cardPending: r.cardPending === true,
  };
  const pending: TPendingOutboxRow[] = [];
  for (const x of rows) {
    if (x.id === null || x.kind === null || x.seq === null) continue;
    pending.push({
      id: x.id,
      kind: x.kind,
      seq: x.seq,
      attempts: x.attempts ?? 0,
      messageId: x.messageId,
      sender: x.sender,
      authorName: x.authorName,
      body: x.body,
      source: x.source,
      visibility: x.visibility,
      deleted: x.deletedAt !== null,
      attachmentCount: Number(x.attachmentCount ?? 0),
    });
  }
  return { pair, rows: pending };
}

/** The statements of completeOutboxRows, exported for the plan regression test (tests/integration/outbox-plans.test.ts). */
export const COMPLETE_OUTBOX_SQL = `UPDATE "OutboxEvent" SET status = 'done', "processedAt" = now(), attempts = attempts + 1, "lastError" = NULL
        WHERE id = ANY($2::text[]) AND ("organizationId" || '') = $1 AND (status::text) = 'pending'`;
export const COMPLETE_OUTBOX_MAPPED_SQL = `WITH done AS (
        UPDATE "OutboxEvent" SET status = 'done', "processedAt" = now(), attempts = attempts + 1, "lastError" = NULL
        WHERE id = ANY($2::text[]) AND ("organizationId" || '') = $1 AND (status::text) = 'pending'
        RETURNING id
      ), mapped AS (
        INSERT INTO "BridgeMessage" (id, "organizationId", "messageId", "connectionId", direction, "externalChatId", "externalMessageId")
        VALUES ($3, $1, $4, $5, 'outbound', $6, $7)
        ON CONFLICT DO NOTHING
        RETURNING id
      )
      SELECT (SELECT count(*) FROM done) AS n`;

/**
 * Marks outbox rows done and, when the platform returned a message id, records it for the first message — in ONE
 * statement (atomic without a transaction round trip), right after the platform call (docs/design.md §4).
 * Several rows with one platform id is a coalesced post; BridgeMessage (unique per platform message) maps it to
 * the first message of the batch only. Returns how many rows were still pending (0 = someone else recorded them).
 */
// The rows are found by primary key ONLY: the tenant and status predicates are wrapped so that no index can serve
// them. Otherwise the generic plan of these prepared statements (PostgreSQL switches to it after five executions)
// may pick the (organizationId, connectionId, conversationId, status, seq) index and filter every pending row of the
// tenant by id — 4 ms per call at a 10,000-row backlog, O(backlog) per delivery (bench/README.md, "Bridge delivery").
export async function completeOutboxRows(
  sql: TSql,
  organizationId: string,
  input: {
    outboxIds: string[];
    mapping?: { messageId: string; connectionId: string; externalChatId: string; externalMessageId: string };
  },
): Promise<number> {
  if (input.outboxIds.length === 0) return 0;
  if (!input.mapping) {
    const r = await sql.query({
      name: 'pp_complete_outbox',
      text: COMPLETE_OUTBOX_SQL,
      values: [organizationId, input.outboxIds],
    });
    return r.rowCount ?? 0;
  }
  const m = input.mapping;
  const { rows } = await sql.query<{ n: string }>({
    name: 'pp_complete_outbox_mapped',
    text: COMPLETE_OUTBOX_MAPPED_SQL,
    values: [
      organizationId,
      input.outboxIds,
      newId(),
      m.messageId,
      m.connectionId,
      m.externalChatId,
      m.externalMessageId,
    ],
  });
  return Number(rows[0]?.n ?? 0);
}

/** Gives up on a row that can never succeed (the platform rejects it); it stays visible with its error. */
export async function markOutboxDead(db: TDb, organizationId: string, outboxId: string, error: string): Promise<void> {
  await db.outboxEvent.updateMany({
    where: { organizationId, id: outboxId, status: 'pending' },
    data: { status: 'dead', processedAt: new Date(), lastError: error.slice(0, 500), attempts: { increment: 1 } },
  });
}

/** System sweep (no tenant id, by design): pending outbox rows of every kind older than `olderThanMs`. */
export async function listStaleOutbox(db: TDb, input: { olderThanMs: number; limit: number }): Promise<TOutboxRef[]> {
  const rows = await db.outboxEvent.findMany({
    where: {
      status: 'pending',
      createdAt: { lt: new Date(Date.now() - input.olderThanMs) },
      connectionId: { not: null },
    },
    orderBy: { createdAt: 'asc' },
    take: input.limit,
    select: { id: true, organizationId: true, connectionId: true, conversationId: true, seq: true },
  });
  return rows.filter((r): r is typeof r & { connectionId: string } => r.connectionId !== null);
}
