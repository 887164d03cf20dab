// POST /api/app/orgs/:orgId/members/:memberId/transfer-ownership — the member becomes owner, the caller admin
import { z } from 'zod';
import { orgRoute } from '~/server/tenancy';
import { transferOwnership } from '~/server/team/members';

const ZParams = z.object({ orgId: z.string().min(1).max(64), memberId: z.string().min(1).max(64) });

export const POST = orgRoute(
  { role: 'owner', params: ZParams, body: z.object({}).strict() },
  async ({ app, origin, user, organizationId, membershipId, role, params }) => {
    await transferOwnership(app.db, { organizationId, userId: user.id, origin, membershipId, role }, params.memberId);
    return { ok: true };
  },
);
