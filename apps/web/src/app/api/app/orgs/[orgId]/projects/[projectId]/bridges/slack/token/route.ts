// POST /api/app/orgs/:orgId/projects/:projectId/bridges/slack/token — the manual option: check a bot token (admin+)
import { z } from 'zod';
import { orgRoute, scopedProject } from '../../../../../../../../../../server/tenancy';
import { hitRateLimit } from '../../../../../../../../../../server/rate-limit';
import { assertChatAppRoom } from '../../../../../../../../../../server/billing/chat-app-guard';
import { ZProjectParams } from '../../../../../../../../../../server/bridge-setup/params';
import { startSlackWithToken } from '../../../../../../../../../../server/bridge-setup/slack-setup';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = orgRoute(
  { role: 'admin', params: ZProjectParams, body: z.object({ botToken: z.string().min(1).max(300) }) },
  async ({ app, organizationId, params, user, body }) => {
    const project = await scopedProject(app, organizationId, params.projectId);
    await assertChatAppRoom(app, organizationId, project.id);
    await hitRateLimit('bridge-token', user.id, 30, 600);
    return startSlackWithToken(app, {
      organizationId,
      projectId: project.id,
      userId: user.id,
      botToken: body.botToken,
    });
  },
);
