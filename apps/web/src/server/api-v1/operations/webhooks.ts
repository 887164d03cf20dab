import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { getApiProject, listApiProjects, type TWebhookAttempt, type TWebhookDelivery } from '@pocketping/db';
import {
  createWebhookEndpoint as createEndpoint,
  deleteWebhookEndpoint as deleteEndpoint,
  getWebhookDelivery,
  getWebhookEndpoint as getEndpoint,
  listWebhookDeliveries as listDeliveries,
  listWebhookEndpoints as listEndpoints,
  replayWebhookDelivery as replayDelivery,
  rotateWebhookSecret,
  sendTestWebhookEvent,
  updateWebhookEndpoint as updateEndpoint,
  ZWebhookEvents,
  ZWebhookUrl,
  type TWebhookEndpointView,
} from '@pocketping/webhooks';
import { apiOperation, type TApiTenantContext } from '../api-route';
import type { TWebContext } from '../../context';
import { webhookDeps } from '../../webhooks/webhook-endpoints';
import { one, page, ZApiWebhookDelivery, ZApiWebhookEndpoint, ZCursor, ZId } from '../schemas';

/**
 * Outbound webhook endpoints over /api/v1: the domain of @pocketping/webhooks (the same functions as the dashboard's
 * Webhooks page) with the API key's tenant. An endpoint of another organization — or, for a project-restricted key,
 * of another project — answers 404 like an unknown id.
 */

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const toApiEndpoint = (e: TWebhookEndpointView) => ({
  id: e.id,
  projectId: e.projectId,
  url: e.url,
  description: e.description,
  events: e.events,
  status: e.status,
  disabledReason: e.disabledReason,
  failingSince: iso(e.failingSince),
  previousSecretExpiresAt: iso(e.previousSecretExpiresAt),
  createdAt: e.createdAt.toISOString(),
  updatedAt: e.updatedAt.toISOString(),
});

const toApiDelivery = (d: TWebhookDelivery & { attemptLog?: TWebhookAttempt[] }) => ({
  id: d.id,
  endpointId: d.endpointId,
  projectId: d.projectId,
  eventId: d.eventId,
  eventType: d.eventType,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.nextAttemptAt.toISOString(),
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  createdAt: d.createdAt.toISOString(),
  deliveredAt: iso(d.deliveredAt),
  payload: d.payload,
  attemptLog: (d.attemptLog ?? []).map((a) => ({
    attempt: a.attempt,
    status: a.status,
    ok: a.ok,
    latencyMs: a.latencyMs,
    response: a.response,
    createdAt: a.createdAt.toISOString(),
  })),
});

const notFound = () => new AppError('not_found', 'Webhook endpoint not found.');

/** The endpoint if it is the tenant's and inside the key's project restriction; else 404. */
async function loadEndpoint(app: TWebContext, tenant: TApiTenantContext, endpointId: string) {
  const e = await getEndpoint(webhookDeps(app), tenant.organizationId, endpointId);
  if (tenant.projectId && e.projectId !== tenant.projectId) throw notFound();
  return e;
}

const ZEndpointParams = z.strictObject({ endpointId: ZId });
const ZWithSecret = z.object({
  data: ZApiWebhookEndpoint,
  secret: z.string().describe('The signing secret (whsec_…). Shown this once: store it now.'),
});

export const listWebhookEndpoints = apiOperation(
  {
    operationId: 'listWebhookEndpoints',
    method: 'GET',
    path: '/webhook-endpoints',
    tag: 'Webhooks',
    summary: 'Webhook endpoints (of one project, or of every project the key reaches)',
    query: z.strictObject({ projectId: ZId.optional() }),
    response: z.object({ data: z.array(ZApiWebhookEndpoint) }),
  },
  async ({ app, tenant, query }) => {
    if (tenant.projectId && query.projectId && query.projectId !== tenant.projectId) return { data: [] };
    const projectIds = query.projectId ? [query.projectId] : (await listApiProjects(app.db, tenant)).map((p) => p.id);
    const data = [];
    for (const projectId of projectIds)
      data.push(...(await listEndpoints(webhookDeps(app), tenant.organizationId, projectId)));
    return { data: data.map(toApiEndpoint) };
  },
);

export const createWebhookEndpoint = apiOperation(
  {
    operationId: 'createWebhookEndpoint',
    method: 'POST',
    path: '/webhook-endpoints',
    tag: 'Webhooks',
    summary: 'Create a webhook endpoint (answers its signing secret, once)',
    description:
      'The URL must be public: private, loopback, link-local and metadata addresses are refused. Deliveries are ' +
      'signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature).',
    body: z.strictObject({
      projectId: ZId,
      url: ZWebhookUrl,
      description: z.string().trim().max(200).optional(),
      events: ZWebhookEvents,
    }),
    response: ZWithSecret,
    status: 201,
    errors: [404],
    sealStoredAnswer: true,
  },
  async ({ app, tenant, body }) => {
    if (!(await getApiProject(app.db, tenant, body.projectId))) throw new AppError('not_found', 'Project not found.');
    const { endpoint, secret } = await createEndpoint(webhookDeps(app), tenant.organizationId, body);
    return { data: toApiEndpoint(endpoint), secret };
  },
);

export const getWebhookEndpoint = apiOperation(
  {
    operationId: 'getWebhookEndpoint',
    method: 'GET',
    path: '/webhook-endpoints/{endpointId}',
    tag: 'Webhooks',
    summary: 'One webhook endpoint (never its secret)',
    params: ZEndpointParams,
    response: one(ZApiWebhookEndpoint),
    errors: [404],
  },
  async ({ app, tenant, params }) => ({ data: toApiEndpoint(await loadEndpoint(app, tenant, params.endpointId)) }),
);

