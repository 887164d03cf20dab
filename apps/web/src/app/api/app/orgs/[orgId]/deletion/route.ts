// POST /api/app/orgs/:orgId/deletion — schedule the organization's deletion (owner); DELETE — cancel it (owner)
import { z } from 'zod';
import { orgRoute } from '~/server/tenancy';
import { cancelOrganizationDeletionRequest, deleteOrganization } from '~/server/privacy/organization-deletion';
import { clientIp } from '~/server/rate-limit';

const ZParams = z.object({ orgId: z.string().min(1).max(64) });

export const POST = orgRoute(
  { role: 'owner', params: ZParams, body: z.object({ confirmName: z.string().max(200) }).strict() },
  async ({ app, organizationId, user, body, req }) => ({
    ok: true,
    ...(await deleteOrganization(app, {
      organizationId,
      userId: user.id,
      confirmName: body.confirmName,
      ip: clientIp(req.headers),
    })),
  }),
);

export const DELETE = orgRoute(
  { role: 'owner', params: ZParams, body: z.object({}).strict() },
  async ({ app, organizationId, user, req }) => {
    await cancelOrganizationDeletionRequest(app, { organizationId, userId: user.id, ip: clientIp(req.headers) });
    return { ok: true };
  },
);
