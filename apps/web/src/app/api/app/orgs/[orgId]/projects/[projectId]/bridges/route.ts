// GET /api/app/orgs/:orgId/projects/:projectId/bridges — the project's chat-app connections with their health (admin+)
import { orgRoute, scopedProject } from '~/server/tenancy';
import { ZProjectParams } from '~/server/chat-apps/params';
import { listProjectConnections } from '~/server/chat-apps/connections';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = orgRoute({ role: 'admin', params: ZProjectParams }, async ({ app, organizationId, params }) => {
  const project = await scopedProject(app, organizationId, params.projectId);
  return { connections: await listProjectConnections(app, organizationId, project.id) };
});
