// POST /api/v1/webhook-endpoints/:endpointId/deliveries/:deliveryId/replay — send a delivery again
import { replayWebhookDelivery } from '~/server/api-v1/operations/webhooks';

export const POST = replayWebhookDelivery;
