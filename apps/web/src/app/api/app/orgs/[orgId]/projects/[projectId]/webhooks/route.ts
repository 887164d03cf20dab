// GET/POST /api/app/orgs/:orgId/projects/:projectId/webhooks — the project's webhook endpoints (admin+). Creation
// answers the signing secret once; it is never returned again.
import { ZCreateWebhookEndpoint, createWebhookEndpoint, listWebhookEndpoints } from '@pocketping/webhooks';
import { orgRoute, scopedProject } from '~/server/tenancy';
import { ZProjectParams, webhookDeps } from '~/server/webhooks/webhook-endpoints';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = orgRoute({ role: 'admin', params: ZProjectParams }, async ({ app, organizationId, params }) => {
  await scopedProject(app, organizationId, params.projectId);
  return { endpoints: await listWebhookEndpoints(webhookDeps(app), organizationId, params.projectId) };
});

export const POST = orgRoute(
  { role: 'admin', params: ZProjectParams, body: ZCreateWebhookEndpoint.omit({ projectId: true }) },
  async ({ app, organizationId, params, body }) => {
    await scopedProject(app, organizationId, params.projectId);
    return {
      ...(await createWebhookEndpoint(webhookDeps(app), organizationId, { ...body, projectId: params.projectId })),
    };
  },
);
