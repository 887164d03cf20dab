import { Prisma, type BridgeKind, type ConnectionStatus } from '@prisma/client';
import type { TDb } from '../client.js';
import { isUniqueViolation, withStatementTimeout } from '../client.js';
import { toMessageDto } from '../dto.js';
import { newId } from './ids.js';
import type { TOutboxRef } from './messages.js';
import { changesThreadTitle, queueThreadRenames } from './thread-renames.js';
import type { TMessage } from '@pocketping/protocol';

/**
 * The public REST API's reads and writes (/api/v1), every one scoped by organization and, for a project-restricted
 * key, by project: an id of another tenant or another project finds nothing, the same as an unknown id.
 */

export interface TApiTenant {
  organizationId: string;
  /** The key's project restriction; null: every project of the organization. */
  projectId: string | null;
}

const inProject = (scope: TApiTenant) => (scope.projectId ? { projectId: scope.projectId } : {});

// ───────────── Idempotency-Key ─────────────

export type TIdempotencyClaim =
  | { state: 'new'; id: string }
  | { state: 'replay'; status: number; response: unknown }
  | { state: 'in_progress' }
  | { state: 'mismatch' };

/**
 * Takes an Idempotency-Key for one key + route: the first caller gets `new` (and must `complete` or `release` it);
 * a retry with the same request gets the stored answer, one still running `in_progress`, another request `mismatch`.
 */
