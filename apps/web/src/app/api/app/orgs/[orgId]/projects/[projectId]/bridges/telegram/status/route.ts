// POST /api/app/orgs/:orgId/projects/:projectId/bridges/telegram/status — poll: was /link CODE sent, is the group right? (admin+)
import { z } from 'zod';
import { orgRoute, scopedProject } from '../../../../../../../../../../server/tenancy';
import { ZProjectParams, ZSetupId } from '../../../../../../../../../../server/bridge-setup/params';
import { checkTelegramLink } from '../../../../../../../../../../server/bridge-setup/telegram-setup';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = orgRoute(
  { role: 'admin', params: ZProjectParams, body: z.object({ setupId: ZSetupId }) },
  async ({ app, organizationId, params, body }) => {
    const project = await scopedProject(app, organizationId, params.projectId);
    return checkTelegramLink(app, { organizationId, projectId: project.id, setupId: body.setupId });
  },
);
