// GET /api/app/orgs/:orgId/projects/:projectId/bridges/slack/install — "Add to Slack": redirect to Slack's consent screen (admin+)
import { NextResponse } from 'next/server';
import { orgRoute, scopedProject } from '../../../../../../../../../../server/tenancy';
import { chatAppRoom } from '../../../../../../../../../../server/billing/chat-app-guard';
import { ZProjectParams } from '../../../../../../../../../../server/bridge-setup/params';
import { slackInstallUrl } from '../../../../../../../../../../server/bridge-setup/slack-setup';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = orgRoute(
  { role: 'admin', params: ZProjectParams },
  async ({ app, organizationId, params, user }) => {
    const project = await scopedProject(app, organizationId, params.projectId);
    // A full project goes back to its page with the plan's answer instead of through Slack's consent screen.
    const room = await chatAppRoom(app, organizationId, project.id);
    if (room.full) {
      const back = new URL(`/app/o/${organizationId}/p/${project.id}/bridges`, app.env.WEB_PUBLIC_URL);
      back.searchParams.set('slackError', room.message);
      return NextResponse.redirect(back, 302);
    }
    return NextResponse.redirect(slackInstallUrl(app, { organizationId, projectId: project.id, userId: user.id }), 302);
  },
);
