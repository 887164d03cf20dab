// POST /api/app/orgs/:orgId/projects/:projectId/bridges/slack/connect — the bot joins the picked channel; connection stored (admin+)
import { z } from 'zod';
import { orgRoute, scopedProject } from '../../../../../../../../../../server/tenancy';
import { ZProjectParams, ZSetupId } from '../../../../../../../../../../server/bridge-setup/params';
import { connectSlackChannel } from '../../../../../../../../../../server/bridge-setup/slack-setup';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const ZBody = z.object({
  setupId: ZSetupId,
  channelId: z.string().regex(/^[CG][A-Z0-9]{2,30}$/, 'not a Slack channel id'),
});

export const POST = orgRoute(
  { role: 'admin', params: ZProjectParams, body: ZBody },
  async ({ app, organizationId, params, user, body }) => {
    const project = await scopedProject(app, organizationId, params.projectId);
    return connectSlackChannel(app, { organizationId, projectId: project.id, userId: user.id }, body);
  },
);
