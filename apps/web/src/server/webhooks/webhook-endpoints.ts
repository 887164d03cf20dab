// The dashboard's side of outbound webhooks: the domain of @pocketping/webhooks with the web app's context. The
// tenant comes from the tenancy wrapper; an endpoint must also belong to the project in the URL.
import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { getWebhookEndpoint, type TWebhookDeps } from '@pocketping/webhooks';
import type { TWebContext as TAppContext } from '../context';

export function webhookDeps(app: TAppContext): TWebhookDeps {
  return { db: app.db, keyRing: app.keyRing, fetchAllow: app.env.WEBHOOK_FETCH_ALLOW };
}

const ZId = z.string().min(1).max(64);
export const ZProjectParams = z.object({ orgId: ZId, projectId: ZId });
export const ZEndpointParams = ZProjectParams.extend({ endpointId: ZId });
export const ZDeliveryParams = ZEndpointParams.extend({ deliveryId: ZId });

/** The endpoint, if it is this organization's AND this project's (else 404, like another tenant's). */
export async function endpointOfProject(
  app: TAppContext,
  organizationId: string,
  projectId: string,
  endpointId: string,
) {
  const e = await getWebhookEndpoint(webhookDeps(app), organizationId, endpointId);
  if (e.projectId !== projectId) throw new AppError('not_found', 'Webhook endpoint not found');
  return e;
}
