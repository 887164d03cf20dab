import { Prisma } from '@prisma/client';
import type { TDb } from '../client.js';

/**
 * THE figures of the stats page, /api/v1/stats and the MCP `get_stats` tool (one place computes them). Every figure
 * of a period is about the conversations STARTED in it ([since, until)), read in SQL over
 * `Conversation(organizationId, projectId, createdAt)` / `(organizationId, createdAt)`. First responses are rolled up
 * incrementally into `StatsFirstReply` (the first visitor message and the first public reply after it never change
 * once both exist): each call first rolls up the conversations of the period that have no row yet (two look-ups on
 * `Message(organizationId, conversationId, seq)` each — new and still unanswered ones), then reads the rows by
 * project and period. The send path writes nothing for the stats.
 *
 * - first response: first public reply (operator or AI) − first visitor message; internal notes and system messages
 *   never count as a reply. `unanswered`: the visitor wrote and no reply ever came.
 * - resolution: closedAt − createdAt of those now closed.
 * - CSAT: the ratings given to them (1–5), average and distribution.
 * - answered by: where the first reply was written (dashboard, a chat app, the API, the AI).
 * - per day and the heatmap (ISO weekday 1 = Monday × hour): in `timeZone`.
 * `waitingNow` (in the report) is not about the period: open conversations whose last public message is the visitor's.
 */

export type TStatsScope = { organizationId: string; projectId: string | null };

export const STATS_CHANNELS = ['dashboard', 'telegram', 'slack', 'discord', 'api', 'ai', 'other'] as const;
export type TStatsChannel = (typeof STATS_CHANNELS)[number];

export interface TDurationStats {
  count: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export interface TConversationStats {
  conversations: number;
  closed: number;
  unanswered: number;
  firstResponse: TDurationStats;
  resolution: TDurationStats;
  csat: { count: number; average: number | null; distribution: { score: number; count: number }[] };
  answeredBy: { channel: TStatsChannel; count: number }[];
  perDay: { date: string; conversations: number }[];
  heatmap: { weekday: number; hour: number; conversations: number }[];
}

export interface TStatsReport {
  since: Date;
  until: Date;
  timeZone: string;
  /** Open now, the visitor wrote last and nobody answered since. */
  waitingNow: number;
  current: TConversationStats;
  /** The period of the same length just before `since`. */
  previous: TConversationStats;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** Every calendar date from the one of `since` to the one of the last instant before `until`, in `timeZone`. */
function datesOf(since: Date, until: Date, timeZone: string): string[] {
  const first = localDate(since, timeZone);
  const last = localDate(new Date(until.getTime() - 1), timeZone);
  const out: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); ; t += DAY_MS) {
    const d = new Date(t).toISOString().slice(0, 10);
    out.push(d);
    if (d >= last) break;
  }
  return out;
}

const round1 = (v: number | null) => (v === null ? null : Math.round(Number(v) * 10) / 10);
const duration = (d: { n: number; median: number | null; p90: number | null }): TDurationStats => ({
  count: d.n,
  medianSeconds: round1(d.median),
  p90Seconds: round1(d.p90),
});

interface TStatsRow {
  conversations: number;
  closed: number;
  unanswered: number;
  firstResponse: { n: number; median: number | null; p90: number | null };
  resolution: { n: number; median: number | null; p90: number | null };
  csat: { n: number; average: number | null };
  csatScores: { score: number; n: number }[] | null;
  channels: { channel: string; n: number }[] | null;
  days: { date: string; n: number }[] | null;
  hours: { weekday: number; hour: number; n: number }[] | null;
}

