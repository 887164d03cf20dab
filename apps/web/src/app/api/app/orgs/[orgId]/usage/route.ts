// GET /api/app/orgs/:orgId/usage — the organization's meters this month, plan and paused projects (any member)
import { orgRoute } from '~/server/tenancy';
import { loadUsageView } from '~/server/billing/usage-view';

export const GET = orgRoute({ role: 'agent' }, async ({ app, organizationId }) => ({
  usage: await loadUsageView(app, organizationId),
}));
