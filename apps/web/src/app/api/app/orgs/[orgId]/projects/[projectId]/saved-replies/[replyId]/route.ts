// PUT/DELETE /api/app/orgs/:orgId/projects/:projectId/saved-replies/:replyId — edit or remove a saved reply (admins)
import { z } from 'zod';
import { ZSavedReplyInput } from '@pocketping/protocol';
import { deleteSavedReply, updateSavedReply, writeAuditLog, type TAuditOrigin } from '@pocketping/db';
import { orgRoute } from '~/server/tenancy';
import type { TWebContext } from '~/server/context';

const ZParams = z.object({
  orgId: z.string().min(1).max(64),
  projectId: z.string().min(1).max(64),
  replyId: z.string().min(1).max(64),
});

export const PUT = orgRoute(
  { role: 'admin', params: ZParams, body: ZSavedReplyInput },
  async ({ app, organizationId, user, origin, params, body }) => {
    const savedReply = await updateSavedReply(app.db, organizationId, params.projectId, params.replyId, body);
    await audit(app, organizationId, { userId: user.id, origin }, 'saved_reply.updated', params, savedReply.shortcut);
    return { savedReply };
  },
);

export const DELETE = orgRoute(
  { role: 'admin', params: ZParams },
  async ({ app, organizationId, user, origin, params }) => {
    await deleteSavedReply(app.db, organizationId, params.projectId, params.replyId);
    await audit(app, organizationId, { userId: user.id, origin }, 'saved_reply.deleted', params);
    return { deleted: true };
  },
);

function audit(
  app: TWebContext,
  organizationId: string,
  by: { userId: string; origin: TAuditOrigin },
  action: string,
  params: z.infer<typeof ZParams>,
  shortcut?: string,
): Promise<void> {
  return writeAuditLog(
    app.db,
    organizationId,
    {
      actorType: 'user',
      actorId: by.userId,
      action,
      targetType: 'saved_reply',
      targetId: params.replyId,
      metadata: { projectId: params.projectId, ...(shortcut ? { shortcut } : {}) },
    },
    by.origin,
  );
}
