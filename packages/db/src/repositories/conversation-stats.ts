import { Prisma } from '@prisma/client';
import type { TDb } from '../client.js';

/**
 * THE figures of the stats page, /api/v1/stats and the MCP `get_stats` tool (one place computes them). Every figure
 * of a period is about the conversations STARTED in it ([since, until)).
 *
 * Rolled up incrementally, per conversation: `StatsConversation` holds each conversation's figures (first response
 * and its channel, resolution, rating, unanswered), one narrow row read by `(organizationId, projectId, createdAt)`.
 * Every change that moves a figure bumps `Conversation.updatedAt` (a message, a status change, a rating); before a
 * report, `foldConversationStats` refreshes the rows of the organization's conversations updated since its watermark
 * (`StatsRollup.foldedAt`, less `FOLD_MARGIN_MS` for transactions that committed late or a client clock behind the
 * database's), writing only rows whose figures changed. The first report of an organization folds all of it (the
 * backfill). A deleted conversation takes its row (foreign key). The send path writes nothing for the stats.
 * Exact figures (no histogram): the period's rows are few enough to sort (bench/stats.ts).
 *
 * - first response: first public reply (operator or AI) − first visitor message; internal notes and system messages
 *   never count as a reply. `unanswered`: the visitor wrote and no reply ever came.
 * - resolution: closedAt − createdAt of those now closed.
 * - CSAT: the ratings given to them (1–5), average and distribution.
 * - answered by: where the first reply was written (dashboard, a chat app, the API, the AI).
 * - per day and the heatmap (ISO weekday 1 = Monday × hour): in `timeZone`, counted per 15-minute slot first (every
 *   zone's offset is a multiple of 15 minutes, so a slot never straddles a local hour).
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
  frCount: number;
  frMedian: number | null;
  frP90: number | null;
  resCount: number;
  resMedian: number | null;
  resP90: number | null;
  csatCount: number;
  csatAverage: number | null;
  csatScores: { score: number; n: number }[] | null;
  channels: { channel: string; n: number }[] | null;
  days: { date: string; n: number }[] | null;
  hours: { weekday: number; hour: number; n: number }[] | null;
}

/** How far back of its watermark a fold looks again: a transaction that committed late, a client clock behind. */
export const FOLD_MARGIN_MS = 10 * 60 * 1000;
const WATERMARK_STEP_MS = 60 * 1000;

/**
 * Brings the organization's `StatsConversation` rows up to date: the conversations updated since the watermark (all
 * of them the first time), each with two look-ups on `Message(organizationId, conversationId, seq)`. Folds of one
 * organization take turns (a transaction-scoped advisory lock); a row is written only when a figure changed.
 */
