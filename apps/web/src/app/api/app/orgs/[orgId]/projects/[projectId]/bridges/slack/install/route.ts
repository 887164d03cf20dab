// GET /api/app/orgs/:orgId/projects/:projectId/bridges/slack/install — "Add to Slack": redirect to Slack's consent screen (admin+)
import { NextResponse } from 'next/server';
import { orgRoute, scopedProject } from '../../../../../../../../../../server/tenancy';
import { ZProjectParams } from '../../../../../../../../../../server/bridge-setup/params';
import { slackInstallUrl } from '../../../../../../../../../../server/bridge-setup/slack-setup';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = orgRoute(
  { role: 'admin', params: ZProjectParams },
  async ({ app, organizationId, params, user }) => {
    const project = await scopedProject(app, organizationId, params.projectId);
    return NextResponse.redirect(slackInstallUrl(app, { organizationId, projectId: project.id, userId: user.id }), 302);
  },
);
