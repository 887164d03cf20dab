// POST /api/app/orgs/:orgId/projects/:projectId/conversations/:conversationId/status — close or reopen (like /close, /reopen)
import { z } from 'zod';
import { orgRoute } from '~/server/tenancy';
import { setStatus } from '~/server/inbox/actions';

const ZParams = z.object({
  orgId: z.string().min(1).max(64),
  projectId: z.string().min(1).max(64),
  conversationId: z.string().min(1).max(64),
});
const ZBody = z.object({ status: z.enum(['open', 'closed']) });

export const POST = orgRoute(
  { role: 'agent', params: ZParams, body: ZBody },
  async ({ app, user, organizationId, params, body }) => {
    return setStatus(
      { app, user, organizationId, projectId: params.projectId, conversationId: params.conversationId },
      body.status,
    );
  },
);
