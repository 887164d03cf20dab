// POST /api/app/orgs/:orgId/deletion — schedule the organization's deletion (owner); DELETE — cancel it (owner)
import { z } from 'zod';
import { orgRoute } from '~/server/tenancy';
import { cancelOrganizationDeletionRequest, deleteOrganization } from '~/server/privacy/organization-deletion';

const ZParams = z.object({ orgId: z.string().min(1).max(64) });

export const POST = orgRoute(
  { role: 'owner', params: ZParams, body: z.object({ confirmName: z.string().max(200) }).strict() },
  async ({ app, origin, organizationId, user, body }) => ({
    ok: true,
    ...(await deleteOrganization(app, {
      organizationId,
      userId: user.id,
      confirmName: body.confirmName,
      origin,
    })),
  }),
);

export const DELETE = orgRoute(
  { role: 'owner', params: ZParams, body: z.object({}).strict() },
  async ({ app, origin, organizationId, user }) => {
    await cancelOrganizationDeletionRequest(app, { organizationId, userId: user.id, origin });
    return { ok: true };
  },
);
