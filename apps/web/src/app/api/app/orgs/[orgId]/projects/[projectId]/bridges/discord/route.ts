// GET /api/app/orgs/:orgId/projects/:projectId/bridges/discord — signed bot-install link and the server this project was granted (admin+)
import { orgRoute, scopedProject } from '../../../../../../../../../server/tenancy';
import { assertChatAppRoom } from '../../../../../../../../../server/billing/chat-app-guard';
import { ZProjectParams } from '../../../../../../../../../server/bridge-setup/params';
import { discordOverview } from '../../../../../../../../../server/bridge-setup/discord-setup';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = orgRoute(
  { role: 'admin', params: ZProjectParams },
  async ({ app, organizationId, params, user }) => {
    await scopedProject(app, organizationId, params.projectId);
    await assertChatAppRoom(app, organizationId, params.projectId);
    return discordOverview(app, { organizationId, projectId: params.projectId, userId: user.id });
  },
);
