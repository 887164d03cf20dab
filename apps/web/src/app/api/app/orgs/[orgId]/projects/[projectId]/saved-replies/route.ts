// GET/POST /api/app/orgs/:orgId/projects/:projectId/saved-replies — the project's saved replies (any member reads,
// admins write: the project-settings permission)
import { z } from 'zod';
import { ZSavedReplyInput } from '@pocketping/protocol';
import { createSavedReply, listSavedReplies, writeAuditLog } from '@pocketping/db';
import { orgRoute, scopedProject } from '~/server/tenancy';

const ZParams = z.object({ orgId: z.string().min(1).max(64), projectId: z.string().min(1).max(64) });

export const GET = orgRoute({ role: 'agent', params: ZParams }, async ({ app, organizationId, params }) => {
  await scopedProject(app, organizationId, params.projectId);
  return { savedReplies: await listSavedReplies(app.db, organizationId, params.projectId) };
});

export const POST = orgRoute(
  { role: 'admin', params: ZParams, body: ZSavedReplyInput },
  async ({ app, organizationId, user, origin, params, body }) => {
    await scopedProject(app, organizationId, params.projectId);
    const savedReply = await createSavedReply(app.db, organizationId, params.projectId, body);
    await writeAuditLog(
      app.db,
      organizationId,
      {
        actorType: 'user',
        actorId: user.id,
        action: 'saved_reply.created',
        targetType: 'saved_reply',
        targetId: savedReply.id,
        metadata: { projectId: params.projectId, shortcut: savedReply.shortcut },
      },
      origin,
    );
    return { savedReply };
  },
);
