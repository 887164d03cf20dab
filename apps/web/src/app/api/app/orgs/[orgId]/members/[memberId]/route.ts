// PATCH /api/app/orgs/:orgId/members/:memberId — change a role; DELETE — remove a member, or leave (own membership)
import { z } from 'zod';
import { orgRoute } from '~/server/tenancy';
import { changeMemberRole, removeMember } from '~/server/team/members';
import { INVITABLE_ROLES } from '~/server/team/roles';

const ZParams = z.object({ orgId: z.string().min(1).max(64), memberId: z.string().min(1).max(64) });
const ZBody = z.object({ role: z.enum(INVITABLE_ROLES) });

export const PATCH = orgRoute(
  { role: 'admin', params: ZParams, body: ZBody },
  async ({ app, origin, user, organizationId, membershipId, role, params, body }) => ({
    member: await changeMemberRole(
      app.db,
      { organizationId, userId: user.id, origin, membershipId, role },
      params.memberId,
      body.role,
    ),
  }),
);

// Declared 'agent' because anyone may leave; who may remove whom is decided in removeMember (server/team/roles.ts).
export const DELETE = orgRoute(
  { role: 'agent', params: ZParams },
  async ({ app, origin, user, organizationId, membershipId, role, params }) =>
    removeMember(app.db, { organizationId, userId: user.id, origin, membershipId, role }, params.memberId),
);