export async function getConversationStats(
  db: TDb,
  scope: TStatsScope,
  q: { since: Date; until: Date; timeZone: string },
): Promise<TConversationStats> {
  const inProject = scope.projectId === null ? Prisma.empty : Prisma.sql`AND c."projectId" = ${scope.projectId}`;
  const rollupInProject = scope.projectId === null ? Prisma.empty : Prisma.sql`AND f."projectId" = ${scope.projectId}`;
  // NOT IN over the period's rows (a hashed subplan), not NOT EXISTS: the planner would hash every row of the
  // organization, or loop over a CTE it guesses tiny.
  const rollupInPeriod = Prisma.sql`f."organizationId" = ${scope.organizationId} ${rollupInProject}
    AND f."conversationCreatedAt" >= ${q.since} AND f."conversationCreatedAt" < ${q.until}`;
  const inPeriod = Prisma.sql`c."organizationId" = ${scope.organizationId} ${inProject}
    AND c."createdAt" >= ${q.since} AND c."createdAt" < ${q.until}`;
  const [row] = await db.$transaction(
    async (tx) => {
      // Postgres's JIT would compile these queries (the estimate counts every look-up) for longer than they run.
      await tx.$executeRawUnsafe('SET LOCAL jit = off');
      // Roll up the first replies not seen yet: two look-ups for each conversation of the period without its row
      // (new ones, and those still unanswered), once. Concurrent pages insert the same facts: the first one wins.
      await tx.$executeRaw`
        INSERT INTO "StatsFirstReply" ("organizationId", "conversationId", "projectId", "conversationCreatedAt",
          "firstVisitorAt", "firstReplyAt", channel)
        SELECT c."organizationId", c.id, c."projectId", c."createdAt", v.at, r.at,
          CASE WHEN r.sender = 'ai' THEN 'ai' WHEN r.source = 'web' THEN 'dashboard'
            WHEN r.source IN ('telegram', 'slack', 'discord', 'api') THEN r.source ELSE 'other' END
        FROM "Conversation" c
        CROSS JOIN LATERAL (
          SELECT m."createdAt" AS at, m.seq FROM "Message" m
          WHERE m."organizationId" = c."organizationId" AND m."conversationId" = c.id AND m.sender = 'visitor'
          ORDER BY m.seq LIMIT 1
        ) v
        CROSS JOIN LATERAL (
          SELECT m."createdAt" AS at, m.sender, m.source FROM "Message" m
          WHERE m."organizationId" = c."organizationId" AND m."conversationId" = c.id AND m.seq > v.seq
            AND m.visibility = 'public' AND m.sender IN ('operator', 'ai')
          ORDER BY m.seq LIMIT 1
        ) r
        WHERE ${inPeriod}
          AND c.id NOT IN (SELECT f."conversationId" FROM "StatsFirstReply" f WHERE ${rollupInPeriod})
        ON CONFLICT DO NOTHING`;
      return tx.$queryRaw<TStatsRow[]>`
    WITH c AS MATERIALIZED (
      SELECT c.id, c."organizationId", c."createdAt", c."closedAt", c.status, c."csatScore",
        (c."createdAt" AT TIME ZONE 'UTC') AT TIME ZONE ${q.timeZone} AS local
      FROM "Conversation" c
      WHERE ${inPeriod}
    ),
    fr AS MATERIALIZED (
      SELECT f."conversationId" AS id, EXTRACT(EPOCH FROM (f."firstReplyAt" - f."firstVisitorAt"))::float8 AS secs,
        f.channel
      FROM "StatsFirstReply" f
      WHERE ${rollupInPeriod}
    )
    SELECT
      (SELECT count(*)::int FROM c) AS "conversations",
      (SELECT count(*)::int FROM c WHERE c.status = 'closed') AS "closed",
      -- A scalar look-up per conversation left (LIMIT 1), not EXISTS: the planner would make that a semi-join that
      -- hashes every visitor message of the organization.
      (SELECT count(*)::int FROM c WHERE c.id NOT IN (SELECT id FROM fr)
        AND (SELECT true FROM "Message" m
          WHERE m."organizationId" = c."organizationId" AND m."conversationId" = c.id AND m.sender = 'visitor' LIMIT 1)
      ) AS "unanswered",
      (SELECT json_build_object('n', count(secs),
          'median', percentile_cont(0.5) WITHIN GROUP (ORDER BY secs),
          'p90', percentile_cont(0.9) WITHIN GROUP (ORDER BY secs))
        FROM fr) AS "firstResponse",
      (SELECT json_build_object('n', count(*),
          'median', percentile_cont(0.5) WITHIN GROUP (ORDER BY x.secs),
          'p90', percentile_cont(0.9) WITHIN GROUP (ORDER BY x.secs))
        FROM (SELECT EXTRACT(EPOCH FROM (c."closedAt" - c."createdAt"))::float8 AS secs
              FROM c WHERE c.status = 'closed' AND c."closedAt" IS NOT NULL) x) AS "resolution",
      (SELECT json_build_object('n', count(*), 'average', avg(c."csatScore")::float8)
        FROM c WHERE c."csatScore" IS NOT NULL) AS "csat",
      (SELECT json_agg(json_build_object('score', s.score, 'n', s.n))
        FROM (SELECT c."csatScore" AS score, count(*)::int AS n FROM c WHERE c."csatScore" IS NOT NULL
              GROUP BY 1) s) AS "csatScores",
      (SELECT json_agg(json_build_object('channel', s.channel, 'n', s.n))
        FROM (SELECT channel, count(*)::int AS n FROM fr GROUP BY 1) s) AS "channels",
      (SELECT json_agg(json_build_object('date', s.d, 'n', s.n))
        FROM (SELECT to_char(c.local, 'YYYY-MM-DD') AS d, count(*)::int AS n FROM c GROUP BY 1) s) AS "days",
      (SELECT json_agg(json_build_object('weekday', s.wd, 'hour', s.h, 'n', s.n))
        FROM (SELECT EXTRACT(ISODOW FROM c.local)::int AS wd, EXTRACT(HOUR FROM c.local)::int AS h,
                count(*)::int AS n FROM c GROUP BY 1, 2) s) AS "hours"
  `;
    },
    { timeout: 30_000 },
  );
  if (!row) throw new Error('stats query returned no row');
  const scores = new Map((row.csatScores ?? []).map((s) => [s.score, s.n]));
  const channels = new Map((row.channels ?? []).map((s) => [s.channel, s.n]));
  const days = new Map((row.days ?? []).map((s) => [s.date, s.n]));
  const hours = new Map((row.hours ?? []).map((s) => [`${s.weekday}:${s.hour}`, s.n]));
  return {
    conversations: row.conversations,
    closed: row.closed,
    unanswered: row.unanswered,
    firstResponse: duration(row.firstResponse),
    resolution: duration(row.resolution),
    csat: {
      count: row.csat.n,
      average: row.csat.average === null ? null : Math.round(row.csat.average * 100) / 100,
      distribution: [1, 2, 3, 4, 5].map((score) => ({ score, count: scores.get(score) ?? 0 })),
    },
    answeredBy: STATS_CHANNELS.map((channel) => ({ channel, count: channels.get(channel) ?? 0 })),
    perDay: datesOf(q.since, q.until, q.timeZone).map((date) => ({ date, conversations: days.get(date) ?? 0 })),
    heatmap: Array.from({ length: 7 * 24 }, (_, i) => {
      const weekday = Math.floor(i / 24) + 1;
      const hour = i % 24;
      return { weekday, hour, conversations: hours.get(`${weekday}:${hour}`) ?? 0 };
    }),
  };
}

