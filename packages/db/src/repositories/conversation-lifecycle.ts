import { AppError } from '@pocketping/core';
import type { TDb } from '../client.js';
import { emitWebhookEvent } from './webhooks.js';
import type { TOutboxRef } from './messages.js';
import { changesThreadTitle, queueThreadRenames } from './thread-renames.js';

export interface TConversationState {
  id: string;
  projectId: string;
  visitorId: string;
  status: 'open' | 'closed';
  lastSeq: number;
  visitorLastReadSeq: number;
  operatorLastReadSeq: number;
  preChat: unknown;
  csatScore: number | null;
  closedAt: string | null;
  /** Started beyond the plan's monthly quota: kept for the inbox, the visitor sees the team away. */
  overQuota: boolean;
}

export async function getConversationState(
  db: TDb,
  organizationId: string,
  conversationId: string,
): Promise<TConversationState | null> {
  const c = await db.conversation.findUnique({ where: { organizationId_id: { organizationId, id: conversationId } } });
  if (!c) return null;
  return {
    id: c.id,
    projectId: c.projectId,
    visitorId: c.visitorId,
    status: c.status,
    lastSeq: c.nextSeq - 1,
    visitorLastReadSeq: c.visitorLastReadSeq,
    operatorLastReadSeq: c.operatorLastReadSeq,
    preChat: c.preChat,
    csatScore: c.csatScore,
    closedAt: c.closedAt?.toISOString() ?? null,
    overQuota: c.overQuotaAt !== null,
  };
}

/**
 * Stores the pre-chat answers on the conversation and copies email/name to the visitor, in one transaction.
 * A verified identity's email/name are not overwritten by a form anyone can fill in. Returns the thread renames a
 * changed name/email queued (to enqueue after commit).
 */
export async function savePreChat(
  db: TDb,
  organizationId: string,
  input: {
    conversationId: string;
    visitorId: string;
    email?: string | undefined;
    name?: string | undefined;
    fields?: Record<string, string> | undefined;
  },
): Promise<TOutboxRef[]> {
  return db.$transaction(async (tx) => {
    const conv = await tx.conversation.updateMany({
      where: { organizationId, id: input.conversationId, visitorId: input.visitorId },
      data: {
        preChat: {
          email: input.email ?? null,
          name: input.name ?? null,
          fields: input.fields ?? {},
          at: new Date().toISOString(),
        },
      },
    });
    if (conv.count !== 1) throw new AppError('not_found', 'Conversation not found');
    const before = await tx.visitor.findUnique({
      where: { organizationId_id: { organizationId, id: input.visitorId } },
      select: { name: true, email: true, identityVerified: true },
    });
    if (!before || before.identityVerified) return [];
    const after = {
      email: input.email === undefined ? before.email : input.email,
      name: input.name === undefined ? before.name : input.name,
    };
    await tx.visitor.updateMany({
      where: { organizationId, id: input.visitorId, identityVerified: false },
      data: {
        ...(input.email === undefined ? {} : { email: input.email }),
        ...(input.name === undefined ? {} : { name: input.name }),
      },
    });
    // The answers name the visitor: their threads in the chat apps take the new title.
    return changesThreadTitle(before, after) ? queueThreadRenames(tx, organizationId, input.visitorId) : [];
  });
}

/**
 * Stores a satisfaction rating; only a closed conversation of this visitor can be rated. A different score or comment
 * replaces the rating (`saved`); the same one again changes nothing (`unchanged`) — one statement, so two identical
 * submissions racing save once (the second re-checks the row after the first commits).
 */
