// GET /api/app/orgs/:orgId/projects/:projectId/bridges/discord/channels?guildId=… — text channels + the bot's missing permissions (admin+)
import { z } from 'zod';
import { orgRoute, scopedProject } from '../../../../../../../../../../server/tenancy';
import { ZDiscordId, ZProjectParams } from '../../../../../../../../../../server/bridge-setup/params';
import { discordChannels } from '../../../../../../../../../../server/bridge-setup/discord-setup';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = orgRoute(
  { role: 'admin', params: ZProjectParams, query: z.object({ guildId: ZDiscordId }) },
  async ({ app, organizationId, params, query }) => {
    await scopedProject(app, organizationId, params.projectId);
    return discordChannels(app, organizationId, params.projectId, query.guildId);
  },
);
