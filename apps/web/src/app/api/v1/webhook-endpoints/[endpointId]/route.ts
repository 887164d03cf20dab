// GET/PATCH/DELETE /api/v1/webhook-endpoints/:endpointId
import { deleteWebhookEndpoint, getWebhookEndpoint, updateWebhookEndpoint } from '~/server/api-v1/operations/webhooks';

export const GET = getWebhookEndpoint;
export const PATCH = updateWebhookEndpoint;
export const DELETE = deleteWebhookEndpoint;
