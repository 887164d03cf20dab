// DELETE /api/app/orgs/:orgId/invitations/:invitationId — revoke a pending invitation (its link stops working)
import { z } from 'zod';
import { orgRoute } from '~/server/tenancy';
import { revokeInvitation } from '~/server/team/invitations';

const ZParams = z.object({ orgId: z.string().min(1).max(64), invitationId: z.string().min(1).max(64) });

export const DELETE = orgRoute(
  { role: 'admin', params: ZParams },
  async ({ app, origin, user, organizationId, membershipId, role, params }) => {
    await revokeInvitation(
      app.db,
      { organizationId, userId: user.id, origin, membershipId, role },
      params.invitationId,
    );
    return { ok: true };
  },
);
