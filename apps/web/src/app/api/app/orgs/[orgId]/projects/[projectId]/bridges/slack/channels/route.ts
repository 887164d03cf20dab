// GET /api/app/orgs/:orgId/projects/:projectId/bridges/slack/channels?setupId=… — public channels to pick from (admin+)
import { z } from 'zod';
import { orgRoute, scopedProject } from '../../../../../../../../../../server/tenancy';
import { ZProjectParams, ZSetupId } from '../../../../../../../../../../server/bridge-setup/params';
import { describeSlackSetup } from '../../../../../../../../../../server/bridge-setup/slack-setup';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = orgRoute(
  { role: 'admin', params: ZProjectParams, query: z.object({ setupId: ZSetupId }) },
  async ({ app, organizationId, params, query }) => {
    const project = await scopedProject(app, organizationId, params.projectId);
    return describeSlackSetup(app, { organizationId, projectId: project.id }, query.setupId);
  },
);
