// POST /api/app/orgs/:orgId/projects/:projectId/bridges/:connectionId/test — post a test message in the chat (admin+)
import { orgRoute, scopedProject } from '~/server/tenancy';
import { hitRateLimit } from '~/server/rate-limit';
import { ZConnectionParams } from '~/server/chat-apps/params';
import { sendTestMessage } from '~/server/chat-apps/connections';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = orgRoute(
  { role: 'admin', params: ZConnectionParams },
  async ({ app, origin, organizationId, params, user }) => {
    const project = await scopedProject(app, organizationId, params.projectId);
    await hitRateLimit('bridge-test', params.connectionId, 10, 60);
    return sendTestMessage(
      app,
      { organizationId, projectId: project.id, userId: user.id, origin },
      params.connectionId,
    );
  },
);
