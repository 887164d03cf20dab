// POST /api/v1/webhook-endpoints/:endpointId/test — a webhook.test delivery
import { sendWebhookTestEvent } from '~/server/api-v1/operations/webhooks';

export const POST = sendWebhookTestEvent;
