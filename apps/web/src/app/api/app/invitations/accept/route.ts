// POST /api/app/invitations/accept — join the organization of an invitation (signed in with the invited, confirmed email)
import { z } from 'zod';
import { userRoute } from '~/server/tenancy';
import { acceptInvitation } from '~/server/team/invitations';

export const POST = userRoute(
  { body: z.object({ token: z.string().min(1).max(200) }) },
  async ({ app, origin, user, body }) => acceptInvitation(app, user, body.token, origin),
);
