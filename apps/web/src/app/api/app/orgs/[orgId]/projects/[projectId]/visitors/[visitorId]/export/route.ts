// GET /api/app/orgs/:orgId/projects/:projectId/visitors/:visitorId/export — everything stored about the visitor, as a JSON download
import { z } from 'zod';
import { orgRoute } from '~/server/tenancy';
import { exportVisitor } from '~/server/privacy/visitor-rights';

const ZParams = z.object({
  orgId: z.string().min(1).max(64),
  projectId: z.string().min(1).max(64),
  visitorId: z.string().min(1).max(64),
});

export const GET = orgRoute(
  { role: 'admin', params: ZParams },
  async ({ app, origin, user, organizationId, params }) => {
    const data = await exportVisitor(app, { organizationId, projectId: params.projectId }, params.visitorId, {
      type: 'user',
      id: user.id,
      origin,
    });
    return new Response(JSON.stringify(data, null, 2), {
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="visitor-${params.visitorId}.json"`,
        'cache-control': 'no-store',
      },
    });
  },
);
