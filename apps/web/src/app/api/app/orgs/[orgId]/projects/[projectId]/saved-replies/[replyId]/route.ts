// PUT/DELETE /api/app/orgs/:orgId/projects/:projectId/saved-replies/:replyId — edit or remove a saved reply (admins)
import { z } from 'zod';
import { ZSavedReplyInput } from '@pocketping/protocol';
import { deleteSavedReply, updateSavedReply } from '@pocketping/db';
import { orgRoute } from '~/server/tenancy';

const ZParams = z.object({
  orgId: z.string().min(1).max(64),
  projectId: z.string().min(1).max(64),
  replyId: z.string().min(1).max(64),
});

export const PUT = orgRoute(
  { role: 'admin', params: ZParams, body: ZSavedReplyInput },
  async ({ app, organizationId, params, body }) => ({
    savedReply: await updateSavedReply(app.db, organizationId, params.projectId, params.replyId, body),
  }),
);

export const DELETE = orgRoute({ role: 'admin', params: ZParams }, async ({ app, organizationId, params }) => {
  await deleteSavedReply(app.db, organizationId, params.projectId, params.replyId);
  return { deleted: true };
});
