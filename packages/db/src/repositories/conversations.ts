import { AppError } from '@pocketping/core';
import type { TDb, TDbOrTx, TTx } from '../client.js';
import type { TSql } from './sql-pool.js';
import { newId } from './ids.js';
import { emitWebhookEvent, newWebhookEventId } from './webhooks.js';

export interface TConversation {
  id: string;
  organizationId: string;
  projectId: string;
  visitorId: string;
  status: 'open' | 'closed';
  lastSeq: number;
}

function toConversation(c: {
  id: string;
  organizationId: string;
  projectId: string;
  visitorId: string;
  status: 'open' | 'closed';
  nextSeq: number;
}): TConversation {
  return {
    id: c.id,
    organizationId: c.organizationId,
    projectId: c.projectId,
    visitorId: c.visitorId,
    status: c.status,
    lastSeq: c.nextSeq - 1,
  };
}

export async function getOpenConversationForVisitor(
  db: TDb | TTx,
  organizationId: string,
  visitorId: string,
): Promise<TConversation | null> {
  const c = await db.conversation.findFirst({
    where: { organizationId, visitorId, status: 'open' },
    orderBy: { createdAt: 'desc' },
  });
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
    const c = await tx.conversation.create({
      data: { organizationId, projectId: input.projectId, visitorId: input.visitorId },
    });
    await emitWebhookEvent(tx, organizationId, {
      projectId: c.projectId,
      type: 'conversation.created',
      conversationId: c.id,
      data: { conversation: { id: c.id, projectId: c.projectId, visitorId: c.visitorId, status: 'open' } },
    });
    return toConversation(c);
  });
}

export async function getConversation(
  db: TDb | TTx,
  organizationId: string,
  conversationId: string,
): Promise<TConversation | null> {
  const c = await db.conversation.findUnique({ where: { organizationId_id: { organizationId, id: conversationId } } });
  return c ? toConversation(c) : null;
}

/** The visitor's most recent conversation, open or closed: what the widget shows on return. */
export async function getLatestConversationForVisitor(
  db: TDb,
  organizationId: string,
  visitorId: string,
): Promise<TConversation | null> {
  const c = await db.conversation.findFirst({ where: { organizationId, visitorId }, orderBy: { createdAt: 'desc' } });
  return c ? toConversation(c) : null;
}

/** What a visitor of a paused project is told when they try to start a conversation. */
export const PROJECT_PAUSED_MESSAGE =
  'This chat is not taking new conversations at the moment. Please contact us another way.';

/**
 * `getOrCreateOpenConversation` over plain SQL (realtime's send path): same rule, the visitor row is locked first
 * so two tabs sending their first message at once end up in one conversation. Four round trips (BEGIN, lock,
 * find-or-insert, COMMIT); realtime then caches the id per socket. not_found when the visitor is not this tenant's.
 * `overQuota` marks a conversation this call creates as started beyond the plan's monthly quota (`overQuotaAt`);
 * `created` says whether it did create one. A project paused by the plan (`pausedAt`) starts no new conversation:
 * forbidden with reason `project_paused` and words for the visitor (a visitor already chatting continues).
 */
export async function getOrCreateOpenConversationSql(
  sql: TSql,
  organizationId: string,
  input: { projectId: string; visitorId: string; overQuota?: boolean },
): Promise<TConversation & { created: boolean; overQuota: boolean }> {
  const client = await sql.connect();
  try {
    await client.query('BEGIN');
    const locked = await client.query({
      name: 'pp_lock_visitor',
      text: `SELECT id FROM "Visitor" WHERE "organizationId" = $1 AND id = $2 FOR UPDATE`,
      values: [organizationId, input.visitorId],
    });
    if (locked.rowCount === 0) throw new AppError('not_found', 'Visitor not found');
    // A new statement after the lock: its snapshot sees a conversation another tab committed while we waited.
    const { rows } = await client.query<{
      id: string;
      projectId: string;
      visitorId: string;
      nextSeq: number;
      overQuota: boolean;
      created: boolean;
    }>({
      name: 'pp_find_or_create_conversation',
      text: `WITH existing AS (
          SELECT id, "projectId", "visitorId", "nextSeq", "overQuotaAt" IS NOT NULL AS "overQuota", false AS created
          FROM "Conversation"
          WHERE "organizationId" = $1 AND "visitorId" = $2 AND status = 'open' ORDER BY "createdAt" DESC LIMIT 1
        ), created AS (
          INSERT INTO "Conversation" (id, "organizationId", "projectId", "visitorId", "overQuotaAt", "createdAt", "updatedAt")
          SELECT $3, $1, $4, $2, CASE WHEN $5::boolean THEN now() AT TIME ZONE 'UTC' END, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          WHERE NOT EXISTS (SELECT 1 FROM existing)
            AND NOT EXISTS (SELECT 1 FROM "Project" WHERE "organizationId" = $1 AND id = $4 AND "pausedAt" IS NOT NULL)
          RETURNING id, "projectId", "visitorId", "nextSeq", "overQuotaAt" IS NOT NULL AS "overQuota", true AS created
        ), wh AS (
          -- conversation.created for the project's subscribed webhook endpoints (none: one index probe, no row).
          INSERT INTO "WebhookDelivery" (id, "organizationId", "projectId", "endpointId", "eventId", "eventType", "groupKey", payload, "createdAt", "nextAttemptAt")
          SELECT 'c' || substr(md5(gen_random_uuid()::text), 1, 24), $1, created."projectId", e.id, $6, 'conversation.created', created.id,
            jsonb_build_object('type', 'conversation.created', 'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
              'data', jsonb_build_object('conversation', jsonb_build_object('id', created.id, 'projectId', created."projectId",
                'visitorId', created."visitorId", 'status', 'open'))),
            now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM created JOIN "WebhookEndpoint" e ON e."organizationId" = $1 AND e."projectId" = created."projectId"
            AND e.status = 'enabled' AND 'conversation.created' = ANY(e.events)
          RETURNING id
        )
        SELECT * FROM existing UNION ALL SELECT * FROM created`,
      values: [
        organizationId,
        input.visitorId,
        newId(),
        input.projectId,
        input.overQuota ?? false,
        newWebhookEventId(),
      ],
    });
    await client.query('COMMIT');
    const c = rows[0];
    if (!c) throw new AppError('forbidden', PROJECT_PAUSED_MESSAGE, { reason: 'project_paused' });
    return {
      id: c.id,
      organizationId,
      projectId: c.projectId,
      visitorId: c.visitorId,
      status: 'open',
      lastSeq: c.nextSeq - 1,
      created: c.created,
      overQuota: c.overQuota,
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** True when the conversation exists in this project of this organization. */
export async function conversationExists(
  db: TDbOrTx,
  scope: { organizationId: string; projectId: string },
  conversationId: string,
): Promise<boolean> {
  const c = await db.conversation.findFirst({
    where: { organizationId: scope.organizationId, projectId: scope.projectId, id: conversationId },
    select: { id: true },
  });
  return c !== null;
}
