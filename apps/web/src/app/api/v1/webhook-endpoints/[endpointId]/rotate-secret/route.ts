// POST /api/v1/webhook-endpoints/:endpointId/rotate-secret — a new secret, the old one overlaps 24 h
import { rotateWebhookEndpointSecret } from '~/server/api-v1/operations/webhooks';

export const POST = rotateWebhookEndpointSecret;