export async function saveCsat(
  db: TDb,
  organizationId: string,
  input: { conversationId: string; visitorId: string; score: number; comment?: string | undefined },
): Promise<'saved' | 'unchanged'> {
  const comment = input.comment ?? null;
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ changed: boolean; projectId: string }[]>`
    WITH target AS (
      SELECT id, "projectId" FROM "Conversation"
      WHERE "organizationId" = ${organizationId} AND id = ${input.conversationId} AND "visitorId" = ${input.visitorId}
        AND status = 'closed'
    ), upd AS (
      UPDATE "Conversation" c SET "csatScore" = ${input.score}, "csatComment" = ${comment},
        "csatAt" = now() AT TIME ZONE 'UTC', "updatedAt" = now() AT TIME ZONE 'UTC'
      FROM target WHERE c."organizationId" = ${organizationId} AND c.id = target.id AND c.status = 'closed'
        AND (c."csatScore" IS DISTINCT FROM ${input.score}::int OR c."csatComment" IS DISTINCT FROM ${comment}::text)
      RETURNING c.id
    )
    SELECT EXISTS (SELECT 1 FROM upd) AS changed, target."projectId" FROM target`;
    if (rows[0]?.changed)
      await emitWebhookEvent(tx, organizationId, {
        projectId: rows[0].projectId,
        type: 'csat.submitted',
        conversationId: input.conversationId,
        data: {
          conversationId: input.conversationId,
          projectId: rows[0].projectId,
          visitorId: input.visitorId,
          score: input.score,
          comment,
        },
      });
    const row = rows[0];
    if (!row) throw new AppError('bad_request', 'Only a closed conversation can be rated');
    return row.changed ? 'saved' : 'unchanged';
  });
}

/** The latest message of a conversation, any visibility (for "don't repeat the same system note" checks). */
export async function getLastMessageSummary(
  db: TDb,
  organizationId: string,
  conversationId: string,
): Promise<{ seq: number; sender: string; body: string; visibility: 'public' | 'internal' } | null> {
  const m = await db.message.findFirst({
    where: { organizationId, conversationId },
    orderBy: { seq: 'desc' },
    select: { seq: true, sender: true, body: true, visibility: true },
  });
  return m;
}

export interface TConversationDetails {
  id: string;
  projectId: string;
  status: 'open' | 'closed';
  aiState: 'off' | 'standby' | 'active';
  preChat: unknown;
  visitor: {
    id: string;
    name: string | null;
    email: string | null;
    externalId: string | null;
    identityVerified: boolean;
    verifiedFields: string[];
    metadata: unknown;
  } | null;
}

/** Conversation and visitor in one call: the visitor card and /info. */
export async function getConversationDetails(
  db: TDb,
  organizationId: string,
  conversationId: string,
): Promise<TConversationDetails | null> {
  const c = await db.conversation.findUnique({
    where: { organizationId_id: { organizationId, id: conversationId } },
    include: {
      visitor: {
        select: {
          id: true,
          name: true,
          email: true,
          externalId: true,
          identityVerified: true,
          verifiedFields: true,
          metadata: true,
        },
      },
    },
  });
  if (!c) return null;
  return {
    id: c.id,
    projectId: c.projectId,
    status: c.status,
    aiState: c.aiState,
    preChat: c.preChat,
    visitor: c.visitor,
  };
}

/** /close and /reopen. Returns false when the conversation already had that status (nothing to announce). */
export async function setConversationStatus(
  db: TDb,
  organizationId: string,
  conversationId: string,
  status: 'open' | 'closed',
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const closedAt = status === 'closed' ? new Date() : null;
    const rows = await tx.$queryRaw<{ projectId: string; visitorId: string }[]>`
      UPDATE "Conversation" SET status = ${status}::"ConversationStatus", "closedAt" = ${closedAt},
        "updatedAt" = now() AT TIME ZONE 'UTC'
      WHERE "organizationId" = ${organizationId} AND id = ${conversationId} AND status <> ${status}::"ConversationStatus"
      RETURNING "projectId", "visitorId"`;
    const c = rows[0];
    if (!c) return false;
    // The webhook event commits with the change (outbound webhooks' outbox).
    await emitWebhookEvent(tx, organizationId, {
      projectId: c.projectId,
      type: status === 'closed' ? 'conversation.closed' : 'conversation.reopened',
      conversationId,
      data: { conversation: { id: conversationId, projectId: c.projectId, visitorId: c.visitorId, status } },
    });
    return true;
  });
}

/** /ai on|off. */
export async function setConversationAiState(
  db: TDb,
  organizationId: string,
  conversationId: string,
  aiState: 'off' | 'active',
): Promise<void> {
  await db.conversation.updateMany({ where: { organizationId, id: conversationId }, data: { aiState } });
}
