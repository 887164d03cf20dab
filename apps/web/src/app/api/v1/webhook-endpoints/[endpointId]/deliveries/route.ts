// GET /api/v1/webhook-endpoints/:endpointId/deliveries — the delivery log (cursor)
import { listWebhookDeliveries } from '~/server/api-v1/operations/webhooks';

export const GET = listWebhookDeliveries;
