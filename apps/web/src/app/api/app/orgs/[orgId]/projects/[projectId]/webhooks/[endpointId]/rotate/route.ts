// POST /api/app/orgs/:orgId/projects/:projectId/webhooks/:endpointId/rotate — a new signing secret, answered once;
// the old one keeps signing (both signatures sent) for the overlap so the receiver can switch (admin+).
import { rotateWebhookSecret } from '@pocketping/webhooks';
import { orgRoute } from '~/server/tenancy';
import { ZEndpointParams, endpointOfProject, webhookDeps } from '~/server/webhooks/webhook-endpoints';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = orgRoute({ role: 'admin', params: ZEndpointParams }, async ({ app, organizationId, params }) => {
  await endpointOfProject(app, organizationId, params.projectId, params.endpointId);
  return { ...(await rotateWebhookSecret(webhookDeps(app), organizationId, params.endpointId)) };
});
