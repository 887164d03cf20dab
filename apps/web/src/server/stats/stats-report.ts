import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { getStatsReport, STATS_CHANNELS, type TStatsReport, type TStatsScope, type TDb } from '@pocketping/db';
import { isValidTimeZone } from '@pocketping/protocol';

/**
 * The stats report as every transport gives it: the dashboard's stats page and its CSV (`/api/app/orgs/:org/stats`),
 * `GET /api/v1/stats` and the MCP `get_stats` tool. The figures come from one repository function
 * (`getStatsReport`, packages/db conversation-stats.ts); this file checks the period and shapes the answer.
 */

export const STATS_MAX_DAYS = 366;
const DAY_MS = 24 * 60 * 60 * 1000;

export const ZTimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(isValidTimeZone, 'unknown time zone')
  .describe('IANA time zone the days and hours are counted in, e.g. Europe/Paris (default UTC).');

const ZSeconds = z.number().nullable();
const ZDuration = z.object({
  count: z.number().int().describe('Conversations measured.'),
  medianSeconds: ZSeconds,
  p90Seconds: ZSeconds,
});

export const ZStatsFigures = z
  .object({
    conversations: z.number().int().describe('Conversations started in the period.'),
    closed: z.number().int().describe('Of those, closed now.'),
    unanswered: z.number().int().describe('Of those, the visitor wrote and no public reply ever came.'),
    firstResponse: ZDuration.describe(
      "Seconds from the visitor's first message to the first public reply (operator or AI); notes never count.",
    ),
    resolution: ZDuration.describe('Seconds from the start to the close, of those closed.'),
    csat: z.object({
      count: z.number().int(),
      average: z.number().nullable().describe('1–5; null without ratings.'),
      distribution: z.array(z.object({ score: z.number().int().min(1).max(5), count: z.number().int() })),
    }),
    answeredBy: z
      .array(z.object({ channel: z.enum(STATS_CHANNELS), count: z.number().int() }))
      .describe('Where the first reply was written: the dashboard, a chat app, the API or the AI.'),
    perDay: z.array(z.object({ date: z.iso.date(), conversations: z.number().int() })),
    heatmap: z
      .array(
        z.object({
          weekday: z.number().int().min(1).max(7).describe('ISO: 1 = Monday … 7 = Sunday.'),
          hour: z.number().int().min(0).max(23),
          conversations: z.number().int(),
        }),
      )
      .describe('Conversations started per weekday and hour (168 cells).'),
  })
  .meta({ id: 'StatsFigures' });

export const ZStatsReport = z
  .object({
    since: z.iso.datetime(),
    until: z.iso.datetime(),
    timeZone: z.string(),
    waitingNow: z.number().int().describe('Open now, the visitor wrote last and nobody answered since.'),
    current: ZStatsFigures,
    previous: ZStatsFigures.describe('The period of the same length just before `since`.'),
  })
  .meta({ id: 'StatsReport' });

export type TStatsReportJson = z.infer<typeof ZStatsReport>;
export type TStatsFiguresJson = z.infer<typeof ZStatsFigures>;

function toJson(r: TStatsReport): TStatsReportJson {
  return { ...r, since: r.since.toISOString(), until: r.until.toISOString() };
}

/** The report of [since, until) for the scope; a period that is empty, reversed or too long is a 400. */
export async function loadStatsReport(
  db: TDb,
  scope: TStatsScope,
  q: { since: Date; until: Date; timeZone: string },
): Promise<TStatsReportJson> {
  if (q.since.getTime() >= q.until.getTime())
    throw new AppError('bad_request', '`since` must be before `until`.', {
      issues: [{ path: 'since', message: 'must be before until' }],
    });
  if (q.until.getTime() - q.since.getTime() > STATS_MAX_DAYS * DAY_MS + 2 * 60 * 60 * 1000)
    throw new AppError('bad_request', `The period may be at most ${STATS_MAX_DAYS} days.`, {
      issues: [{ path: 'since', message: `at most ${STATS_MAX_DAYS} days before until` }],
    });
  return toJson(await getStatsReport(db, scope, q));
}

/** Offset of `timeZone` from UTC at the instant `at` (ms; positive east of Greenwich). */
function zoneOffsetMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(at));
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The instant a calendar date (YYYY-MM-DD) starts in `timeZone`. */
export function startOfLocalDay(date: string, timeZone: string): Date {
  const wall = Date.parse(`${date}T00:00:00Z`);
  const first = wall - zoneOffsetMs(wall, timeZone);
  return new Date(wall - zoneOffsetMs(first, timeZone));
}

/** The next calendar date. */
export function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

// ───────────── CSV ─────────────

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * The report as CSV, one figure a line: `section,key,current,previous`. Per-day lines pair each day with the day at
 * the same place in the previous period (its date in `previous_date`).
 */
export function statsReportCsv(r: TStatsReportJson): string {
  const rows: (string | number | null)[][] = [['section', 'key', 'current', 'previous', 'previous_date']];
  const both = (section: string, key: string, f: (s: TStatsFiguresJson) => number | null) =>
    rows.push([section, key, f(r.current), f(r.previous), null]);
  rows.push(['period', 'since', r.since, null, null], ['period', 'until', r.until, null, null]);
  rows.push(['period', 'time_zone', r.timeZone, null, null], ['now', 'waiting', r.waitingNow, null, null]);
  both('summary', 'conversations', (s) => s.conversations);
  both('summary', 'closed', (s) => s.closed);
  both('summary', 'unanswered', (s) => s.unanswered);
  for (const [key, pick] of [
    ['first_response', (s: TStatsFiguresJson) => s.firstResponse],
    ['resolution', (s: TStatsFiguresJson) => s.resolution],
  ] as const) {
    both(key, 'count', (s) => pick(s).count);
    both(key, 'median_seconds', (s) => pick(s).medianSeconds);
    both(key, 'p90_seconds', (s) => pick(s).p90Seconds);
  }
  both('csat', 'count', (s) => s.csat.count);
  both('csat', 'average', (s) => s.csat.average);
  for (let score = 1; score <= 5; score++)
    both('csat', `score_${score}`, (s) => s.csat.distribution.find((d) => d.score === score)?.count ?? 0);
  for (const { channel } of r.current.answeredBy)
    both('answered_by', channel, (s) => s.answeredBy.find((a) => a.channel === channel)?.count ?? 0);
  r.current.perDay.forEach((d, i) => {
    const prev = r.previous.perDay[i];
    rows.push(['per_day', d.date, d.conversations, prev?.conversations ?? null, prev?.date ?? null]);
  });
  r.current.heatmap.forEach((h, i) => {
    const key = `${WEEKDAYS[h.weekday - 1]} ${String(h.hour).padStart(2, '0')}:00`;
    rows.push(['busiest_hours', key, h.conversations, r.previous.heatmap[i]?.conversations ?? null, null]);
  });
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
