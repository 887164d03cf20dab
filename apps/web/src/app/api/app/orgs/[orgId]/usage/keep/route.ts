// POST /api/app/orgs/:orgId/usage/keep — after a downgrade, which projects (or one project's chat apps) stay active (owner)
import { z } from 'zod';
import { keepOnlyChatApps, keepOnlyProjects, writeAuditLog } from '@pocketping/db';
import { orgRoute } from '~/server/tenancy';

const ZId = z.string().min(1).max(64);
const ZBody = z.union([
  z.object({ projectIds: z.array(ZId).min(1).max(1000) }).strict(),
  z.object({ projectId: ZId, connectionIds: z.array(ZId).min(1).max(100) }).strict(),
]);

export const POST = orgRoute({ role: 'owner', body: ZBody }, async ({ app, origin, organizationId, user, body }) => {
  const { limits } = await app.limits.entitlements(organizationId);
  if ('projectIds' in body) {
    await keepOnlyProjects(app.db, organizationId, body.projectIds, limits.projects);
  } else {
    await keepOnlyChatApps(app.db, organizationId, body.projectId, body.connectionIds, limits.chatAppsPerProject);
  }
  await writeAuditLog(
    app.db,
    organizationId,
    {
      actorType: 'user',
      actorId: user.id,
      action: 'plan.kept',
      targetType: 'organization',
      targetId: organizationId,
      metadata: body,
    },
    origin,
  );
  return { ok: true };
});
