// GET/POST /api/app/orgs/:orgId/projects — list the organization's projects; create one (admin)
import { orgRoute } from '../../../../../../server/tenancy';
import { ZCreateProject, createProject } from '../../../../../../server/projects/create-project';

export const GET = orgRoute({ role: 'agent' }, async ({ app, organizationId }) => {
  const projects = await app.db.project.findMany({
    where: { organizationId },
    orderBy: { createdAt: 'asc' },
    select: { id: true, name: true, siteUrl: true, publicKey: true, widgetFirstSeenAt: true, createdAt: true },
  });
  return { projects };
});

export const POST = orgRoute({ role: 'admin', body: ZCreateProject }, async ({ app, organizationId, user, body }) => {
  const project = await createProject(app.db, { organizationId, userId: user.id, webPublicUrl: app.env.WEB_PUBLIC_URL }, body);
  return { project };
});
