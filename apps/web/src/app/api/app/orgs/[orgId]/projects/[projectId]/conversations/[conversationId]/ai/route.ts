// POST /api/app/orgs/:orgId/projects/:projectId/conversations/:conversationId/ai — AI off / hand back to AI (like /ai)
import { z } from 'zod';
import { orgRoute } from '~/server/tenancy';
import { setConversationAi } from '~/server/inbox/actions';

const ZParams = z.object({
  orgId: z.string().min(1).max(64),
  projectId: z.string().min(1).max(64),
  conversationId: z.string().min(1).max(64),
});
const ZBody = z.strictObject({ on: z.boolean() });

export const POST = orgRoute(
  { role: 'agent', params: ZParams, body: ZBody },
  async ({ app, user, organizationId, params, body }) =>
    setConversationAi(
      { app, user, organizationId, projectId: params.projectId, conversationId: params.conversationId },
      body.on,
    ),
);