export const updateWebhookEndpoint = apiOperation(
  {
    operationId: 'updateWebhookEndpoint',
    method: 'PATCH',
    path: '/webhook-endpoints/{endpointId}',
    tag: 'Webhooks',
    summary: 'Change the URL, description, event filter, or enable/disable',
    params: ZEndpointParams,
    body: z
      .strictObject({
        url: ZWebhookUrl.optional(),
        description: z.string().trim().max(200).optional(),
        events: ZWebhookEvents.optional(),
        status: z.enum(['enabled', 'disabled']).optional(),
      })
      .refine((b) => Object.keys(b).length > 0, 'send at least one field'),
    response: one(ZApiWebhookEndpoint),
    errors: [404],
  },
  async ({ app, tenant, params, body }) => {
    await loadEndpoint(app, tenant, params.endpointId);
    return {
      data: toApiEndpoint(await updateEndpoint(webhookDeps(app), tenant.organizationId, params.endpointId, body)),
    };
  },
);

export const deleteWebhookEndpoint = apiOperation(
  {
    operationId: 'deleteWebhookEndpoint',
    method: 'DELETE',
    path: '/webhook-endpoints/{endpointId}',
    tag: 'Webhooks',
    summary: 'Delete a webhook endpoint and its delivery log',
    params: ZEndpointParams,
    response: one(z.object({ id: z.string(), deleted: z.literal(true) })),
    errors: [404],
  },
  async ({ app, tenant, params }) => {
    await loadEndpoint(app, tenant, params.endpointId);
    await deleteEndpoint(webhookDeps(app), tenant.organizationId, params.endpointId);
    return { data: { id: params.endpointId, deleted: true as const } };
  },
);

export const rotateWebhookEndpointSecret = apiOperation(
  {
    operationId: 'rotateWebhookEndpointSecret',
    method: 'POST',
    path: '/webhook-endpoints/{endpointId}/rotate-secret',
    tag: 'Webhooks',
    summary: 'A new signing secret (answered once); the old one keeps signing for 24 h',
    description:
      'During the overlap every delivery carries two signatures (webhook-signature lists both), so a receiver ' +
      'holding either secret verifies it; `previousSecretExpiresAt` says until when.',
    params: ZEndpointParams,
    response: ZWithSecret,
    errors: [404],
    sealStoredAnswer: true,
  },
  async ({ app, tenant, params }) => {
    await loadEndpoint(app, tenant, params.endpointId);
    const { endpoint, secret } = await rotateWebhookSecret(webhookDeps(app), tenant.organizationId, params.endpointId);
    return { data: toApiEndpoint(endpoint), secret };
  },
);

export const listWebhookDeliveries = apiOperation(
  {
    operationId: 'listWebhookDeliveries',
    method: 'GET',
    path: '/webhook-endpoints/{endpointId}/deliveries',
    tag: 'Webhooks',
    summary: "An endpoint's delivery log, newest first, each with its attempts",
    description: 'Cursor pagination: pass `nextCursor` back as `cursor`.',
    params: ZEndpointParams,
    query: z.strictObject({
      cursor: ZCursor.optional(),
      limit: z.coerce.number().int().min(1).max(100).default(25).describe('Page size, 1–100 (default 25).'),
    }),
    response: page(ZApiWebhookDelivery),
    errors: [404],
  },
  async ({ app, tenant, params, query }) => {
    await loadEndpoint(app, tenant, params.endpointId);
    if (query.cursor !== undefined && !ZId.safeParse(query.cursor).success)
      throw new AppError('bad_request', 'The cursor is not one this API gave out.', {
        apiCode: 'invalid_cursor',
        status: 400,
        issues: [{ path: 'cursor', message: 'invalid cursor' }],
      });
    const { deliveries, nextCursor } = await listDeliveries(
      webhookDeps(app),
      tenant.organizationId,
      params.endpointId,
      query,
    );
    return { data: deliveries.map(toApiDelivery), nextCursor };
  },
);

const ZDeliveryParams = z.strictObject({ endpointId: ZId, deliveryId: ZId });

export const replayWebhookDelivery = apiOperation(
  {
    operationId: 'replayWebhookDelivery',
    method: 'POST',
    path: '/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/replay',
    tag: 'Webhooks',
    summary: 'Send a delivery again (same webhook-id and payload, so receivers dedupe)',
    description: 'Answers the new delivery, queued at the end of its line.',
    params: ZDeliveryParams,
    response: one(ZApiWebhookDelivery),
    status: 201,
    errors: [404],
  },
  async ({ app, tenant, params }) => {
    await loadEndpoint(app, tenant, params.endpointId);
    const deps = webhookDeps(app);
    const original = await getWebhookDelivery(deps, tenant.organizationId, params.deliveryId);
    if (original.endpointId !== params.endpointId) throw new AppError('not_found', 'Webhook delivery not found.');
    return { data: toApiDelivery(await replayDelivery(deps, tenant.organizationId, params.deliveryId)) };
  },
);

export const sendWebhookTestEvent = apiOperation(
  {
    operationId: 'sendWebhookTestEvent',
    method: 'POST',
    path: '/webhook-endpoints/{endpointId}/test',
    tag: 'Webhooks',
    summary: 'Send a webhook.test event to this endpoint (whatever its event filter)',
    params: ZEndpointParams,
    response: one(ZApiWebhookDelivery),
    status: 201,
    errors: [404],
  },
  async ({ app, tenant, params }) => {
    await loadEndpoint(app, tenant, params.endpointId);
    return {
      data: toApiDelivery(await sendTestWebhookEvent(webhookDeps(app), tenant.organizationId, params.endpointId)),
    };
  },
);
