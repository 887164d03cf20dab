// GET /api/app/orgs/:orgId/invitations — pending invitations; POST — invite an email address (mails a 7-day link)
import { z } from 'zod';
import { orgRoute } from '~/server/tenancy';
import { createInvitation, listPendingInvitations } from '~/server/team/invitations';
import { INVITABLE_ROLES } from '~/server/team/roles';

const ZBody = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email().max(254)),
  role: z.enum(INVITABLE_ROLES).default('agent'),
});

export const GET = orgRoute({ role: 'admin' }, async ({ app, organizationId }) => ({
  invitations: await listPendingInvitations(app.db, organizationId),
}));

export const POST = orgRoute(
  { role: 'admin', body: ZBody },
  async ({ app, origin, user, organizationId, membershipId, role, body }) => ({
    invitation: await createInvitation(
      app,
      { organizationId, userId: user.id, origin, membershipId, role, name: user.name, email: user.email },
      body,
    ),
  }),
);
