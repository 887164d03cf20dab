// POST/DELETE /api/app/orgs/:orgId/projects/:projectId/identity-secret — generate/rotate (shown once) or remove (admin)
import { z } from 'zod';
import { orgRoute, scopedProject } from '~/server/tenancy';
import { removeIdentitySecret, rotateIdentitySecret } from '~/server/projects/identity-secret';

const ZParams = z.object({ orgId: z.string().min(1).max(64), projectId: z.string().min(1).max(64) });

export const POST = orgRoute(
  { role: 'admin', params: ZParams },
  async ({ app, origin, organizationId, user, params }) => {
    await scopedProject(app, organizationId, params.projectId);
    const { secret, setAt } = await rotateIdentitySecret(app.db, app.keyRing, {
      organizationId,
      projectId: params.projectId,
      userId: user.id,
      origin,
    });
    // The only response that ever carries the secret; the client shows it once.
    return new Response(JSON.stringify({ secret, setAt }), {
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    });
  },
);

export const DELETE = orgRoute(
  { role: 'admin', params: ZParams },
  async ({ app, origin, organizationId, user, params }) => {
    await removeIdentitySecret(app.db, { organizationId, projectId: params.projectId, userId: user.id, origin });
    return { ok: true };
  },
);
