// POST /api/app/orgs/:orgId/projects/:projectId/conversations/:conversationId/read — the team read up to seq
import { z } from 'zod';
import { orgRoute } from '~/server/tenancy';
import { markRead } from '~/server/inbox/actions';

const ZParams = z.object({
  orgId: z.string().min(1).max(64),
  projectId: z.string().min(1).max(64),
  conversationId: z.string().min(1).max(64),
});
const ZBody = z.object({ seq: z.number().int().min(0).max(2_147_483_647) });

export const POST = orgRoute(
  { role: 'agent', params: ZParams, body: ZBody },
  async ({ app, user, organizationId, params, body }) => {
    return markRead(
      { app, user, organizationId, projectId: params.projectId, conversationId: params.conversationId },
      body.seq,
    );
  },
);
