// GET/POST /api/app/orgs/:orgId/projects — list the organization's projects; create one (admin)
import { orgRoute } from '~/server/tenancy';
import { ZCreateProject, createProject } from '~/server/projects/create-project';
import { listProjectSummaries } from '@pocketping/db';

export const GET = orgRoute({ role: 'agent' }, async ({ app, organizationId }) => {
  const projects = await listProjectSummaries(app.db, organizationId);
  return { projects };
});

export const POST = orgRoute(
  { role: 'admin', body: ZCreateProject },
  async ({ app, origin, organizationId, user, body }) => {
    const project = await createProject(
      app.db,
      {
        organizationId,
        userId: user.id,
        origin,
        webPublicUrl: app.env.WEB_PUBLIC_URL,
        entitlements: await app.limits.entitlements(organizationId),
      },
      body,
    );
    return { project };
  },
);
