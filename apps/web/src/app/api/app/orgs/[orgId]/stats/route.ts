// GET /api/app/orgs/:orgId/stats — the stats page's figures (JSON) or its CSV export, for the organization or a project
import { orgRoute } from '~/server/tenancy';
import { loadDashboardStats, statsCsvResponse, ZDashboardStatsQuery } from '~/server/stats/dashboard-stats';

export const GET = orgRoute({ role: 'agent', query: ZDashboardStatsQuery }, async ({ app, organizationId, query }) => {
  const report = await loadDashboardStats(app, organizationId, query);
  return query.format === 'csv' ? statsCsvResponse(report, query) : { stats: report };
});
