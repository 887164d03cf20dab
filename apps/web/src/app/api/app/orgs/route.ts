// GET/POST /api/app/orgs — the caller's organizations; create one (the creator becomes its owner)
import { userRoute } from '~/server/tenancy';
import { hitRateLimit } from '~/server/rate-limit';
import { ZCreateOrganization, createOrganization } from '~/server/projects/create-organization';
import { listMembershipsOfUser } from '@pocketping/db';

export const GET = userRoute({}, async ({ app, user }) => {
  const memberships = await listMembershipsOfUser(app.db, user.id);
  return { organizations: memberships.map((m) => ({ ...m.organization, role: m.role })) };
});

export const POST = userRoute({ body: ZCreateOrganization }, async ({ app, origin, user, body }) => {
  await hitRateLimit('org-create', user.id, 10, 3600);
  const organization = await createOrganization(app.db, user.id, body, origin);
  return { organization: { ...organization, role: 'owner' } };
});
