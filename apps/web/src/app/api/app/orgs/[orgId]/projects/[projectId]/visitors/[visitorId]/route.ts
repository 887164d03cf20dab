// DELETE /api/app/orgs/:orgId/projects/:projectId/visitors/:visitorId — erase the visitor (GDPR), owners and admins
import { z } from 'zod';
import { orgRoute } from '~/server/tenancy';
import { eraseVisitor } from '~/server/privacy/visitor-rights';

const ZParams = z.object({
  orgId: z.string().min(1).max(64),
  projectId: z.string().min(1).max(64),
  visitorId: z.string().min(1).max(64),
});

export const DELETE = orgRoute(
  { role: 'admin', params: ZParams, body: z.object({}).strict() },
  async ({ app, origin, user, organizationId, params }) => {
    const erased = await eraseVisitor(app, { organizationId, projectId: params.projectId }, params.visitorId, {
      type: 'user',
      id: user.id,
      origin,
    });
    return { ok: true, ...erased };
  },
);
