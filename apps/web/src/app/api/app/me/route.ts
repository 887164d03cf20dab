// GET /api/app/me — the signed-in user and their organizations (works before the email is confirmed)
import { userRoute } from '~/server/tenancy';
import { listMembershipsOfUser } from '@pocketping/db';

export const GET = userRoute({ allowUnverified: true }, async ({ app, user }) => {
  const memberships = await listMembershipsOfUser(app.db, user.id);
  return {
    user: { id: user.id, email: user.email, name: user.name, emailVerified: Boolean(user.emailVerified) },
    organizations: memberships.map((m) => ({ id: m.organization.id, name: m.organization.name, role: m.role })),
  };
});
