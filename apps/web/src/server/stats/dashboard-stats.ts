import { z } from 'zod';
import { AppError } from '@pocketping/core';
import type { TWebContext } from '../context';
import { scopedProject } from '../tenancy';
import { ZId } from '../api-v1/schemas';
import {
  loadStatsReport,
  nextDate,
  startOfLocalDay,
  STATS_MAX_DAYS,
  statsReportCsv,
  ZTimeZone,
  type TStatsReportJson,
} from './stats-report';

/**
 * The stats page's period: calendar dates (inclusive) in the viewer's time zone, which the browser sends — so "the
 * last 7 days" and the busiest hours are the viewer's days and hours. Default: the last 30 days in UTC.
 */
export const ZDashboardStatsQuery = z
  .object({
    projectId: ZId.optional(),
    from: z.iso.date().optional(),
    to: z.iso.date().optional(),
    tz: ZTimeZone.default('UTC'),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['from'], message: 'must not be after "to"' });
export type TDashboardStatsQuery = z.infer<typeof ZDashboardStatsQuery>;

const DAY_MS = 24 * 60 * 60 * 1000;

export async function loadDashboardStats(
  app: TWebContext,
  organizationId: string,
  q: TDashboardStatsQuery,
): Promise<TStatsReportJson> {
  if (q.projectId) await scopedProject(app, organizationId, q.projectId);
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: q.tz }).format(new Date());
  const to = q.to ?? today;
  const from = q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * DAY_MS).toISOString().slice(0, 10);
  if (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`) >= STATS_MAX_DAYS * DAY_MS)
    throw new AppError('bad_request', `The period may be at most ${STATS_MAX_DAYS} days.`, {
      issues: [{ path: 'from', message: `at most ${STATS_MAX_DAYS} days before "to"` }],
    });
  return loadStatsReport(
    app.db,
    { organizationId, projectId: q.projectId ?? null },
    { since: startOfLocalDay(from, q.tz), until: startOfLocalDay(nextDate(to), q.tz), timeZone: q.tz },
  );
}

export function statsCsvResponse(report: TStatsReportJson, q: TDashboardStatsQuery): Response {
  const first = report.current.perDay[0]?.date ?? 'start';
  const last = report.current.perDay.at(-1)?.date ?? 'end';
  const name = `pocketping-stats-${q.projectId ? `${q.projectId}-` : ''}${first}-to-${last}.csv`;
  return new Response(statsReportCsv(report), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'no-store',
    },
  });
}
