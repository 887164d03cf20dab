// GET /api/app/orgs/:orgId/members — the team (any member may see who else is in it)
import { orgRoute } from '~/server/tenancy';
import { listMembers } from '~/server/team/members';

export const GET = orgRoute({ role: 'agent' }, async ({ app, organizationId }) => ({
  members: await listMembers(app.db, organizationId),
}));
