import { z } from 'zod';
import { AppError, createAllowList, encryptSecret, isForbiddenAddress, type TKeyRing } from '@pocketping/core';
import {
  createTestWebhookDelivery,
  createWebhookEndpointRow,
  deleteWebhookEndpointRow,
  getWebhookDeliveryRow,
  getWebhookEndpointRow,
  listWebhookDeliveryRows,
  listWebhookEndpointRows,
  replayWebhookDeliveryRow,
  rotateWebhookEndpointSecretRow,
  updateWebhookEndpointRow,
  type TDb,
  type TWebhookAttempt,
  type TWebhookDelivery,
  type TWebhookEndpoint,
} from '@pocketping/db';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT, ZWebhookEventType } from '@pocketping/protocol';
import { generateWebhookSecret } from './signing.js';

/**
 * The outbound webhooks' domain: what the dashboard and the REST API call. Every function takes the tenant
 * (`organizationId`) explicitly — resolved by the transport's one wrapper, never read from a payload — and every
 * input has its zod schema exported for the transport to parse (and the OpenAPI document to describe).
 */
export interface TWebhookDeps {
  db: TDb;
  keyRing: TKeyRing;
  /** Private addresses an endpoint may point at anyway (WEBHOOK_FETCH_ALLOW): local development and tests. */
  fetchAllow?: readonly string[];
  /** How long the secret before a rotation keeps being signed with (default 24 h). */
  rotationOverlapMs?: number;
}

const ZId = z.string().min(1).max(64);

export const ZWebhookUrl = z
  .string()
  .trim()
  .max(2048)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'The URL must start with https:// (or http://)')
  .refine((u) => !new URL(u).username && !new URL(u).password, 'The URL must not contain credentials');

export const ZWebhookEvents = z.array(ZWebhookEventType).min(1).max(WEBHOOK_EVENT_TYPES.length);

export const ZCreateWebhookEndpoint = z
  .object({
    projectId: ZId,
    url: ZWebhookUrl,
    description: z.string().trim().max(200).default(''),
    events: ZWebhookEvents,
  })
  .strict();
export type TCreateWebhookEndpoint = z.input<typeof ZCreateWebhookEndpoint>;

export const ZUpdateWebhookEndpoint = z
  .object({
    url: ZWebhookUrl.optional(),
    description: z.string().trim().max(200).optional(),
    events: ZWebhookEvents.optional(),
    status: z.enum(['enabled', 'disabled']).optional(),
  })
  .strict();
export type TUpdateWebhookEndpoint = z.input<typeof ZUpdateWebhookEndpoint>;

export const ZListWebhookDeliveries = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: ZId.optional(),
  })
  .strict();

/** An endpoint as the dashboard and the API show it: never its secret. */
export type TWebhookEndpointView = TWebhookEndpoint;

/** Creation and rotation answer the secret once; it is never shown again. */
export interface TWebhookEndpointWithSecret {
  endpoint: TWebhookEndpointView;
  secret: string;
}

/**
 * A URL whose host is a literal private, loopback, link-local or metadata address (or `localhost`) is refused at
 * once with a clear error; names are checked (resolved, pinned) on every delivery, since DNS can change.
 */
