// POST /api/app/orgs/:orgId/projects/:projectId/conversations/:conversationId/tags — add/remove tags (like /tag, /untag)
import { z } from 'zod';
import { orgRoute } from '~/server/tenancy';
import { setTags } from '~/server/inbox/actions';

const ZParams = z.object({
  orgId: z.string().min(1).max(64),
  projectId: z.string().min(1).max(64),
  conversationId: z.string().min(1).max(64),
});
// Normalization and the per-conversation limit are the action's (changeConversationTags): one place, one message.
const ZTagList = z.array(z.string().max(200)).max(20);
const ZBody = z
  .strictObject({ add: ZTagList.optional(), remove: ZTagList.optional() })
  .refine((b) => (b.add?.length ?? 0) + (b.remove?.length ?? 0) > 0, { message: 'Nothing to add or remove.' });

export const POST = orgRoute(
  { role: 'agent', params: ZParams, body: ZBody },
  async ({ app, user, organizationId, origin, params, body }) =>
    setTags(
      { app, user, organizationId, origin, projectId: params.projectId, conversationId: params.conversationId },
      body,
    ),
);
