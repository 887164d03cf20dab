// POST …/webhooks/:endpointId/deliveries/:deliveryId/replay — sends that event again (same webhook-id, same payload)
// at the end of its conversation's line (admin+).
import { AppError } from '@pocketping/core';
import { getWebhookDelivery, replayWebhookDelivery } from '@pocketping/webhooks';
import { orgRoute } from '~/server/tenancy';
import { ZDeliveryParams, endpointOfProject, webhookDeps } from '~/server/webhooks/webhook-endpoints';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = orgRoute({ role: 'admin', params: ZDeliveryParams }, async ({ app, organizationId, params }) => {
  await endpointOfProject(app, organizationId, params.projectId, params.endpointId);
  const deps = webhookDeps(app);
  const d = await getWebhookDelivery(deps, organizationId, params.deliveryId);
  if (d.endpointId !== params.endpointId) throw new AppError('not_found', 'Webhook delivery not found');
  return { delivery: await replayWebhookDelivery(deps, organizationId, params.deliveryId) };
});
