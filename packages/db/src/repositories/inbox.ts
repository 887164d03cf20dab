import { Prisma, type Conversation, type Message, type Visitor } from '@prisma/client';
import { withStatementTimeout, type TDb } from '../client.js';

/**
 * The dashboard inbox's reads, scoped by organization AND project. The cursor, the tabs' meaning and the rows'
 * presentation stay with the caller; the SQL lives here.
 */

export interface TInboxPageQuery {
  tab: 'open' | 'unanswered' | 'closed';
  /** A LIKE pattern (already escaped) matched against visitor email, name and message bodies; null for no search. */
  pattern: string | null;
  /** Whose conversations: everyone's (the default), this user's, or nobody's. */
  assignee?: TInboxAssigneeFilter;
  /** Only conversations with this (normalized) tag; null or absent for any. */
  tag?: string | null;
  /** Rows strictly before this (sort time, id) pair. */
  after: { t: string; id: string } | null;
  /** One more row than this is read, so the caller can tell whether a next page exists. */
  limit: number;
}

export type TInboxAssigneeFilter = { kind: 'all' } | { kind: 'mine'; userId: string } | { kind: 'unassigned' };

export type TInboxPageRow = {
  id: string;
  status: 'open' | 'closed';
  visitorId: string;
  lastSeq: number;
  operatorLastReadSeq: number;
  at: string;
  visitorName: string | null;
  visitorEmail: string | null;
  lastBody: string | null;
  lastSender: string | null;
  lastVisibility: string | null;
  lastDeleted: boolean | null;
  lastPublicSender: string | null;
  unread: number;
  assigneeId: string | null;
  assigneeName: string | null;
  assigneeEmail: string | null;
  tags: string[] | null;
};

const lastPublicJoin = Prisma.sql`LEFT JOIN LATERAL (
      SELECT sender FROM "Message" m
      WHERE m."organizationId" = c."organizationId" AND m."conversationId" = c.id AND m.visibility = 'public' AND m."deletedAt" IS NULL
      ORDER BY m.seq DESC LIMIT 1
    ) lp ON true`;

/** The status tab, text search and tag conditions shared by the page and its counts (`c` conversation, `v` visitor). */
function inboxConditions(organizationId: string, query: Pick<TInboxPageQuery, 'tab' | 'pattern' | 'tag'>): Prisma.Sql {
  const tab =
    query.tab === 'closed'
      ? Prisma.sql`AND c.status = 'closed'`
      : query.tab === 'unanswered'
        ? Prisma.sql`AND c.status = 'open' AND lp.sender = 'visitor'`
        : Prisma.sql`AND c.status = 'open'`;
  const pattern = query.pattern;
  const search = pattern
    ? // The message part is one uncorrelated set (hashed once, read through the trigram index on Message.body),
      // not a lookup per conversation.
      Prisma.sql`AND (v.email ILIKE ${pattern} ESCAPE '\\' OR v.name ILIKE ${pattern} ESCAPE '\\' OR c.id IN (
        SELECT sm."conversationId" FROM "Message" sm WHERE sm."organizationId" = ${organizationId}
          AND sm."deletedAt" IS NULL AND sm.body ILIKE ${pattern} ESCAPE '\\'))`
    : Prisma.empty;
  const tag = query.tag ? Prisma.sql`AND ${query.tag} = ANY(c.tags)` : Prisma.empty;
  return Prisma.sql`${tab} ${search} ${tag}`;
}

function assigneeCondition(assignee: TInboxAssigneeFilter = { kind: 'all' }): Prisma.Sql {
  if (assignee.kind === 'mine') return Prisma.sql`AND c."assigneeId" = ${assignee.userId}`;
  if (assignee.kind === 'unassigned') return Prisma.sql`AND c."assigneeId" IS NULL`;
  return Prisma.empty;
}

/** The counts of the All / Mine / Unassigned filters within the tab, search and tag being shown. */
export async function countInboxAssignments(
  db: TDb,
  organizationId: string,
  projectId: string,
  query: Pick<TInboxPageQuery, 'tab' | 'pattern' | 'tag'> & { userId: string },
): Promise<{ all: number; mine: number; unassigned: number }> {
  const sql = Prisma.sql`
    SELECT count(*)::int AS "all",
      count(*) FILTER (WHERE c."assigneeId" = ${query.userId})::int AS mine,
      count(*) FILTER (WHERE c."assigneeId" IS NULL)::int AS unassigned
    FROM "Conversation" c
    JOIN "Visitor" v ON v."organizationId" = c."organizationId" AND v.id = c."visitorId"
    ${query.tab === 'unanswered' ? lastPublicJoin : Prisma.empty}
    WHERE c."organizationId" = ${organizationId} AND c."projectId" = ${projectId}
      ${inboxConditions(organizationId, query)}`;
  const run = (tx: Pick<TDb, '$queryRaw'>) => tx.$queryRaw<{ all: number; mine: number; unassigned: number }[]>(sql);
  const rows = query.pattern ? await withStatementTimeout(db, 5_000, run) : await run(db);
  return rows[0] ?? { all: 0, mine: 0, unassigned: 0 };
}

