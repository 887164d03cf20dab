// DELETE /api/app/orgs/:orgId/projects/:projectId/bridges/:connectionId — disconnect a chat app (admin+)
import { orgRoute, scopedProject } from '~/server/tenancy';
import { ZConnectionParams } from '~/server/chat-apps/params';
import { disconnect } from '~/server/chat-apps/connections';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const DELETE = orgRoute(
  { role: 'admin', params: ZConnectionParams },
  async ({ app, origin, organizationId, params, user }) => {
    const project = await scopedProject(app, organizationId, params.projectId);
    return disconnect(app, { organizationId, projectId: project.id, userId: user.id, origin }, params.connectionId);
  },
);