/**
 * Open conversations of the scope waiting for the team: the last public message is the visitor's (the rule of the
 * inbox's Unanswered tab, so the two agree). One backward look-up per open conversation.
 */
export async function countWaitingConversations(db: TDb, scope: TStatsScope): Promise<number> {
  const inProject = scope.projectId === null ? Prisma.empty : Prisma.sql`AND c."projectId" = ${scope.projectId}`;
  const [row] = await db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM "Conversation" c
    CROSS JOIN LATERAL (
      SELECT m.sender FROM "Message" m
      WHERE m."organizationId" = c."organizationId" AND m."conversationId" = c.id AND m.visibility = 'public'
        AND m."deletedAt" IS NULL
      ORDER BY m.seq DESC LIMIT 1
    ) lp
    WHERE c."organizationId" = ${scope.organizationId} ${inProject} AND c.status = 'open' AND lp.sender = 'visitor'
  `;
  return row?.n ?? 0;
}

/** The figures of [since, until) and of the period of the same length before it, and the waiting count now. */
export async function getStatsReport(
  db: TDb,
  scope: TStatsScope,
  q: { since: Date; until: Date; timeZone: string },
): Promise<TStatsReport> {
  const length = q.until.getTime() - q.since.getTime();
  const [current, previous, waitingNow] = await Promise.all([
    getConversationStats(db, scope, q),
    getConversationStats(db, scope, { ...q, since: new Date(q.since.getTime() - length), until: q.since }),
    countWaitingConversations(db, scope),
  ]);
  return { since: q.since, until: q.until, timeZone: q.timeZone, waitingNow, current, previous };
}