export async function queryInboxPage(
  db: TDb,
  organizationId: string,
  projectId: string,
  query: TInboxPageQuery,
): Promise<TInboxPageRow[]> {
  const cursor = query.after;
  const sortKey = Prisma.sql`COALESCE(c."lastMessageAt", c."createdAt")`;
  const pattern = query.pattern;
  const after = cursor ? Prisma.sql`AND (${sortKey}, c.id) < (${cursor.t}::timestamp, ${cursor.id})` : Prisma.empty;

  // The page is chosen first (filter, sort, limit), and only its rows get the per-conversation lookups (last
  // message, last public sender, unread count): on a project with many conversations the lookups would otherwise run
  // for every open conversation before the sort. The unanswered tab filters on the last public sender, so there
  // that one lookup runs inside the page query.
  const lastPublic = lastPublicJoin;
  const sql = Prisma.sql`
    WITH page AS (
      SELECT c.id, c."organizationId", c.status, c."visitorId", c."nextSeq", c."operatorLastReadSeq", c."assigneeId", c.tags,
        ${sortKey} AS "sortAt"
      FROM "Conversation" c
      JOIN "Visitor" v ON v."organizationId" = c."organizationId" AND v.id = c."visitorId"
      ${query.tab === 'unanswered' ? lastPublic : Prisma.empty}
      WHERE c."organizationId" = ${organizationId} AND c."projectId" = ${projectId}
        ${inboxConditions(organizationId, query)} ${assigneeCondition(query.assignee)} ${after}
      ORDER BY ${sortKey} DESC, c.id DESC
      LIMIT ${query.limit + 1}
    )
    SELECT c.id, c.status::text AS status, c."visitorId", c."nextSeq" - 1 AS "lastSeq", c."operatorLastReadSeq",
      to_char(c."sortAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS at,
      v.name AS "visitorName", v.email AS "visitorEmail",
      lm.body AS "lastBody", lm.sender::text AS "lastSender", lm.visibility::text AS "lastVisibility", lm."deletedAt" IS NOT NULL AS "lastDeleted",
      lp.sender::text AS "lastPublicSender",
      c."assigneeId", au.name AS "assigneeName", au.email AS "assigneeEmail", c.tags,
      (SELECT count(*) FROM (SELECT 1 FROM "Message" um WHERE um."organizationId" = c."organizationId" AND um."conversationId" = c.id
         AND um.seq > c."operatorLastReadSeq" AND um.sender <> 'operator' LIMIT 99) u)::int AS unread
    FROM page c
    JOIN "Visitor" v ON v."organizationId" = c."organizationId" AND v.id = c."visitorId"
    LEFT JOIN "User" au ON au.id = c."assigneeId"
    LEFT JOIN LATERAL (
      -- The row's preview: the last thing the visitor, the team or the AI said to each other; system notes and
      -- internal traces ("Visitor left", closed/reopened) only when nothing was said yet.
      SELECT body, sender, visibility, "deletedAt" FROM (
        (SELECT body, sender, visibility, "deletedAt", 0 AS rank FROM "Message" m
          WHERE m."organizationId" = c."organizationId" AND m."conversationId" = c.id
            AND m.visibility = 'public' AND m.sender <> 'system'
          ORDER BY m.seq DESC LIMIT 1)
        UNION ALL
        (SELECT body, sender, visibility, "deletedAt", 1 AS rank FROM "Message" m
          WHERE m."organizationId" = c."organizationId" AND m."conversationId" = c.id ORDER BY m.seq DESC LIMIT 1)
      ) candidates ORDER BY rank LIMIT 1
    ) lm ON true
    ${lastPublic}
    ORDER BY c."sortAt" DESC, c.id DESC`;

  // A text search scans message bodies: bounded in time so one search cannot hold a connection for long.
  if (!pattern) return db.$queryRaw<TInboxPageRow[]>(sql);
  return withStatementTimeout(db, 5_000, (tx) => tx.$queryRaw<TInboxPageRow[]>(sql));
}

/** A conversation of this project with its visitor, or null. */
export async function getConversationWithVisitor(
  db: TDb,
  scope: { organizationId: string; projectId: string },
  conversationId: string,
): Promise<(Conversation & { visitor: Visitor }) | null> {
  return db.conversation.findFirst({
    where: { organizationId: scope.organizationId, projectId: scope.projectId, id: conversationId },
    include: { visitor: true },
  });
}

export type TInboxMessageRow = Message & {
  attachments: { id: string; name: string; contentType: string; size: number }[];
};

/** The latest `take` messages of a conversation (internal notes included), newest first, with their attachments. */
export async function listLatestMessagesWithAttachments(
  db: TDb,
  organizationId: string,
  conversationId: string,
  take: number,
): Promise<TInboxMessageRow[]> {
  return db.message.findMany({
    where: { organizationId, conversationId },
    orderBy: { seq: 'desc' },
    take,
    include: {
      attachments: { orderBy: { createdAt: 'asc' }, select: { id: true, name: true, contentType: true, size: true } },
    },
  });
}
