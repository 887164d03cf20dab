// POST /api/app/orgs/:orgId/projects/:projectId/bridges/discord/connect — permission check in the channel, then connect (admin+)
import { z } from 'zod';
import { orgRoute, scopedProject } from '../../../../../../../../../../server/tenancy';
import { ZDiscordId, ZProjectParams } from '../../../../../../../../../../server/bridge-setup/params';
import { connectDiscordChannel } from '../../../../../../../../../../server/bridge-setup/discord-setup';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = orgRoute(
  { role: 'admin', params: ZProjectParams, body: z.object({ guildId: ZDiscordId, channelId: ZDiscordId }) },
  async ({ app, organizationId, params, user, body }) => {
    const project = await scopedProject(app, organizationId, params.projectId);
    return connectDiscordChannel(app, { organizationId, projectId: project.id, userId: user.id }, body);
  },
);
