// POST /api/app/orgs/:orgId/projects/:projectId/conversations/:conversationId/assignee — assign to a member or nobody (like /assign)
import { z } from 'zod';
import { orgRoute } from '~/server/tenancy';
import { setAssignee } from '~/server/inbox/actions';

const ZParams = z.object({
  orgId: z.string().min(1).max(64),
  projectId: z.string().min(1).max(64),
  conversationId: z.string().min(1).max(64),
});
const ZBody = z.strictObject({ assigneeId: z.string().min(1).max(64).nullable() });

export const POST = orgRoute(
  { role: 'agent', params: ZParams, body: ZBody },
  async ({ app, user, organizationId, origin, params, body }) =>
    setAssignee(
      { app, user, organizationId, origin, projectId: params.projectId, conversationId: params.conversationId },
      body.assigneeId,
    ),
);
