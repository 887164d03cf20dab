// Outbound webhooks: endpoints, the deliveries outbox (written in the transaction of the change) and the log.
import pg from 'pg';
import type { Prisma } from '@prisma/client';
import type { TWebhookPayload } from '@pocketping/protocol';
import { AppError } from '@pocketping/core';
import type { TDb, TDbOrTx } from '../client.js';
import type { TSql } from './sql-pool.js';
import { newId } from './ids.js';

export interface TWebhookEndpoint {
  id: string;
  organizationId: string;
  projectId: string;
  url: string;
  description: string;
  events: string[];
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
  failingSince: Date | null;
  /** Until when the secret before the last rotation is still signed with; null = no overlap. */
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The endpoint as the delivery needs it: with its sealed secrets (never leaves the worker). */
export interface TWebhookEndpointSecrets extends TWebhookEndpoint {
  sealedSecret: string;
  sealedPreviousSecret: string | null;
}

const endpointSelect = {
  id: true,
  organizationId: true,
  projectId: true,
  url: true,
  description: true,
  events: true,
  status: true,
  disabledReason: true,
  failingSince: true,
  previousSecretExpiresAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** A new webhook-id (`msg_…`): one per event, shared by every endpoint and attempt. */
export function newWebhookEventId(): string {
  return `msg_${newId()}`;
}

/** The SQL that fans one event out to the project's enabled endpoints subscribed to its type (zero rows if none). */
const EMIT_SQL = `
INSERT INTO "WebhookDelivery" (id, "organizationId", "projectId", "endpointId", "eventId", "eventType", "groupKey", payload, "createdAt", "nextAttemptAt")
SELECT 'c' || substr(md5(gen_random_uuid()::text), 1, 24), $1, $2, e.id, $3, $4, $5, $6::jsonb, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
FROM "WebhookEndpoint" e
WHERE e."organizationId" = $1 AND e."projectId" = $2 AND e.status = 'enabled' AND $4 = ANY(e.events)`;

export interface TWebhookEventInput {
  projectId: string;
  type: string;
  /** The conversation it is about (delivery order is per conversation), or null for project-level events. */
  conversationId: string | null;
  data: Record<string, unknown>;
}

/**
 * Writes the event's deliveries, one per subscribed endpoint, with the caller's transaction (transactional outbox,
 * docs/design.md §1): nothing when no endpoint of the project wants this type. The worker hears of the rows at
 * commit (a trigger NOTIFYs) and the sweeper covers a missed notification. Returns the number of deliveries.
 */
export async function emitWebhookEvent(
  tx: TDbOrTx,
  organizationId: string,
  input: TWebhookEventInput,
): Promise<number> {
  const payload: TWebhookPayload = { type: input.type, timestamp: new Date().toISOString(), data: input.data };
  return tx.$executeRawUnsafe(
    EMIT_SQL,
    organizationId,
    input.projectId,
    newWebhookEventId(),
    input.type,
    input.conversationId ?? '',
    JSON.stringify(payload),
  );
}

/** The same over the plain-SQL pool (or a client inside a caller's transaction). */
export async function emitWebhookEventSql(
  sql: Pick<TSql, 'query'>,
  organizationId: string,
  input: TWebhookEventInput,
): Promise<number> {
  const payload: TWebhookPayload = { type: input.type, timestamp: new Date().toISOString(), data: input.data };
  const r = await sql.query(EMIT_SQL, [
    organizationId,
    input.projectId,
    newWebhookEventId(),
    input.type,
    input.conversationId ?? '',
    JSON.stringify(payload),
  ]);
  return r.rowCount ?? 0;
}

// ───────────── Endpoints (dashboard and REST API; every call takes the tenant) ─────────────

export async function createWebhookEndpointRow(
  db: TDb,
  organizationId: string,
  input: { projectId: string; url: string; description: string; events: string[]; sealedSecret: string },
): Promise<TWebhookEndpoint> {
  const project = await db.project.findUnique({
    where: { organizationId_id: { organizationId, id: input.projectId } },
    select: { id: true },
  });
  if (!project) throw new AppError('not_found', 'Project not found');
  return db.webhookEndpoint.create({
    data: {
      organizationId,
      projectId: input.projectId,
      url: input.url,
      description: input.description,
      events: input.events,
      secret: input.sealedSecret,
    },
    select: endpointSelect,
  });
}

export async function listWebhookEndpointRows(
  db: TDb,
  organizationId: string,
  projectId: string,
): Promise<TWebhookEndpoint[]> {
  return db.webhookEndpoint.findMany({
    where: { organizationId, projectId },
    orderBy: { createdAt: 'asc' },
    select: endpointSelect,
  });
}

export async function getWebhookEndpointRow(
  db: TDb,
  organizationId: string,
  endpointId: string,
): Promise<TWebhookEndpoint | null> {
  return db.webhookEndpoint.findUnique({
    where: { organizationId_id: { organizationId, id: endpointId } },
    select: endpointSelect,
  });
}

export async function getWebhookEndpointSecrets(
  db: TDb,
  organizationId: string,
  endpointId: string,
): Promise<TWebhookEndpointSecrets | null> {
  const e = await db.webhookEndpoint.findUnique({
    where: { organizationId_id: { organizationId, id: endpointId } },
    select: { ...endpointSelect, secret: true, previousSecret: true },
  });
  if (!e) return null;
  const { secret, previousSecret, ...rest } = e;
  return { ...rest, sealedSecret: secret, sealedPreviousSecret: previousSecret };
}

/** Re-enabling clears the failure streak (the owner says the receiver works again). */
export async function updateWebhookEndpointRow(
  db: TDb,
  organizationId: string,
  endpointId: string,
  patch: { url?: string; description?: string; events?: string[]; status?: 'enabled' | 'disabled' },
): Promise<TWebhookEndpoint | null> {
  const r = await db.webhookEndpoint.updateMany({
    where: { organizationId, id: endpointId },
    data: {
      ...patch,
      ...(patch.status === 'enabled' ? { disabledReason: null, failingSince: null } : {}),
      ...(patch.status === 'disabled' ? { disabledReason: 'Disabled by a team member' } : {}),
    },
  });
  return r.count === 0 ? null : getWebhookEndpointRow(db, organizationId, endpointId);
}

export async function deleteWebhookEndpointRow(db: TDb, organizationId: string, endpointId: string): Promise<boolean> {
  const r = await db.webhookEndpoint.deleteMany({ where: { organizationId, id: endpointId } });
  return r.count > 0;
}

/** The current secret becomes the previous one, still signed with until `overlapUntil`. */
export async function rotateWebhookEndpointSecretRow(
  db: TDb,
  organizationId: string,
  endpointId: string,
  input: { sealedSecret: string; overlapUntil: Date },
): Promise<TWebhookEndpoint | null> {
  const r = await db.$executeRaw`
    UPDATE "WebhookEndpoint" SET "previousSecret" = secret, secret = ${input.sealedSecret},
      "previousSecretExpiresAt" = ${input.overlapUntil}, "updatedAt" = now() AT TIME ZONE 'UTC'
    WHERE "organizationId" = ${organizationId} AND id = ${endpointId}`;
  return r === 0 ? null : getWebhookEndpointRow(db, organizationId, endpointId);
}

/**
 * Disables a failing endpoint; true only for the call that did it (the owner is mailed once). Its pending deliveries
 * stay pending (nothing is lost) and go out when it is enabled again; new events skip it meanwhile.
 */
export async function disableFailingWebhookEndpoint(
  db: TDb,
  organizationId: string,
  endpointId: string,
  reason: string,
): Promise<boolean> {
  const r = await db.webhookEndpoint.updateMany({
    where: { organizationId, id: endpointId, status: 'enabled' },
    data: { status: 'disabled', disabledReason: reason.slice(0, 500) },
  });
  return r.count > 0;
}

// ───────────── Deliveries and the log ─────────────

export interface TWebhookDelivery {
  id: string;
  organizationId: string;
  projectId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  groupKey: string;
  payload: TWebhookPayload;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

export interface TWebhookAttempt {
  id: string;
  attempt: number;
  status: number | null;
  ok: boolean;
  latencyMs: number;
  response: string;
  createdAt: Date;
}

const deliverySelect = {
  id: true,
  organizationId: true,
  projectId: true,
  endpointId: true,
  eventId: true,
  eventType: true,
  groupKey: true,
  payload: true,
  status: true,
  attempts: true,
  nextAttemptAt: true,
  lastStatus: true,
  lastError: true,
  createdAt: true,
  deliveredAt: true,
} as const;

type TDeliveryRow = Omit<TWebhookDelivery, 'payload'> & { payload: Prisma.JsonValue };
const toDelivery = (r: TDeliveryRow): TWebhookDelivery => ({ ...r, payload: r.payload as TWebhookPayload });

/** An endpoint's deliveries, newest first, each with its attempts (newest first); cursor = the last id seen. */
export async function listWebhookDeliveryRows(
  db: TDb,
  organizationId: string,
  endpointId: string,
  opts: { limit: number; cursor?: string | undefined },
): Promise<{ deliveries: (TWebhookDelivery & { attemptLog: TWebhookAttempt[] })[]; nextCursor: string | null }> {
  const rows = await db.webhookDelivery.findMany({
    where: { organizationId, endpointId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: opts.limit + 1,
    ...(opts.cursor ? { cursor: { organizationId_id: { organizationId, id: opts.cursor } }, skip: 1 } : {}),
    select: {
      ...deliverySelect,
      attemptLog: {
        orderBy: { createdAt: 'desc' },
        take: 20,
        select: { id: true, attempt: true, status: true, ok: true, latencyMs: true, response: true, createdAt: true },
      },
    },
  });
  const page = rows.slice(0, opts.limit);
  return {
    deliveries: page.map((r) => ({ ...toDelivery(r), attemptLog: r.attemptLog })),
    nextCursor: rows.length > opts.limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}

export async function getWebhookDeliveryRow(
  db: TDb,
  organizationId: string,
  deliveryId: string,
): Promise<TWebhookDelivery | null> {
  const r = await db.webhookDelivery.findUnique({
    where: { organizationId_id: { organizationId, id: deliveryId } },
    select: deliverySelect,
  });
  return r ? toDelivery(r) : null;
}

/**
 * Replay: the same event (same `webhook-id`, same payload) queued again for its endpoint as a new delivery, at the end
 * of its conversation's line. Returns the new delivery, or null when the delivery is not this tenant's.
 */
export async function replayWebhookDeliveryRow(
  db: TDb,
  organizationId: string,
  deliveryId: string,
): Promise<TWebhookDelivery | null> {
  const d = await getWebhookDeliveryRow(db, organizationId, deliveryId);
  if (!d) return null;
  const r = await db.webhookDelivery.create({
    data: {
      organizationId,
      projectId: d.projectId,
      endpointId: d.endpointId,
      eventId: d.eventId,
      eventType: d.eventType,
      groupKey: d.groupKey,
      payload: d.payload as Prisma.InputJsonValue,
    },
    select: deliverySelect,
  });
  return toDelivery(r);
}

/** A "send test event" delivery for one endpoint (whatever its filter). */
export async function createTestWebhookDelivery(
  db: TDb,
  organizationId: string,
  endpoint: Pick<TWebhookEndpoint, 'id' | 'projectId'>,
  payload: TWebhookPayload,
): Promise<TWebhookDelivery> {
  const r = await db.webhookDelivery.create({
    data: {
      organizationId,
      projectId: endpoint.projectId,
      endpointId: endpoint.id,
      eventId: newWebhookEventId(),
      eventType: payload.type,
      groupKey: `test:${newId()}`,
      payload: payload as unknown as Prisma.InputJsonValue,
    },
    select: deliverySelect,
  });
  return toDelivery(r);
}

/** The first pending delivery of an (endpoint, group): the only one that may be sent now (order per conversation). */
export async function nextPendingWebhookDelivery(
  db: TDb,
  organizationId: string,
  endpointId: string,
  groupKey: string,
): Promise<TWebhookDelivery | null> {
  const r = await db.webhookDelivery.findFirst({
    where: { organizationId, endpointId, groupKey, status: 'pending' },
    orderBy: { ordinal: 'asc' },
    select: deliverySelect,
  });
  return r ? toDelivery(r) : null;
}

export interface TWebhookAttemptResult {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  response: string;
  /** Failed: when to try again, or null when the schedule is used up (the delivery is `failed`). */
  retryAt: Date | null;
}

/**
 * Records one attempt in one transaction: the log row, the delivery (delivered / retry at / failed) and the
 * endpoint's failure streak (cleared by a success, started by the first failure). Returns the streak's start.
 */
export async function recordWebhookAttempt(
  db: TDb,
  organizationId: string,
  delivery: Pick<TWebhookDelivery, 'id' | 'endpointId' | 'attempts'>,
  result: TWebhookAttemptResult,
): Promise<{ failingSince: Date | null }> {
  const now = new Date();
  const attempt = delivery.attempts + 1;
  return db.$transaction(async (tx) => {
    await tx.webhookAttempt.create({
      data: {
        organizationId,
        deliveryId: delivery.id,
        attempt,
        status: result.status,
        ok: result.ok,
        latencyMs: result.latencyMs,
        response: result.response.slice(0, 1024),
      },
    });
    await tx.webhookDelivery.updateMany({
      where: { organizationId, id: delivery.id, status: 'pending' },
      data: result.ok
        ? { status: 'delivered', attempts: attempt, deliveredAt: now, lastStatus: result.status, lastError: null }
        : {
            attempts: attempt,
            lastStatus: result.status,
            lastError: result.response.slice(0, 500),
            ...(result.retryAt ? { nextAttemptAt: result.retryAt } : { status: 'failed' }),
          },
    });
    if (result.ok) {
      await tx.webhookEndpoint.updateMany({
        where: { organizationId, id: delivery.endpointId, failingSince: { not: null } },
        data: { failingSince: null },
      });
      return { failingSince: null };
    }
    await tx.webhookEndpoint.updateMany({
      where: { organizationId, id: delivery.endpointId, failingSince: null },
      data: { failingSince: now },
    });
    const e = await tx.webhookEndpoint.findUnique({
      where: { organizationId_id: { organizationId, id: delivery.endpointId } },
      select: { failingSince: true },
    });
    return { failingSince: e?.failingSince ?? null };
  });
}

export interface TStaleWebhookGroup {
  organizationId: string;
  endpointId: string;
  groupKey: string;
  deliveryId: string;
  attempts: number;
}

/**
 * The sweeper's system scan (no tenant: it serves all): the head of every (endpoint, group) whose pending delivery
 * is due for longer than `olderThanMs` (its job was lost: a crash, a Redis restart) on an enabled endpoint.
 */
export async function listStaleWebhookDeliveries(
  db: TDb,
  opts: { olderThanMs: number; limit: number },
): Promise<TStaleWebhookGroup[]> {
  const before = new Date(Date.now() - opts.olderThanMs);
  return db.$queryRaw<TStaleWebhookGroup[]>`
    SELECT DISTINCT ON (d."organizationId", d."endpointId", d."groupKey")
      d."organizationId", d."endpointId", d."groupKey", d.id AS "deliveryId", d.attempts
    FROM "WebhookDelivery" d JOIN "WebhookEndpoint" e ON e."organizationId" = d."organizationId" AND e.id = d."endpointId"
    WHERE d.status = 'pending' AND d."nextAttemptAt" < ${before} AND e.status = 'enabled'
    ORDER BY d."organizationId", d."endpointId", d."groupKey", d.ordinal
    LIMIT ${opts.limit}`;
}

/** Owners' addresses, for the "endpoint disabled" email. */
export async function listOrganizationOwnerEmails(db: TDb, organizationId: string): Promise<string[]> {
  const rows = await db.membership.findMany({
    where: { organizationId, role: 'owner' },
    select: { user: { select: { email: true } } },
  });
  return rows.map((r) => r.user.email).filter((e): e is string => typeof e === 'string' && e.length > 0);
}

/**
 * Listens for new deliveries (the "WebhookDelivery" trigger NOTIFYs at commit) on a connection of its own, and
 * reconnects after a drop (the sweeper covers what was missed meanwhile).
 */
export async function listenForWebhookDeliveries(
  databaseUrl: string,
  opts: {
    onDelivery(d: { organizationId: string; deliveryId: string; endpointId: string; groupKey: string }): void;
    onError(err: Error): void;
  },
): Promise<{ close(): Promise<void> }> {
  let closed = false;
  let client: pg.Client | null = null;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: databaseUrl });
    c.on('error', opts.onError);
    c.on('end', () => {
      client = null;
      if (!closed) setTimeout(() => void connect().catch(opts.onError), 1_000).unref();
    });
    c.on('notification', (n) => {
      const [organizationId, deliveryId, endpointId, ...rest] = (n.payload ?? '').split(' ');
      if (organizationId && deliveryId && endpointId)
        opts.onDelivery({ organizationId, deliveryId, endpointId, groupKey: rest.join(' ') });
    });
    await c.connect();
    await c.query('LISTEN pp_webhook_delivery');
    client = c;
  };
  await connect();
  return {
    async close() {
      closed = true;
      await client?.end().catch(() => undefined);
    },
  };
}
