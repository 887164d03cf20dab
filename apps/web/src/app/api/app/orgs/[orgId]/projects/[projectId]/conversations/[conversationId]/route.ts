// GET /api/app/orgs/:orgId/projects/:projectId/conversations/:conversationId — messages (notes included) + visitor details
import { z } from 'zod';
import { orgRoute } from '~/server/tenancy';
import { getConversationView } from '~/server/inbox/conversations';

const ZParams = z.object({
  orgId: z.string().min(1).max(64),
  projectId: z.string().min(1).max(64),
  conversationId: z.string().min(1).max(64),
});

export const GET = orgRoute({ role: 'agent', params: ZParams }, async ({ app, organizationId, params }) => {
  return { conversation: await getConversationView(app.db, organizationId, params.projectId, params.conversationId) };
});
