// POST /api/app/orgs/:orgId/projects/:projectId/webhooks/:endpointId/test — queues a signed `webhook.test` event for
// this endpoint through the normal delivery path; the log shows how it went (admin+).
import { sendTestWebhookEvent } from '@pocketping/webhooks';
import { hitRateLimit } from '~/server/rate-limit';
import { orgRoute } from '~/server/tenancy';
import { ZEndpointParams, endpointOfProject, webhookDeps } from '~/server/webhooks/webhook-endpoints';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = orgRoute({ role: 'admin', params: ZEndpointParams }, async ({ app, organizationId, params }) => {
  await endpointOfProject(app, organizationId, params.projectId, params.endpointId);
  await hitRateLimit('webhook-test', params.endpointId, 10, 60);
  return { delivery: await sendTestWebhookEvent(webhookDeps(app), organizationId, params.endpointId) };
});
