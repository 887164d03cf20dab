import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { getApiProject } from '@pocketping/db';
import { apiOperation } from '../api-route';
import { ZId } from '../schemas';
import { loadStatsReport, STATS_MAX_DAYS, ZStatsReport, ZTimeZone } from '../../stats/stats-report';

export const STATS_DEFAULT_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export const getStats = apiOperation(
  {
    operationId: 'getStats',
    method: 'GET',
    path: '/stats',
    tag: 'Stats',
    summary: 'Figures of the conversations started in a period, and of the period before it',
    description:
      "The figures of the dashboard's stats page: conversations per day, first response and resolution times " +
      '(median, p90), CSAT, where the first reply was written, busiest hours, unanswered — over the conversations ' +
      `started in [since, until) (default: the last ${STATS_DEFAULT_DAYS} days; at most ${STATS_MAX_DAYS}), for one ` +
      'project or every project the key may see, and the same figures for the period of the same length before.',
    query: z.strictObject({
      projectId: ZId.optional().describe("Only this project (a project-restricted key: its own, or it's a 404)."),
      since: z.iso.datetime({ offset: true }).optional().describe('Start of the period (inclusive).'),
      until: z.iso.datetime({ offset: true }).optional().describe('End of the period (exclusive; default now).'),
      timeZone: ZTimeZone.optional(),
    }),
    response: z.object({ data: ZStatsReport }),
    errors: [404],
  },
  async ({ app, tenant, query }) => {
    if (query.projectId && !(await getApiProject(app.db, tenant, query.projectId)))
      throw new AppError('not_found', 'Project not found.');
    const until = query.until ? new Date(query.until) : new Date();
    const since = query.since ? new Date(query.since) : new Date(until.getTime() - STATS_DEFAULT_DAYS * DAY_MS);
    const data = await loadStatsReport(
      app.db,
      { organizationId: tenant.organizationId, projectId: query.projectId ?? tenant.projectId },
      { since, until, timeZone: query.timeZone ?? 'UTC' },
    );
    return { data };
  },
);
