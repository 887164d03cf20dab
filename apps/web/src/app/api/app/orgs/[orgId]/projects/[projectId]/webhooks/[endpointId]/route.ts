// GET/PATCH/DELETE /api/app/orgs/:orgId/projects/:projectId/webhooks/:endpointId — one endpoint with its delivery
// log (status, latency, answer excerpt per attempt), its settings, or its removal (admin+).
import {
  ZListWebhookDeliveries,
  ZUpdateWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookDeliveries,
  updateWebhookEndpoint,
} from '@pocketping/webhooks';
import { orgRoute } from '~/server/tenancy';
import { ZEndpointParams, endpointOfProject, webhookDeps } from '~/server/webhooks/webhook-endpoints';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = orgRoute(
  { role: 'admin', params: ZEndpointParams, query: ZListWebhookDeliveries },
  async ({ app, organizationId, params, query }) => {
    const endpoint = await endpointOfProject(app, organizationId, params.projectId, params.endpointId);
    const log = await listWebhookDeliveries(webhookDeps(app), organizationId, endpoint.id, query);
    return { endpoint, ...log };
  },
);

export const PATCH = orgRoute(
  { role: 'admin', params: ZEndpointParams, body: ZUpdateWebhookEndpoint },
  async ({ app, organizationId, params, body }) => {
    await endpointOfProject(app, organizationId, params.projectId, params.endpointId);
    return { endpoint: await updateWebhookEndpoint(webhookDeps(app), organizationId, params.endpointId, body) };
  },
);

export const DELETE = orgRoute({ role: 'admin', params: ZEndpointParams }, async ({ app, organizationId, params }) => {
  await endpointOfProject(app, organizationId, params.projectId, params.endpointId);
  await deleteWebhookEndpoint(webhookDeps(app), organizationId, params.endpointId);
  return { ok: true };
});