function assertPublicUrl(url: string, allow: readonly string[]): void {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const list = createAllowList(allow);
  const literal = /^[\d.]+$/.test(host) || host.includes(':');
  if ((host === 'localhost' || host.endsWith('.localhost')) && !list.check('127.0.0.1', 'ipv4'))
    throw new AppError('bad_request', 'A webhook URL cannot point at this server (localhost)', { field: 'url' });
  if (literal && isForbiddenAddress(host, list))
    throw new AppError('bad_request', 'A webhook URL cannot point at a private or reserved address', { field: 'url' });
}

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success)
    throw new AppError('bad_request', 'Invalid webhook input', {
      issues: r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  return r.data;
}

export async function createWebhookEndpoint(
  deps: TWebhookDeps,
  organizationId: string,
  input: TCreateWebhookEndpoint,
): Promise<TWebhookEndpointWithSecret> {
  const data = parse(ZCreateWebhookEndpoint, input);
  assertPublicUrl(data.url, deps.fetchAllow ?? []);
  const secret = generateWebhookSecret();
  const endpoint = await createWebhookEndpointRow(deps.db, organizationId, {
    projectId: data.projectId,
    url: data.url,
    description: data.description,
    events: [...new Set(data.events)],
    sealedSecret: encryptSecret(deps.keyRing, secret),
  });
  return { endpoint, secret };
}

export async function listWebhookEndpoints(
  deps: Pick<TWebhookDeps, 'db'>,
  organizationId: string,
  projectId: string,
): Promise<TWebhookEndpointView[]> {
  return listWebhookEndpointRows(deps.db, organizationId, parse(ZId, projectId));
}

export async function getWebhookEndpoint(
  deps: Pick<TWebhookDeps, 'db'>,
  organizationId: string,
  endpointId: string,
): Promise<TWebhookEndpointView> {
  const e = await getWebhookEndpointRow(deps.db, organizationId, parse(ZId, endpointId));
  if (!e) throw new AppError('not_found', 'Webhook endpoint not found');
  return e;
}

export async function updateWebhookEndpoint(
  deps: TWebhookDeps,
  organizationId: string,
  endpointId: string,
  input: TUpdateWebhookEndpoint,
): Promise<TWebhookEndpointView> {
  const data = parse(ZUpdateWebhookEndpoint, input);
  if (data.url) assertPublicUrl(data.url, deps.fetchAllow ?? []);
  const e = await updateWebhookEndpointRow(deps.db, organizationId, parse(ZId, endpointId), {
    ...(data.url === undefined ? {} : { url: data.url }),
    ...(data.description === undefined ? {} : { description: data.description }),
    ...(data.events === undefined ? {} : { events: [...new Set(data.events)] }),
    ...(data.status === undefined ? {} : { status: data.status }),
  });
  if (!e) throw new AppError('not_found', 'Webhook endpoint not found');
  return e;
}

export async function deleteWebhookEndpoint(
  deps: Pick<TWebhookDeps, 'db'>,
  organizationId: string,
  endpointId: string,
): Promise<void> {
  if (!(await deleteWebhookEndpointRow(deps.db, organizationId, parse(ZId, endpointId))))
    throw new AppError('not_found', 'Webhook endpoint not found');
}

/**
 * A new secret, answered once. The old one stays valid for the overlap (every message is signed with both) so the
 * receiver can switch without losing a delivery.
 */
export async function rotateWebhookSecret(
  deps: TWebhookDeps,
  organizationId: string,
  endpointId: string,
): Promise<TWebhookEndpointWithSecret> {
  const secret = generateWebhookSecret();
  const endpoint = await rotateWebhookEndpointSecretRow(deps.db, organizationId, parse(ZId, endpointId), {
    sealedSecret: encryptSecret(deps.keyRing, secret),
    overlapUntil: new Date(Date.now() + (deps.rotationOverlapMs ?? 24 * 3_600_000)),
  });
  if (!endpoint) throw new AppError('not_found', 'Webhook endpoint not found');
  return { endpoint, secret };
}

export async function listWebhookDeliveries(
  deps: Pick<TWebhookDeps, 'db'>,
  organizationId: string,
  endpointId: string,
  query: z.input<typeof ZListWebhookDeliveries> = {},
): Promise<{ deliveries: (TWebhookDelivery & { attemptLog: TWebhookAttempt[] })[]; nextCursor: string | null }> {
  const q = parse(ZListWebhookDeliveries, query);
  await getWebhookEndpoint(deps, organizationId, endpointId);
  return listWebhookDeliveryRows(deps.db, organizationId, endpointId, { limit: q.limit, cursor: q.cursor });
}

/** Sends the delivery's event again (same `webhook-id`, same payload) as a new delivery at the end of its line. */
export async function replayWebhookDelivery(
  deps: Pick<TWebhookDeps, 'db'>,
  organizationId: string,
  deliveryId: string,
): Promise<TWebhookDelivery> {
  const d = await replayWebhookDeliveryRow(deps.db, organizationId, parse(ZId, deliveryId));
  if (!d) throw new AppError('not_found', 'Webhook delivery not found');
  return d;
}

export async function getWebhookDelivery(
  deps: Pick<TWebhookDeps, 'db'>,
  organizationId: string,
  deliveryId: string,
): Promise<TWebhookDelivery> {
  const d = await getWebhookDeliveryRow(deps.db, organizationId, parse(ZId, deliveryId));
  if (!d) throw new AppError('not_found', 'Webhook delivery not found');
  return d;
}

/** "Send test event": a `webhook.test` delivery to this endpoint, whatever its filter, through the normal pipeline. */
export async function sendTestWebhookEvent(
  deps: Pick<TWebhookDeps, 'db'>,
  organizationId: string,
  endpointId: string,
): Promise<TWebhookDelivery> {
  const e = await getWebhookEndpoint(deps, organizationId, endpointId);
  return createTestWebhookDelivery(deps.db, organizationId, e, {
    type: WEBHOOK_TEST_EVENT,
    timestamp: new Date().toISOString(),
    data: { endpointId: e.id, projectId: e.projectId, message: 'This is a test event from PocketPing.' },
  });
}
