// GET /api/v1/webhook-endpoints — list; POST — create (answers the secret once)
import { createWebhookEndpoint, listWebhookEndpoints } from '~/server/api-v1/operations/webhooks';

export const GET = listWebhookEndpoints;
export const POST = createWebhookEndpoint;