export async function claimIdempotencyKey(
  db: TDb,
  input: { organizationId: string; apiKeyId: string; route: string; key: string; requestHash: string },
  staleAfterMs = 60_000,
): Promise<TIdempotencyClaim> {
  const id = newId();
  try {
    await db.apiIdempotencyKey.create({ data: { id, ...input } });
    return { state: 'new', id };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  const row = await db.apiIdempotencyKey.findUnique({
    where: { apiKeyId_route_key: { apiKeyId: input.apiKeyId, route: input.route, key: input.key } },
  });
  if (!row) return claimIdempotencyKey(db, input, staleAfterMs); // released meanwhile: take it
  if (row.requestHash !== input.requestHash) return { state: 'mismatch' };
  if (row.status === null) {
    // A first request that died mid-way (process killed) never completes: after `staleAfterMs` its claim is taken over.
    if (Date.now() - row.createdAt.getTime() < staleAfterMs) return { state: 'in_progress' };
    const taken = await db.apiIdempotencyKey.deleteMany({ where: { id: row.id, status: null } });
    if (taken.count === 1) return claimIdempotencyKey(db, input, staleAfterMs);
    return { state: 'in_progress' };
  }
  return { state: 'replay', status: row.status, response: row.response };
}

export async function completeIdempotencyKey(db: TDb, id: string, status: number, response: unknown): Promise<void> {
  await db.apiIdempotencyKey.update({
    where: { id },
    data: { status, response: (response ?? Prisma.JsonNull) as Prisma.InputJsonValue },
  });
}

/** The request failed before it changed anything we answer for (an error): the key is free for a retry. */
export async function releaseIdempotencyKey(db: TDb, id: string): Promise<void> {
  await db.apiIdempotencyKey.deleteMany({ where: { id, status: null } });
}

/** Stored answers older than `olderThan` (a day is the documented retention). */
export async function pruneIdempotencyKeys(db: TDb, olderThan: Date): Promise<number> {
  const r = await db.apiIdempotencyKey.deleteMany({ where: { createdAt: { lt: olderThan } } });
  return r.count;
}

// ───────────── Projects ─────────────

export interface TApiProject {
  id: string;
  name: string;
  siteUrl: string | null;
  publicKey: string;
  allowedOrigins: string[];
  paused: boolean;
  createdAt: string;
}

const toApiProject = (p: {
  id: string;
  name: string;
  siteUrl: string | null;
  publicKey: string;
  allowedOrigins: string[];
  pausedAt: Date | null;
  createdAt: Date;
}): TApiProject => ({
  id: p.id,
  name: p.name,
  siteUrl: p.siteUrl,
  publicKey: p.publicKey,
  allowedOrigins: p.allowedOrigins,
  paused: p.pausedAt !== null,
  createdAt: p.createdAt.toISOString(),
});

export async function listApiProjects(db: TDb, scope: TApiTenant): Promise<TApiProject[]> {
  const rows = await db.project.findMany({
    where: { organizationId: scope.organizationId, ...(scope.projectId ? { id: scope.projectId } : {}) },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map(toApiProject);
}

export async function getApiProject(db: TDb, scope: TApiTenant, projectId: string): Promise<TApiProject | null> {
  if (scope.projectId && scope.projectId !== projectId) return null;
  const p = await db.project.findUnique({
    where: { organizationId_id: { organizationId: scope.organizationId, id: projectId } },
  });
  return p ? toApiProject(p) : null;
}

// ───────────── Conversations ─────────────

export interface TApiConversation {
  id: string;
  projectId: string;
  visitorId: string;
  status: 'open' | 'closed';
  lastMessageAt: string | null;
  closedAt: string | null;
  messageCount: number;
  csat: { score: number; comment: string | null; at: string | null } | null;
  assigneeId: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

type TConversationRow = {
  id: string;
  projectId: string;
  visitorId: string;
  status: 'open' | 'closed';
  nextSeq: number;
  lastMessageAt: Date | null;
  closedAt: Date | null;
  csatScore: number | null;
  csatComment: string | null;
  csatAt: Date | null;
  assigneeId: string | null;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
};

const toApiConversation = (c: TConversationRow): TApiConversation => ({
  id: c.id,
  projectId: c.projectId,
  visitorId: c.visitorId,
  status: c.status,
  lastMessageAt: c.lastMessageAt?.toISOString() ?? null,
  closedAt: c.closedAt?.toISOString() ?? null,
  messageCount: c.nextSeq - 1,
  csat:
    c.csatScore === null ? null : { score: c.csatScore, comment: c.csatComment, at: c.csatAt?.toISOString() ?? null },
  assigneeId: c.assigneeId,
  tags: c.tags ?? [],
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

export interface TApiConversationQuery {
  status?: 'open' | 'closed' | undefined;
  projectId?: string | undefined;
  visitorId?: string | undefined;
  /** A user id, or null for unassigned conversations; undefined: anyone's. */
  assigneeId?: string | null | undefined;
  /** A normalized tag. */
  tag?: string | undefined;
  updatedSince?: Date | undefined;
  /** Text search: a substring (any case) of the visitor's email or name, or of a message or note not deleted. */
  q?: string | undefined;
  /** With `q`: Postgres cancels the search after this long (an error `isStatementTimeout` recognises). */
  searchTimeoutMs?: number | undefined;
  /** Rows strictly after this (updatedAt, id) pair in the list's order (newest activity first). */
  after?: { updatedAt: Date; id: string } | null | undefined;
  limit: number;
}

/** `contains` is a LIKE '%…%' that leaves `%` and `_` as wildcards: escaped (backslash, the default ESCAPE) here. */
function textSearch(text: string): Prisma.ConversationWhereInput {
  const contains = { contains: text.replace(/[\\%_]/g, '\\$&'), mode: 'insensitive' as const };
  return {
    OR: [
      { visitor: { email: contains } },
      { visitor: { name: contains } },
      { messages: { some: { deletedAt: null, body: contains } } },
    ],
  };
}

/** One page of conversations, newest activity first (keyset on (updatedAt, id), index-backed). */
export async function listApiConversations(
  db: TDb,
  scope: TApiTenant,
  q: TApiConversationQuery,
): Promise<{ rows: TApiConversation[]; next: { updatedAt: Date; id: string } | null }> {
  if (scope.projectId && q.projectId && q.projectId !== scope.projectId) return { rows: [], next: null };
  const where: Prisma.ConversationWhereInput = {
    organizationId: scope.organizationId,
    ...inProject(scope),
    ...(q.projectId ? { projectId: q.projectId } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.visitorId ? { visitorId: q.visitorId } : {}),
    ...(q.assigneeId !== undefined ? { assigneeId: q.assigneeId } : {}),
    ...(q.tag ? { tags: { has: q.tag } } : {}),
    ...(q.updatedSince ? { updatedAt: { gte: q.updatedSince } } : {}),
    ...(q.q ? textSearch(q.q) : {}),
  };
  const after = q.after;
  const args = {
    where: after
      ? {
          AND: [
            where,
            { OR: [{ updatedAt: { lt: after.updatedAt } }, { updatedAt: after.updatedAt, id: { lt: after.id } }] },
          ],
        }
      : where,
    orderBy: [{ updatedAt: 'desc' as const }, { id: 'desc' as const }],
    take: q.limit + 1,
  } satisfies Prisma.ConversationFindManyArgs;
  const rows =
    q.q && q.searchTimeoutMs
      ? await withStatementTimeout(db, q.searchTimeoutMs, (tx) => tx.conversation.findMany(args))
      : await db.conversation.findMany(args);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    rows: page.map(toApiConversation),
    next: rows.length > q.limit && last ? { updatedAt: last.updatedAt, id: last.id } : null,
  };
}

export async function getApiConversation(
  db: TDb,
  scope: TApiTenant,
  conversationId: string,
): Promise<TApiConversation | null> {
  const c = await db.conversation.findFirst({
    where: { organizationId: scope.organizationId, id: conversationId, ...inProject(scope) },
  });
  return c ? toApiConversation(c) : null;
}

// ───────────── Messages ─────────────

export type TApiMessage = TMessage & { visibility: 'public' | 'internal' };

/** Messages of a conversation (internal notes included) with seq > afterSeq, in order. */
export async function listApiMessages(
  db: TDb,
  organizationId: string,
  conversationId: string,
  afterSeq: number,
  limit: number,
): Promise<{ messages: TApiMessage[]; hasMore: boolean }> {
  const rows = await db.message.findMany({
    where: { organizationId, conversationId, seq: { gt: afterSeq } },
    orderBy: { seq: 'asc' },
    take: limit + 1,
    include: { attachments: { orderBy: { createdAt: 'asc' } } },
  });
  return {
    messages: rows.slice(0, limit).map((m) => ({ ...toMessageDto(m), visibility: m.visibility })),
    hasMore: rows.length > limit,
  };
}

/** The seq of the conversation's newest visitor message (0: none yet) — what an MCP reply answers to. */
export async function getLastVisitorSeq(db: TDb, organizationId: string, conversationId: string): Promise<number> {
  const m = await db.message.findFirst({
    where: { organizationId, conversationId, sender: 'visitor' },
    orderBy: { seq: 'desc' },
    select: { seq: true },
  });
  return m?.seq ?? 0;
}

// ───────────── Visitors ─────────────

export interface TApiVisitor {
  id: string;
  projectId: string;
  externalId: string | null;
  identityVerified: boolean;
  email: string | null;
  name: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
  lastSeenAt: string;
}

const toApiVisitor = (v: {
  id: string;
  projectId: string;
  externalId: string | null;
  identityVerified: boolean;
  email: string | null;
  name: string | null;
  metadata: unknown;
  createdAt: Date;
  lastSeenAt: Date;
}): TApiVisitor => ({
  id: v.id,
  projectId: v.projectId,
  externalId: v.externalId,
  identityVerified: v.identityVerified,
  email: v.email,
  name: v.name,
  metadata:
    v.metadata && typeof v.metadata === 'object' && !Array.isArray(v.metadata)
      ? (v.metadata as Record<string, unknown>)
      : {},
  createdAt: v.createdAt.toISOString(),
  lastSeenAt: v.lastSeenAt.toISOString(),
});

export async function getApiVisitor(db: TDb, scope: TApiTenant, visitorId: string): Promise<TApiVisitor | null> {
  const v = await db.visitor.findFirst({
    where: { organizationId: scope.organizationId, id: visitorId, ...inProject(scope) },
  });
  return v ? toApiVisitor(v) : null;
}

/**
 * Changes what the customer's own system knows about a visitor. `metadata` is merged key by key (null removes a
 * key); email/name/externalId replace (null clears). Set from the API, they count as verified by the customer.
 */
export async function updateApiVisitor(
  db: TDb,
  scope: TApiTenant,
  visitorId: string,
  input: {
    email?: string | null | undefined;
    name?: string | null | undefined;
    externalId?: string | null | undefined;
    metadata?: Record<string, unknown> | undefined;
  },
): Promise<(TApiVisitor & { renames: TOutboxRef[] }) | null> {
  return db.$transaction(async (tx) => {
    const v = await tx.visitor.findFirst({
      where: { organizationId: scope.organizationId, id: visitorId, ...inProject(scope) },
    });
    if (!v) return null;
    const data: Prisma.VisitorUpdateInput = {};
    if (input.email !== undefined) data.email = input.email;
    if (input.name !== undefined) data.name = input.name;
    if (input.externalId !== undefined) data.externalId = input.externalId;
    if (input.metadata) {
      const merged: Record<string, unknown> =
        v.metadata && typeof v.metadata === 'object' && !Array.isArray(v.metadata)
          ? { ...(v.metadata as Record<string, unknown>) }
          : {};
      for (const [k, val] of Object.entries(input.metadata)) {
        if (val === null) delete merged[k];
        else merged[k] = val;
      }
      data.metadata = merged as Prisma.InputJsonValue;
    }
    const updated = await tx.visitor.update({
      where: { organizationId_id: { organizationId: scope.organizationId, id: visitorId } },
      data,
    });
    // A new name or email renames the visitor's open threads in the chat apps (the caller enqueues the rows).
    const renames = changesThreadTitle(v, updated) ? await queueThreadRenames(tx, scope.organizationId, visitorId) : [];
    return { ...toApiVisitor(updated), renames };
  });
}

// ───────────── Chat-app connections ─────────────

export interface TApiConnection {
  id: string;
  projectId: string;
  kind: BridgeKind;
  targetName: string | null;
  scopeName: string | null;
  status: ConnectionStatus;
  statusReason: string | null;
  paused: boolean;
  lastSuccessAt: string | null;
  lastErrorAt: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  createdAt: string;
}

/** Chat-app connections with their health (never their credentials). */
export async function listApiConnections(db: TDb, scope: TApiTenant, projectId?: string): Promise<TApiConnection[]> {
  if (scope.projectId && projectId && projectId !== scope.projectId) return [];
  const rows = await db.bridgeConnection.findMany({
    where: { organizationId: scope.organizationId, ...inProject(scope), ...(projectId ? { projectId } : {}) },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map((c) => ({
    id: c.id,
    projectId: c.projectId,
    kind: c.kind,
    targetName: c.targetName,
    scopeName: c.scopeName,
    status: c.status,
    statusReason: c.statusReason,
    paused: c.pausedAt !== null,
    lastSuccessAt: c.lastSuccessAt?.toISOString() ?? null,
    lastErrorAt: c.lastErrorAt?.toISOString() ?? null,
    lastError: c.lastError,
    consecutiveFailures: c.consecutiveFailures,
    createdAt: c.createdAt.toISOString(),
  }));
}