export async function foldConversationStats(db: TDb, organizationId: string): Promise<{ folded: number }> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe('SET LOCAL jit = off');
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('stats-fold'), hashtext(${organizationId}))`;
      const [mark] = await tx.$queryRaw<{ foldedAt: Date }[]>`
        SELECT r."foldedAt" FROM "StatsRollup" r
        WHERE r."organizationId" = ${organizationId}`;
      const changedSince = mark ? new Date(mark.foldedAt.getTime() - FOLD_MARGIN_MS) : null;
      const since = changedSince === null ? Prisma.empty : Prisma.sql`AND c."updatedAt" > ${changedSince}`;
      const folded = await tx.$executeRaw`
        INSERT INTO "StatsConversation" AS s ("organizationId", "conversationId", "projectId", "conversationCreatedAt",
          "firstResponseSeconds", channel, "resolutionSeconds", "csatScore", closed, unanswered)
        SELECT c."organizationId", c.id, c."projectId", c."createdAt",
          EXTRACT(EPOCH FROM (r.at - v.at))::float8,
          CASE WHEN r.at IS NULL THEN NULL WHEN r.sender = 'ai' THEN 'ai' WHEN r.source = 'web' THEN 'dashboard'
            WHEN r.source IN ('telegram', 'slack', 'discord', 'api') THEN r.source ELSE 'other' END,
          CASE WHEN c.status = 'closed' AND c."closedAt" IS NOT NULL
            THEN EXTRACT(EPOCH FROM (c."closedAt" - c."createdAt"))::float8 END,
          c."csatScore"::smallint,
          c.status = 'closed',
          v.at IS NOT NULL AND r.at IS NULL
        FROM "Conversation" c
        LEFT JOIN LATERAL (
          SELECT m."createdAt" AS at, m.seq FROM "Message" m
          WHERE m."organizationId" = c."organizationId" AND m."conversationId" = c.id AND m.sender = 'visitor'
          ORDER BY m.seq LIMIT 1
        ) v ON true
        LEFT JOIN LATERAL (
          SELECT m."createdAt" AS at, m.sender, m.source FROM "Message" m
          WHERE m."organizationId" = c."organizationId" AND m."conversationId" = c.id AND m.seq > v.seq
            AND m.visibility = 'public' AND m.sender IN ('operator', 'ai')
          ORDER BY m.seq LIMIT 1
        ) r ON true
        WHERE c."organizationId" = ${organizationId} ${since}
        ON CONFLICT ("organizationId", "conversationId") DO UPDATE SET
          "firstResponseSeconds" = EXCLUDED."firstResponseSeconds", channel = EXCLUDED.channel,
          "resolutionSeconds" = EXCLUDED."resolutionSeconds", "csatScore" = EXCLUDED."csatScore",
          closed = EXCLUDED.closed, unanswered = EXCLUDED.unanswered
        WHERE (s."firstResponseSeconds", s.channel, s."resolutionSeconds", s."csatScore", s.closed, s.unanswered)
          IS DISTINCT FROM (EXCLUDED."firstResponseSeconds", EXCLUDED.channel, EXCLUDED."resolutionSeconds",
            EXCLUDED."csatScore", EXCLUDED.closed, EXCLUDED.unanswered)`;
      // The watermark is this transaction's start: whatever committed before it was seen by the statement above. A
      // fold that changed nothing moves it at most once a minute, so reading the page does not write every time.
      if (!mark || folded > 0 || Date.now() - mark.foldedAt.getTime() > WATERMARK_STEP_MS)
        await tx.$executeRaw`
          INSERT INTO "StatsRollup" ("organizationId", "foldedAt") VALUES (${organizationId}, now() AT TIME ZONE 'UTC')
          ON CONFLICT ("organizationId") DO UPDATE SET "foldedAt" = EXCLUDED."foldedAt"`;
      return { folded };
    },
    { timeout: 60_000 },
  );
}

/** The figures of the conversations the scope started in [since, until), from the folded rows (fold first). */
export async function getConversationStats(
  db: TDb,
  scope: TStatsScope,
  q: { since: Date; until: Date; timeZone: string },
): Promise<TConversationStats> {
  const inProject = scope.projectId === null ? Prisma.empty : Prisma.sql`AND s."projectId" = ${scope.projectId}`;
  const [row] = await db.$transaction(async (tx) => {
    // Postgres's JIT would compile this query for longer than it runs.
    await tx.$executeRawUnsafe('SET LOCAL jit = off');
    return tx.$queryRaw<TStatsRow[]>`
    WITH s AS MATERIALIZED (
      SELECT s."conversationCreatedAt" AS at, s."firstResponseSeconds" AS fr, s.channel, s."resolutionSeconds" AS res,
        s."csatScore" AS csat, s.closed, s.unanswered
      FROM "StatsConversation" s
      WHERE s."organizationId" = ${scope.organizationId} ${inProject}
        AND s."conversationCreatedAt" >= ${q.since} AND s."conversationCreatedAt" < ${q.until}
    ),
    slots AS MATERIALIZED (
      -- Binned in UTC first, then each slot (at most 96 a day) put in the viewer's zone: the zone conversion, the
      -- costly part, runs per slot, not per conversation.
      SELECT (bin AT TIME ZONE 'UTC') AT TIME ZONE ${q.timeZone} AS local, n
      FROM (SELECT date_bin('15 minutes', s.at, TIMESTAMP '2000-01-01') AS bin, count(*)::int AS n FROM s GROUP BY 1) b
    ),
    totals AS (
      SELECT count(*)::int AS conversations, (count(*) FILTER (WHERE closed))::int AS closed,
        (count(*) FILTER (WHERE unanswered))::int AS unanswered,
        count(fr)::int AS "frCount",
        percentile_cont(0.5) WITHIN GROUP (ORDER BY fr)::float8 AS "frMedian",
        percentile_cont(0.9) WITHIN GROUP (ORDER BY fr)::float8 AS "frP90",
        count(res)::int AS "resCount",
        percentile_cont(0.5) WITHIN GROUP (ORDER BY res)::float8 AS "resMedian",
        percentile_cont(0.9) WITHIN GROUP (ORDER BY res)::float8 AS "resP90",
        count(csat)::int AS "csatCount", avg(csat)::float8 AS "csatAverage"
      FROM s
    )
    SELECT totals.*,
      (SELECT json_agg(json_build_object('score', x.score, 'n', x.n))
        FROM (SELECT csat AS score, count(*)::int AS n FROM s WHERE csat IS NOT NULL GROUP BY 1) x) AS "csatScores",
      (SELECT json_agg(json_build_object('channel', x.channel, 'n', x.n))
        FROM (SELECT channel, count(*)::int AS n FROM s WHERE channel IS NOT NULL GROUP BY 1) x) AS "channels",
      (SELECT json_agg(json_build_object('date', x.d, 'n', x.n))
        FROM (SELECT to_char(local, 'YYYY-MM-DD') AS d, sum(n)::int AS n FROM slots GROUP BY 1) x) AS "days",
      (SELECT json_agg(json_build_object('weekday', x.wd, 'hour', x.h, 'n', x.n))
        FROM (SELECT EXTRACT(ISODOW FROM local)::int AS wd, EXTRACT(HOUR FROM local)::int AS h, sum(n)::int AS n
              FROM slots GROUP BY 1, 2) x) AS "hours"
    FROM totals
  `;
  });
  if (!row) throw new Error('stats query returned no row');
  const scores = new Map((row.csatScores ?? []).map((s) => [s.score, s.n]));
  const channels = new Map((row.channels ?? []).map((s) => [s.channel, s.n]));
  const days = new Map((row.days ?? []).map((s) => [s.date, s.n]));
  const hours = new Map((row.hours ?? []).map((s) => [`${s.weekday}:${s.hour}`, s.n]));
  return {
    conversations: row.conversations,
    closed: row.closed,
    unanswered: row.unanswered,
    firstResponse: duration({ n: row.frCount, median: row.frMedian, p90: row.frP90 }),
    resolution: duration({ n: row.resCount, median: row.resMedian, p90: row.resP90 }),
    csat: {
      count: row.csatCount,
      average: row.csatAverage === null ? null : Math.round(row.csatAverage * 100) / 100,
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
  await foldConversationStats(db, scope.organizationId);
  const [current, previous, waitingNow] = await Promise.all([
    getConversationStats(db, scope, q),
    getConversationStats(db, scope, { ...q, since: new Date(q.since.getTime() - length), until: q.since }),
    countWaitingConversations(db, scope),
  ]);
  return { since: q.since, until: q.until, timeZone: q.timeZone, waitingNow, current, previous };
}
