/* eslint-disable @typescript-eslint/no-explicit-any -- tests read arbitrary JSON answers */
// The public REST API /api/v1 through its real route handlers, with the real Postgres and Redis: tenancy (another
// organization's key, a project-restricted key, a read-only key, a revoked key) for every operation, bad input
// answered with problem+json and nothing written, idempotent retries, the rate limit, pagination, the GDPR erase,
// and — at the end — every answer the file received checked against the served OpenAPI document (the contract test).
import { randomBytes } from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020.js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptSecret, randomToken, sha256 } from '@pocketping/core';
import { createVisitorConnections, DASHBOARD_NAMESPACE, socketIoKey, takeVisitorEvents } from '@pocketping/jobs';
import { VISITOR_PUSH_EVENT } from '@pocketping/protocol';
import {
  appendMessage,
  createApiKey,
  createAttachment,
  createConnection,
  createVisitor,
  getOrCreateOpenConversation,
  revokeApiKey,
  type TApiScope,
} from '@pocketping/db';
import { PLANS } from '@pocketping/billing';
import { createWebhookEndpoint, sendTestWebhookEvent } from '@pocketping/webhooks';
import { webhookDeps } from '../webhooks/webhook-endpoints';
import { setupWebTestEnv, TEST_WEB_URL, type TWebTestEnv } from '../testing/web-test-env';
import { UNAUTHENTICATED_PER_IP, type TApiHandler } from './api-route';
import { API_OPERATIONS } from './operations';
import * as projectsRoute from '../../app/api/v1/projects/route';
import * as projectRoute from '../../app/api/v1/projects/[projectId]/route';
import * as conversationsRoute from '../../app/api/v1/conversations/route';
import * as conversationRoute from '../../app/api/v1/conversations/[conversationId]/route';
import * as closeRoute from '../../app/api/v1/conversations/[conversationId]/close/route';
import * as reopenRoute from '../../app/api/v1/conversations/[conversationId]/reopen/route';
import * as messagesRoute from '../../app/api/v1/conversations/[conversationId]/messages/route';
import * as visitorRoute from '../../app/api/v1/visitors/[visitorId]/route';
import * as connectionsRoute from '../../app/api/v1/connections/route';
import * as visitorEventsRoute from '../../app/api/v1/visitors/[visitorId]/events/route';
import * as webhookEndpointsRoute from '../../app/api/v1/webhook-endpoints/route';
import * as webhookEndpointRoute from '../../app/api/v1/webhook-endpoints/[endpointId]/route';
import * as rotateSecretRoute from '../../app/api/v1/webhook-endpoints/[endpointId]/rotate-secret/route';
import * as deliveriesRoute from '../../app/api/v1/webhook-endpoints/[endpointId]/deliveries/route';
import * as replayRoute from '../../app/api/v1/webhook-endpoints/[endpointId]/deliveries/[deliveryId]/replay/route';
import * as openapiRoute from '../../app/api/v1/openapi.json/route';
import * as statsRoute from '../../app/api/v1/stats/route';
import * as restRoute from '../../app/api/v1/[...rest]/route';

let env: TWebTestEnv;
beforeAll(async () => {
  env = await setupWebTestEnv();
});

type TAnswer = { status: number; json: any; headers: Headers };
/** Every answer of an operation, for the contract check at the end. */
const seen: { operationId: string; status: number; contentType: string; body: unknown }[] = [];

async function call(
  handler: TApiHandler,
  opts: {
    key?: string | null;
    params?: Record<string, string>;
    query?: Record<string, string>;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<TAnswer> {
  const op = handler.operation;
  let path = `/api/v1${op.path}`;
  for (const [k, v] of Object.entries(opts.params ?? {})) path = path.replace(`{${k}}`, encodeURIComponent(v));
  const url = new URL(`${TEST_WEB_URL}${path}`);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  const text = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (text !== undefined) headers['content-type'] ??= 'application/json';
  const res = await handler(new Request(url, { method: op.method, headers, body: text }), {
    params: Promise.resolve(opts.params ?? {}),
  });
  const raw = await res.text();
  const json = raw ? JSON.parse(raw) : null;
  seen.push({
    operationId: op.operationId,
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    body: json,
  });
  return { status: res.status, json, headers: res.headers };
}

/** Two organizations; A has two projects with a conversation each (messages, a file, a chat app), B has one. */
async function world() {
  const { db, storage } = await env.app();
  const owner = await env.createUser();
  const orgA = await env.createOrg(owner.id, 'Api A');
  const p1 = await env.createProject(orgA.id, 'One');
  const p2 = await env.createProject(orgA.id, 'Two');
  const stranger = await env.createUser();
  const orgB = await env.createOrg(stranger.id, 'Api B');
  const q = await env.createProject(orgB.id, 'Other');

  async function conversationIn(orgId: string, projectId: string, tag: string) {
    const visitor = await createVisitor(db, orgId, { projectId, tokenHash: sha256(randomToken('vt_')) });
    const conversation = await getOrCreateOpenConversation(db, orgId, { projectId, visitorId: visitor.id });
    await appendMessage(db, orgId, {
      conversationId: conversation.id,
      sender: 'visitor',
      body: `${tag} hello`,
      source: 'widget',
      deliver: false,
    });
    const key = `${orgId}/${conversation.id}/${randomBytes(8).toString('hex')}`;
    await storage.put(key, Buffer.from(`${tag} file`), { contentType: 'text/plain', sha256: 'x'.repeat(64) });
    const att = await createAttachment(db, orgId, {
      conversationId: conversation.id,
      uploadedBy: 'visitor',
      name: 'note.txt',
      contentType: 'text/plain',
      size: 9,
      sha256: 'x'.repeat(64),
      storageKey: key,
    });
    await appendMessage(db, orgId, {
      conversationId: conversation.id,
      sender: 'visitor',
      body: `${tag} with a file`,
      source: 'widget',
      attachmentIds: [att.id],
      deliver: false,
    });
    const connection = await createConnection(db, orgId, {
      projectId,
      kind: 'telegram',
      sealedCredentials: `v1:fake:${tag}`,
      targetId: `-100${Date.now()}${tag.length}`,
    });
    const app = await env.app();
    const { endpoint } = await createWebhookEndpoint(webhookDeps(app), orgId, {
      projectId,
      url: `https://hooks.example.com/${tag}`,
      events: ['message.created'],
    });
    const delivery = await sendTestWebhookEvent({ db }, orgId, endpoint.id);
    return {
      visitorId: visitor.id,
      conversationId: conversation.id,
      storageKey: key,
      connectionId: connection.id,
      endpointId: endpoint.id,
      deliveryId: delivery.id,
    };
  }

  const a1 = await conversationIn(orgA.id, p1.id, 'a1');
  const a2 = await conversationIn(orgA.id, p2.id, 'a2');
  const b = await conversationIn(orgB.id, q.id, 'b');
  const key = async (orgId: string, scopes: TApiScope[] = ['read', 'write'], projectId: string | null = null) =>
    (await createApiKey(db, orgId, { name: 'test', scopes, projectId })).key;
  const revoked = await createApiKey(db, orgA.id, { name: 'revoked' });
  await revokeApiKey(db, orgA.id, revoked.apiKey.id);
  return {
    orgA: orgA.id,
    orgB: orgB.id,
    p1: p1.id,
    p2: p2.id,
    q: q.id,
    a1,
    a2,
    b,
    keys: {
      owner: await key(orgA.id),
      readOnly: await key(orgA.id, ['read']),
      p1Only: await key(orgA.id, ['read', 'write'], p1.id),
      revoked: revoked.key,
      stranger: await key(orgB.id),
    },
  };
}
type TWorld = Awaited<ReturnType<typeof world>>;

/** What a write could change: compared before and after every refused request. */
async function snapshot(w: TWorld) {
  const { db } = await env.app();
  const orgs = { in: [w.orgA, w.orgB] };
  return {
    messages: await db.message.count({ where: { organizationId: orgs } }),
    open: await db.conversation.count({ where: { organizationId: orgs, status: 'open' } }),
    visitors: await db.visitor.findMany({ where: { organizationId: orgs }, orderBy: { id: 'asc' } }),
    attachments: await db.attachment.count({ where: { organizationId: orgs } }),
    outbox: await db.outboxEvent.count({ where: { organizationId: orgs } }),
    webhookEndpoints: await db.webhookEndpoint.findMany({ where: { organizationId: orgs }, orderBy: { id: 'asc' } }),
    webhookDeliveries: await db.webhookDelivery.count({ where: { organizationId: orgs } }),
  };
}

/** One valid request per operation, aimed at the given conversation's resources. */
type TTarget = TWorld['a1'] & { projectId: string };
const REQUESTS: Record<string, (t: TTarget) => Parameters<typeof call>[1]> = {
  listProjects: () => ({}),
  getProject: (t) => ({ params: { projectId: t.projectId } }),
  listConversations: (t) => ({ query: { projectId: t.projectId } }),
  getConversation: (t) => ({ params: { conversationId: t.conversationId } }),
  updateConversation: (t) => ({ params: { conversationId: t.conversationId }, body: { tags: ['VIP'] } }),
  closeConversation: (t) => ({ params: { conversationId: t.conversationId }, body: {} }),
  reopenConversation: (t) => ({ params: { conversationId: t.conversationId }, body: { authorName: 'CRM' } }),
  listMessages: (t) => ({ params: { conversationId: t.conversationId } }),
  sendMessage: (t) => ({
    params: { conversationId: t.conversationId },
    body: { body: 'Your order shipped', authorName: 'Sam (CRM)' },
  }),
  getVisitor: (t) => ({ params: { visitorId: t.visitorId } }),
  updateVisitor: (t) => ({ params: { visitorId: t.visitorId }, body: { metadata: { plan: 'pro' } } }),
  deleteVisitor: (t) => ({ params: { visitorId: t.visitorId } }),
  exportVisitor: (t) => ({ params: { visitorId: t.visitorId } }),
  listConnections: (t) => ({ query: { projectId: t.projectId } }),
  pushVisitorEvent: (t) => ({
    params: { visitorId: t.visitorId },
    body: { name: 'order.shipped', data: { orderId: 'A-1' } },
  }),
  listWebhookEndpoints: (t) => ({ query: { projectId: t.projectId } }),
  createWebhookEndpoint: (t) => ({
    body: { projectId: t.projectId, url: 'https://crm.example.com/hooks', events: ['conversation.created'] },
  }),
  getWebhookEndpoint: (t) => ({ params: { endpointId: t.endpointId } }),
  updateWebhookEndpoint: (t) => ({ params: { endpointId: t.endpointId }, body: { description: 'CRM' } }),
  deleteWebhookEndpoint: (t) => ({ params: { endpointId: t.endpointId } }),
  rotateWebhookEndpointSecret: (t) => ({ params: { endpointId: t.endpointId }, body: {} }),
  listWebhookDeliveries: (t) => ({ params: { endpointId: t.endpointId } }),
  replayWebhookDelivery: (t) => ({ params: { endpointId: t.endpointId, deliveryId: t.deliveryId }, body: {} }),
  sendWebhookTestEvent: (t) => ({ params: { endpointId: t.endpointId }, body: {} }),
  getStats: (t) => ({ query: { projectId: t.projectId } }),
};
const target = (w: TWorld, which: 'a1' | 'a2' | 'b'): TTarget => ({
  ...w[which],
  projectId: which === 'a1' ? w.p1 : which === 'a2' ? w.p2 : w.q,
});
/**
 * Operations without an id in the path: they answer 200 with nothing of the other tenant instead of 404 — except the
 * stats, which name the project they are asked about: another tenant's is 404 like an unknown one.
 */
const isList = (h: TApiHandler) =>
  h.operation.method === 'GET' && !h.operation.params && h.operation.operationId !== 'getStats';

describe('every operation × every kind of key', () => {
  it('has a request for every operation', () => {
    expect(Object.keys(REQUESTS).sort()).toEqual(API_OPERATIONS.map((h) => h.operation.operationId).sort());
  });

  for (const handler of API_OPERATIONS) {
    const op = handler.operation;
    const write = op.method !== 'GET';
    it(`${op.method} ${op.path}`, async () => {
      const w = await world();
      const before = await snapshot(w);
      const expectRefused = async (res: TAnswer, status: number, code: string) => {
        expect(res.status, JSON.stringify(res.json)).toBe(status);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(res.json).toMatchObject({ status, code, requestId: res.headers.get('x-request-id') });
        expect(await snapshot(w)).toEqual(before);
      };

      // No key, a made-up key, a revoked key: 401 with a Bearer challenge. (From an address of this test's own:
      // requests without a valid key are limited per address, and every route's test makes some.)
      const clientAddress = { 'x-forwarded-for': `198.51.100.${API_OPERATIONS.indexOf(handler) + 1}` };
      for (const key of [null, 'ppk_not-a-real-key', w.keys.revoked]) {
        const res = await call(handler, {
          ...REQUESTS[op.operationId]!(target(w, 'a1')),
          key,
          headers: clientAddress,
        });
        await expectRefused(res, 401, 'unauthorized');
        expect(res.headers.get('www-authenticate')).toContain('Bearer');
      }
      // Another organization's key on A's ids: 404 like an unknown id (lists: nothing of A).
      const strangers = await call(handler, { ...REQUESTS[op.operationId]!(target(w, 'a1')), key: w.keys.stranger });
      if (isList(handler)) {
        expect(strangers.status).toBe(200);
        expect(JSON.stringify(strangers.json)).not.toContain(w.orgA);
        for (const id of [w.p1, w.a1.conversationId, w.a1.connectionId, w.a1.endpointId])
          expect(JSON.stringify(strangers.json)).not.toContain(id);
      } else await expectRefused(strangers, 404, 'not_found');
      // A key restricted to project 1 on project 2's ids: 404 (lists: nothing of project 2).
      const restricted = await call(handler, { ...REQUESTS[op.operationId]!(target(w, 'a2')), key: w.keys.p1Only });
      if (isList(handler)) {
        expect(restricted.status).toBe(200);
        for (const id of [w.a2.conversationId, w.a2.connectionId, w.p2, w.a2.endpointId])
          expect(JSON.stringify(restricted.json)).not.toContain(id);
      } else await expectRefused(restricted, 404, 'not_found');
      // A read-only key: reads work, writes are 403 insufficient_scope.
      const readOnly = await call(handler, { ...REQUESTS[op.operationId]!(target(w, 'a1')), key: w.keys.readOnly });
      if (write) await expectRefused(readOnly, 403, 'insufficient_scope');
      else expect(readOnly.status).toBe(200);
      // The owning tenant's key, and the restricted key inside its own project, succeed.
      const own = await call(handler, { ...REQUESTS[op.operationId]!(target(w, 'a1')), key: w.keys.owner });
      expect(own.status, JSON.stringify(own.json)).toBe(op.status ?? 200);
      expect(own.headers.get('content-type')).toBe('application/json');
      expect(own.headers.get('ratelimit-limit')).toMatch(/^\d+$/);
      expect(own.headers.get('x-request-id')).toMatch(/^req_/);
      if (op.operationId !== 'deleteVisitor' && op.operationId !== 'deleteWebhookEndpoint') {
        const inOwn = await call(handler, { ...REQUESTS[op.operationId]!(target(w, 'a1')), key: w.keys.p1Only });
        expect(inOwn.status, JSON.stringify(inOwn.json)).toBe(op.status ?? 200);
      }
    });
  }
});

describe('authentication and keys', () => {
  it('a key revoked between two requests is refused at the very next one', async () => {
    const w = await world();
    const { db } = await env.app();
    const { key, apiKey } = await createApiKey(db, w.orgA, { name: 'soon revoked' });
    expect((await call(projectsRoute.GET, { key })).status).toBe(200);
    await revokeApiKey(db, w.orgA, apiKey.id);
    expect((await call(projectsRoute.GET, { key })).status).toBe(401);
  });

  it('lastUsedAt is written once a minute at most, not on every request', async () => {
    const w = await world();
    const { db } = await env.app();
    const { key, apiKey } = await createApiKey(db, w.orgA, { name: 'usage' });
    await call(projectsRoute.GET, { key });
    const first = (await db.apiKey.findUnique({ where: { id: apiKey.id } }))!.lastUsedAt;
    expect(first).not.toBeNull();
    await call(projectsRoute.GET, { key });
    expect((await db.apiKey.findUnique({ where: { id: apiKey.id } }))!.lastUsedAt).toEqual(first);
  });

  it('keys made before scopes existed keep read + write on every project', async () => {
    const w = await world();
    const { db } = await env.app();
    // A row written as before this API existed: no scopes, no project given (the columns' defaults apply).
    const key = randomToken('ppk_', 30);
    await db.$executeRawUnsafe(
      `INSERT INTO "ApiKey" (id, "organizationId", name, prefix, hash) VALUES ($1, $2, 'old', $3, $4)`,
      `old_${randomToken('', 8)}`,
      w.orgA,
      key.slice(0, 12),
      sha256(key),
    );
    const res = await call(projectsRoute.GET, { key });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.data.map((p: any) => p.id).sort()).toEqual([w.p1, w.p2].sort());
    const sent = await call(messagesRoute.POST, {
      key,
      params: { conversationId: w.a2.conversationId },
      body: { body: 'hi', authorName: 'Old key' },
    });
    expect(sent.status).toBe(201);
  });

  it('echoes a sane X-Request-Id and replaces a hostile one', async () => {
    const w = await world();
    const mine = await call(projectsRoute.GET, { key: w.keys.owner, headers: { 'x-request-id': 'trace-42' } });
    expect(mine.headers.get('x-request-id')).toBe('trace-42');
    const hostile = await call(projectsRoute.GET, { key: w.keys.owner, headers: { 'x-request-id': 'a b\u0001' } });
    expect(hostile.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('an unknown /api/v1 path is a problem+json 404', async () => {
    const res = await restRoute.GET(new Request(`${TEST_WEB_URL}/api/v1/nope`));
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'not_found' });
  });
});

describe('bad input is refused with problem+json and writes nothing', () => {
  it('malformed JSON, wrong content type, unknown fields, bad values, oversized, hostile characters', async () => {
    const w = await world();
    const before = await snapshot(w);
    const params = { conversationId: w.a1.conversationId };
    const cases: [Parameters<typeof call>[1], number, string][] = [
      [{ params, rawBody: '{"body": "hi", ' }, 400, 'bad_request'],
      [{ params, rawBody: '[1,2]' }, 400, 'bad_request'],
      [
        { params, rawBody: 'body=hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        415,
        'unsupported_media_type',
      ],
      [{ params, body: { body: 'hi', authorName: 'X', admin: true } }, 400, 'bad_request'],
      [{ params, body: { body: '', authorName: 'X' } }, 400, 'bad_request'],
      [{ params, body: { body: 'hi', authorName: 'X', visibility: 'secret' } }, 400, 'bad_request'],
      [{ params, body: { body: 'x'.repeat(70 * 1024), authorName: 'X' } }, 413, 'payload_too_large'],
      [{ params, body: { body: 'nul\u0000', authorName: 'X' } }, 400, 'bad_request'],
      [{ params: { conversationId: '../../etc' }, body: { body: 'hi', authorName: 'X' } }, 400, 'bad_request'],
      [
        { params, body: { body: 'hi', authorName: 'X' }, headers: { 'idempotency-key': 'é'.repeat(3) } },
        400,
        'bad_request',
      ],
    ];
    for (const [opts, status, code] of cases) {
      const res = await call(messagesRoute.POST, { ...opts, key: w.keys.owner });
      expect(res.status, JSON.stringify(opts).slice(0, 200)).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.json.code).toBe(code);
    }
    const unknownField = await call(messagesRoute.POST, {
      params,
      key: w.keys.owner,
      body: { body: 'hi', authorName: 'X', admin: true },
    });
    expect(unknownField.json.errors).toEqual([expect.objectContaining({ path: 'admin' })]);
    // Query strings too: an unknown parameter, a bad enum, a limit out of range, a forged cursor.
    const queries: Record<string, string>[] = [
      { sort: 'asc' },
      { status: 'pending' },
      { limit: '1000' },
      { cursor: 'bm90LWEtY3Vyc29y' },
    ];
    for (const query of queries) {
      const res = await call(conversationsRoute.GET, { key: w.keys.owner, query });
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.json.code).toBe(query.cursor ? 'invalid_cursor' : 'bad_request');
    }
    // A visitor PATCH with an unknown field or nothing at all.
    for (const body of [
      { email: 'a@b.test', role: 'admin' },
      {},
      { email: 'not an email' },
      { metadata: { ['k'.repeat(65)]: 1 } },
    ]) {
      const res = await call(visitorRoute.PATCH, { key: w.keys.owner, params: { visitorId: w.a1.visitorId }, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await snapshot(w)).toEqual(before);
  });
});

describe('Idempotency-Key', () => {
  it('a retried POST returns the stored answer and sends nothing twice; another body with the key is refused', async () => {
    const w = await world();
    const { db } = await env.app();
    const req = {
      key: w.keys.owner,
      params: { conversationId: w.a1.conversationId },
      body: { body: 'Refund issued', authorName: 'Billing bot' },
      headers: { 'idempotency-key': 'refund-123' },
    };
    const first = await call(messagesRoute.POST, req);
    expect(first.status).toBe(201);
    const outboxAfterFirst = await db.outboxEvent.count({ where: { organizationId: w.orgA } });
    const again = await call(messagesRoute.POST, req);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json).toEqual(first.json);
    expect(await db.message.count({ where: { conversationId: w.a1.conversationId, body: 'Refund issued' } })).toBe(1);
    expect(await db.outboxEvent.count({ where: { organizationId: w.orgA } })).toBe(outboxAfterFirst);

    const other = await call(messagesRoute.POST, { ...req, body: { ...req.body, body: 'Another text' } });
    expect(other.status).toBe(422);
    expect(other.json.code).toBe('idempotency_key_reused');
    const elsewhere = await call(messagesRoute.POST, { ...req, params: { conversationId: w.a2.conversationId } });
    expect(elsewhere.status).toBe(422);
    expect(await db.message.count({ where: { organizationId: w.orgA, body: 'Another text' } })).toBe(0);

    // Keys are per API key: another key may use the same string for its own request.
    const p1Key = await call(messagesRoute.POST, { ...req, key: w.keys.p1Only });
    expect(p1Key.status).toBe(201);
    expect(p1Key.json.data.id).not.toBe(first.json.data.id);
  });

  it('a first request still running answers 409; one abandoned for over a minute is taken over by the retry', async () => {
    const w = await world();
    const { db } = await env.app();
    const apiKeyId = (await db.apiKey.findFirstOrThrow({ where: { hash: sha256(w.keys.owner) } })).id;
    const route = 'POST /conversations/{conversationId}/messages';
    const req = {
      key: w.keys.owner,
      params: { conversationId: w.a1.conversationId },
      body: { body: 'Shipped', authorName: 'Ops' },
    };
    const hash = sha256(
      `POST /api/v1/conversations/${w.a1.conversationId}/messages\n${JSON.stringify({ ...req.body, visibility: 'public' })}`,
    );
    const base = { organizationId: w.orgA, apiKeyId, route, requestHash: hash, status: null };
    await db.apiIdempotencyKey.create({ data: { ...base, id: `busy_${randomToken('', 6)}`, key: 'busy' } });
    const busy = await call(messagesRoute.POST, { ...req, headers: { 'idempotency-key': 'busy' } });
    expect(busy.status).toBe(409);
    expect(busy.json.code).toBe('idempotency_in_progress');
    await db.apiIdempotencyKey.create({
      data: { ...base, id: `dead_${randomToken('', 6)}`, key: 'dead', createdAt: new Date(Date.now() - 120_000) },
    });
    const retried = await call(messagesRoute.POST, { ...req, headers: { 'idempotency-key': 'dead' } });
    expect(retried.status).toBe(201);
    expect(await db.message.count({ where: { conversationId: w.a1.conversationId, body: 'Shipped' } })).toBe(1);
  });

  it('a refusal is stored too: the retry gets the same 404, not a different outcome', async () => {
    const w = await world();
    const req = {
      key: w.keys.owner,
      params: { conversationId: w.b.conversationId },
      body: { body: 'x', authorName: 'X' },
      headers: { 'idempotency-key': 'k-404' },
    };
    expect((await call(messagesRoute.POST, req)).status).toBe(404);
    const retry = await call(messagesRoute.POST, req);
    expect(retry.status).toBe(404);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  it('close with a key twice: one change, one note', async () => {
    const w = await world();
    const { db } = await env.app();
    const req = {
      key: w.keys.owner,
      params: { conversationId: w.a1.conversationId },
      body: {},
      headers: { 'idempotency-key': 'close-1' },
    };
    const first = await call(closeRoute.POST, req);
    expect(first.json.data).toMatchObject({ status: 'closed', changed: true });
    expect((await call(closeRoute.POST, req)).json).toEqual(first.json);
    expect(
      await db.message.count({ where: { conversationId: w.a1.conversationId, body: 'closed the conversation' } }),
    ).toBe(1);
  });
});

describe('rate limit', () => {
  it('counts per key with RateLimit-* headers, then 429 + Retry-After; another key is unaffected', async () => {
    const w = await world();
    const { db } = await env.app();
    // A canceled subscription: the Free plan's budget (a new organization would be on the trial's larger one).
    await db.organizationBilling.create({ data: { organizationId: w.orgA, plan: 'pro', status: 'canceled' } });
    const first = await call(projectsRoute.GET, { key: w.keys.readOnly });
    const limit = Number(first.headers.get('ratelimit-limit'));
    expect(limit).toBeGreaterThan(0);
    expect(Number(first.headers.get('ratelimit-remaining'))).toBe(limit - 1);
    const reset = Number(first.headers.get('ratelimit-reset'));
    expect(reset).toBeGreaterThan(0);
    expect(reset).toBeLessThanOrEqual(60);
    // Until the budget is spent (twice the limit at most: the minute may roll over once during the loop).
    let last = first;
    for (let i = 0; i < 2 * limit + 2 && last.status !== 429; i++)
      last = await call(projectsRoute.GET, { key: w.keys.readOnly });
    expect(last.status).toBe(429);
    expect(last.json.code).toBe('rate_limited');
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last.headers.get('ratelimit-remaining')).toBe('0');
    expect((await call(projectsRoute.GET, { key: w.keys.owner })).status).toBe(200);
  });

  it('limits requests without a valid key per client address: 429 + Retry-After, problem+json', async () => {
    const w = await world();
    const from = (address: string) => ({ 'x-forwarded-for': address });
    const { limit } = UNAUTHENTICATED_PER_IP;
    // Missing and made-up keys count together (twice the limit at most: the window may roll over once).
    let last: TAnswer | null = null;
    for (let i = 0; i < 2 * limit + 2 && last?.status !== 429; i++)
      last = await call(projectsRoute.GET, { key: i % 2 ? null : `ppk_guess${i}`, headers: from('203.0.113.9') });
    expect(last!.status).toBe(429);
    expect(last!.headers.get('content-type')).toBe('application/problem+json');
    expect(last!.json).toMatchObject({ status: 429, code: 'rate_limited' });
    const retryAfter = Number(last!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(UNAUTHENTICATED_PER_IP.windowSeconds);
    // The address stays limited; another address is not; a valid key from the limited address still works.
    expect((await call(projectsRoute.GET, { key: null, headers: from('203.0.113.9') })).status).toBe(429);
    expect((await call(projectsRoute.GET, { key: null, headers: from('203.0.113.10') })).status).toBe(401);
    expect((await call(projectsRoute.GET, { key: w.keys.owner, headers: from('203.0.113.9') })).status).toBe(200);
  });

  it("follows the organization's plan", async () => {
    const w = await world();
    const { db } = await env.app();
    await db.organizationBilling.create({ data: { organizationId: w.orgB, plan: 'pro', status: 'canceled' } });
    const free = await call(projectsRoute.GET, { key: w.keys.stranger });
    expect(free.headers.get('ratelimit-limit')).toBe(String(PLANS.free.limits.apiRequestsPerMinute));
    await db.organizationBilling.create({
      data: { organizationId: w.orgA, plan: 'pro', status: 'active', interval: 'monthly' },
    });
    const pro = await call(projectsRoute.GET, { key: w.keys.owner });
    expect(pro.headers.get('ratelimit-limit')).toBe(String(PLANS.pro.limits.apiRequestsPerMinute));
  });
});

describe('conversations and messages', () => {
  it('lists with filters and an opaque cursor: every conversation once, newest activity first', async () => {
    const w = await world();
    const { db } = await env.app();
    const ids: string[] = [w.a1.conversationId, w.a2.conversationId];
    for (let i = 0; i < 5; i++) {
      const v = await createVisitor(db, w.orgA, { projectId: w.p1, tokenHash: sha256(randomToken('vt_')) });
      ids.push((await getOrCreateOpenConversation(db, w.orgA, { projectId: w.p1, visitorId: v.id })).id);
    }
    const got: any[] = [];
    let cursor: string | null = null;
    do {
      const res: TAnswer = await call(conversationsRoute.GET, {
        key: w.keys.owner,
        query: { limit: '2', ...(cursor ? { cursor } : {}) },
      });
      expect(res.status).toBe(200);
      expect(res.json.data.length).toBeLessThanOrEqual(2);
      got.push(...res.json.data);
      cursor = res.json.nextCursor;
    } while (cursor);
    expect(got.map((c) => c.id).sort()).toEqual([...ids].sort());
    const times = got.map((c) => Date.parse(c.updatedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    await call(closeRoute.POST, { key: w.keys.owner, params: { conversationId: w.a2.conversationId }, body: {} });
    const closed = await call(conversationsRoute.GET, { key: w.keys.owner, query: { status: 'closed' } });
    expect(closed.json.data.map((c: any) => c.id)).toEqual([w.a2.conversationId]);
    const byVisitor = await call(conversationsRoute.GET, { key: w.keys.owner, query: { visitorId: w.a1.visitorId } });
    expect(byVisitor.json.data.map((c: any) => c.id)).toEqual([w.a1.conversationId]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect(
      (await call(conversationsRoute.GET, { key: w.keys.owner, query: { updatedSince: future } })).json.data,
    ).toEqual([]);
    const p2 = await call(conversationsRoute.GET, { key: w.keys.owner, query: { projectId: w.p2 } });
    expect(p2.json.data.map((c: any) => c.id)).toEqual([w.a2.conversationId]);
  });

  it('exposes assigneeId and tags, and filters by assignee=me|none|<id> and tag', async () => {
    const w = await world();
    const { db } = await env.app();
    const owner = await db.membership.findFirstOrThrow({ where: { organizationId: w.orgA, role: 'owner' } });
    await db.conversation.update({
      where: { id: w.a1.conversationId },
      data: { assigneeId: owner.userId, tags: ['vip', 'billing'] },
    });
    const ownKey = (await createApiKey(db, w.orgA, { name: 'mine', createdById: owner.userId })).key;
    const list = async (key: string, query: Record<string, string>) => call(conversationsRoute.GET, { key, query });
    const ids = (res: TAnswer) => res.json.data.map((c: any) => c.id);
    const one = await call(conversationRoute.GET, {
      key: w.keys.owner,
      params: { conversationId: w.a1.conversationId },
    });
    expect(one.json.data).toMatchObject({ assigneeId: owner.userId, tags: ['vip', 'billing'] });
    expect(ids(await list(ownKey, { assignee: 'me' }))).toEqual([w.a1.conversationId]);
    expect(ids(await list(w.keys.owner, { assignee: owner.userId }))).toEqual([w.a1.conversationId]);
    expect(ids(await list(w.keys.owner, { assignee: 'none' }))).toEqual([w.a2.conversationId]);
    expect(ids(await list(w.keys.owner, { tag: ' VIP ' }))).toEqual([w.a1.conversationId]);
    expect(ids(await list(w.keys.owner, { tag: 'vip', assignee: 'none' }))).toEqual([]);
    // A key no member created cannot say who "me" is: told so, not an empty list.
    const noMe = await list(w.keys.owner, { assignee: 'me' });
    expect(noMe.status).toBe(422);
    expect(noMe.json.detail).toMatch(/member who created this API key/);
    expect((await list(w.keys.owner, { tag: 'x'.repeat(33) })).status).toBe(400);
    // Another organization's key sees none of it.
    expect(ids(await list(w.keys.stranger, { assignee: owner.userId }))).toEqual([]);
  });

  it('a reply goes through postOperatorMessage (seq, chat-app deliveries); a note stays internal; both are listed', async () => {
    const w = await world();
    const { db } = await env.app();
    const reply = await call(messagesRoute.POST, {
      key: w.keys.owner,
      params: { conversationId: w.a1.conversationId },
      body: { body: '  Your order shipped  ', authorName: 'Sam' },
    });
    expect(reply.status).toBe(201);
    expect(reply.json.data).toMatchObject({
      seq: 3,
      sender: 'operator',
      visibility: 'public',
      body: 'Your order shipped',
      authorName: 'Sam',
      source: 'api',
    });
    expect(
      await db.outboxEvent.count({
        where: { organizationId: w.orgA, messageId: reply.json.data.id, connectionId: w.a1.connectionId },
      }),
    ).toBe(1);
    const note = await call(messagesRoute.POST, {
      key: w.keys.owner,
      params: { conversationId: w.a1.conversationId },
      body: { body: 'VIP customer', authorName: 'CRM', visibility: 'internal' },
    });
    expect(note.json.data).toMatchObject({ seq: 4, visibility: 'internal' });
    const page1 = await call(messagesRoute.GET, {
      key: w.keys.owner,
      params: { conversationId: w.a1.conversationId },
      query: { limit: '2' },
    });
    expect(page1.json.data.map((m: any) => m.seq)).toEqual([1, 2]);
    expect(page1.json.data[1].attachments).toEqual([
      expect.objectContaining({ name: 'note.txt', contentType: 'text/plain' }),
    ]);
    const page2 = await call(messagesRoute.GET, {
      key: w.keys.owner,
      params: { conversationId: w.a1.conversationId },
      query: { limit: '2', cursor: page1.json.nextCursor },
    });
    expect(page2.json.data.map((m: any) => [m.seq, m.visibility])).toEqual([
      [3, 'public'],
      [4, 'internal'],
    ]);
    expect(page2.json.nextCursor).toBeNull();
    const polled = await call(messagesRoute.GET, {
      key: w.keys.owner,
      params: { conversationId: w.a1.conversationId },
      query: { afterSeq: '3' },
    });
    expect(polled.json.data.map((m: any) => m.seq)).toEqual([4]);
  });

  it('close then reopen changes the status once each, with a note for the chat apps', async () => {
    const w = await world();
    const { db } = await env.app();
    const params = { conversationId: w.a1.conversationId };
    const closed = await call(closeRoute.POST, { key: w.keys.owner, params, body: { authorName: 'Helpdesk' } });
    expect(closed.json.data).toMatchObject({ status: 'closed', changed: true });
    expect(closed.json.data.closedAt).not.toBeNull();
    expect((await call(closeRoute.POST, { key: w.keys.owner, params, body: {} })).json.data.changed).toBe(false);
    const reopened = await call(reopenRoute.POST, { key: w.keys.owner, params, body: {} });
    expect(reopened.json.data).toMatchObject({ status: 'open', changed: true });
    const notes = await db.message.findMany({
      where: { conversationId: w.a1.conversationId, visibility: 'internal' },
      orderBy: { seq: 'asc' },
    });
    expect(notes.map((n) => [n.authorName, n.body, n.source])).toEqual([
      ['Helpdesk', 'closed the conversation', 'api'],
      ['API', 'reopened the conversation', 'api'],
    ]);
    const got = await call(conversationRoute.GET, { key: w.keys.owner, params });
    expect(got.json.data.status).toBe('open');
  });
});

describe('PATCH /conversations/{id}: assignee and tags through the inbox actions', () => {
  /** A member besides the owner, a webhook endpoint that takes assignments, and a key the owner created. */
  async function team(w: TWorld) {
    const { db } = await env.app();
    const owner = await db.membership.findFirstOrThrow({ where: { organizationId: w.orgA, role: 'owner' } });
    const ana = await env.createUser({ name: 'Ana Agent' });
    await env.addMember(w.orgA, ana.id, 'agent');
    const { endpoint } = await createWebhookEndpoint(webhookDeps(await env.app()), w.orgA, {
      projectId: w.p1,
      url: 'https://crm.example.com/assigned',
      events: ['conversation.assigned'],
    });
    const mine = await createApiKey(db, w.orgA, { name: 'mine', createdById: owner.userId });
    return { db, owner: owner.userId, ana: ana.id, endpointId: endpoint.id, mine };
  }
  const patch = (key: string, conversationId: string, body: unknown) =>
    call(conversationRoute.PATCH, { key, params: { conversationId }, body });
  /** Everything an assignment or a tag change writes, to compare around a refused request. */
  const state = async (w: TWorld) => {
    const { db } = await env.app();
    return {
      conversation: await db.conversation.findUniqueOrThrow({
        where: { id: w.a1.conversationId },
        select: { assigneeId: true, tags: true, updatedAt: true },
      }),
      messages: await db.message.count({ where: { conversationId: w.a1.conversationId } }),
      deliveries: await db.webhookDelivery.count({ where: { organizationId: w.orgA } }),
      audit: await db.auditLog.count({ where: { organizationId: w.orgA } }),
    };
  };

  it('sets and clears the assignee: trace note to the chat apps, conversation.assigned, audit by the key, live push', async () => {
    const w = await world();
    const t = await team(w);
    const { db } = t;
    const app = await env.app();
    const sub = new Redis(app.env.REDIS_URL);
    const relayed: string[] = [];
    await sub.subscribe(
      `${socketIoKey({ url: app.env.REDIS_URL, prefix: app.env.REDIS_PREFIX })}-request#${DASHBOARD_NAMESPACE}#`,
    );
    sub.on('message', (_channel: string, message: string) => relayed.push(message));
    try {
      const set = await call(conversationRoute.PATCH, {
        key: w.keys.owner,
        params: { conversationId: w.a1.conversationId },
        body: { assigneeId: t.ana },
        headers: { 'user-agent': 'crm-sync/1.0' },
      });
      expect(set.status, JSON.stringify(set.json)).toBe(200);
      expect(set.json.data).toMatchObject({ id: w.a1.conversationId, assigneeId: t.ana, tags: [] });
      // The same shape as GET.
      const got = await call(conversationRoute.GET, {
        key: w.keys.owner,
        params: { conversationId: w.a1.conversationId },
      });
      expect(got.json.data).toEqual(set.json.data);
      while (!relayed.some((m) => m.includes(w.a1.conversationId) && m.includes('assigned')))
        await new Promise((r) => setTimeout(r, 20));
    } finally {
      await sub.quit();
    }

    const note = await db.message.findFirstOrThrow({
      where: { conversationId: w.a1.conversationId, visibility: 'internal' },
      orderBy: { seq: 'desc' },
    });
    expect([note.authorName, note.body, note.source]).toEqual([
      'API',
      'assigned this conversation to Ana Agent',
      'api',
    ]);
    // Mirrored to the project's chat app like any note.
    expect(await db.outboxEvent.count({ where: { messageId: note.id, connectionId: w.a1.connectionId } })).toBe(1);
    const deliveries = await db.webhookDelivery.findMany({ where: { endpointId: t.endpointId } });
    expect(deliveries.map((d) => d.eventType)).toEqual(['conversation.assigned']);
    expect(deliveries[0]!.payload).toMatchObject({
      data: { conversation: { id: w.a1.conversationId, assigneeId: t.ana }, assignee: { id: t.ana } },
    });
    const ownerKeyId = (await db.apiKey.findFirstOrThrow({ where: { hash: sha256(w.keys.owner) } })).id;
    const audit = await db.auditLog.findMany({ where: { organizationId: w.orgA, action: 'conversation.assigned' } });
    expect(audit).toEqual([
      expect.objectContaining({
        actorType: 'api_key',
        actorId: ownerKeyId,
        targetType: 'conversation',
        targetId: w.a1.conversationId,
        metadata: { assigneeId: t.ana, previousAssigneeId: null },
        userAgent: 'crm-sync/1.0',
      }),
    ]);

    // The same again changes nothing: no note, no event, no entry.
    const before = await state(w);
    expect((await patch(w.keys.owner, w.a1.conversationId, { assigneeId: t.ana })).status).toBe(200);
    expect(await state(w)).toMatchObject({
      messages: before.messages,
      deliveries: before.deliveries,
      audit: before.audit,
    });

    const cleared = await patch(w.keys.owner, w.a1.conversationId, { assigneeId: null });
    expect(cleared.json.data.assigneeId).toBeNull();
    const last = await db.message.findFirstOrThrow({
      where: { conversationId: w.a1.conversationId },
      orderBy: { seq: 'desc' },
    });
    expect(last.body).toBe('unassigned this conversation');
    expect(await db.webhookDelivery.count({ where: { endpointId: t.endpointId } })).toBe(2);
    expect(await db.auditLog.count({ where: { organizationId: w.orgA, action: 'conversation.assigned' } })).toBe(2);
  });

  it('"me" is the member who created the key; a key without one is told so, naming the field', async () => {
    const w = await world();
    const t = await team(w);
    const me = await patch(t.mine.key, w.a1.conversationId, { assigneeId: 'me' });
    expect(me.status, JSON.stringify(me.json)).toBe(200);
    expect(me.json.data.assigneeId).toBe(t.owner);
    const before = await state(w);
    const nobody = await patch(w.keys.owner, w.a1.conversationId, { assigneeId: 'me', tags: ['vip'] });
    expect(nobody.status).toBe(422);
    expect(nobody.json).toMatchObject({ code: 'unprocessable', errors: [{ path: 'assigneeId' }] });
    expect(nobody.json.detail).toMatch(/member who created this API key/);
    expect(await state(w)).toEqual(before);
  });

  it('refuses an assignee who is not a member (422 naming assigneeId) and changes nothing, tags included', async () => {
    const w = await world();
    const t = await team(w);
    const outsider = await env.createUser();
    const strangerOwner = (await t.db.membership.findFirstOrThrow({ where: { organizationId: w.orgB } })).userId;
    const before = await state(w);
    for (const assigneeId of [outsider.id, strangerOwner, 'no-such-user']) {
      const res = await patch(w.keys.owner, w.a1.conversationId, { assigneeId, tags: ['vip'] });
      expect(res.status, JSON.stringify(res.json)).toBe(422);
      expect(res.json).toMatchObject({ code: 'unprocessable', errors: [{ path: 'assigneeId' }] });
      expect(res.json.detail).toMatch(/member of this organization/);
    }
    expect(await state(w)).toEqual(before);
  });

  it('replaces the tags, normalized like the inbox; the limit and bad tags are refused; [] clears', async () => {
    const w = await world();
    const { db } = await env.app();
    await db.conversation.update({ where: { id: w.a1.conversationId }, data: { tags: ['old'] } });
    const res = await patch(w.keys.owner, w.a1.conversationId, { tags: ['  VIP ', 'Billing   Issue', 'vip'] });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.data.tags).toEqual(['vip', 'billing issue']);
    const audit = await db.auditLog.findFirstOrThrow({
      where: { organizationId: w.orgA, action: 'conversation.tags_changed' },
    });
    expect(audit).toMatchObject({ actorType: 'api_key', metadata: { tags: ['vip', 'billing issue'] } });

    const before = await state(w);
    const eleven = Array.from({ length: 11 }, (_, i) => `t${i}`);
    const tooMany = await patch(w.keys.owner, w.a1.conversationId, { tags: eleven });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.errors.map((e: any) => e.path)).toEqual(['tags']);
    const tooLong = await patch(w.keys.owner, w.a1.conversationId, { tags: ['ok', 'x'.repeat(33)], assigneeId: null });
    expect(tooLong.status).toBe(422);
    expect(tooLong.json).toMatchObject({ code: 'unprocessable', errors: [{ path: 'tags' }] });
    const blank = await patch(w.keys.owner, w.a1.conversationId, { tags: ['   '] });
    expect(blank.status).toBe(422);
    expect(await state(w)).toEqual(before);

    const cleared = await patch(w.keys.owner, w.a1.conversationId, { tags: [] });
    expect(cleared.json.data.tags).toEqual([]);
  });

  it("another tenant's or project's conversation is 404, a read-only key 403, bad bodies 400/413/415: nothing changes", async () => {
    const w = await world();
    const t = await team(w);
    const before = await state(w);
    const cases: [string, string, Parameters<typeof call>[1], number, string][] = [
      ['stranger', w.keys.stranger, { body: { tags: ['x'] } }, 404, 'not_found'],
      ['other project', w.keys.p1Only, { body: { tags: ['x'] } }, 404, 'not_found'],
      ['read-only', w.keys.readOnly, { body: { assigneeId: t.ana } }, 403, 'insufficient_scope'],
      ['empty', w.keys.owner, { body: {} }, 400, 'bad_request'],
      ['unknown field', w.keys.owner, { body: { tags: ['x'], status: 'closed' } }, 400, 'bad_request'],
      ['malformed', w.keys.owner, { rawBody: '{"tags": [' }, 400, 'bad_request'],
      ['not a list', w.keys.owner, { body: { tags: 'vip' } }, 400, 'bad_request'],
      [
        'not JSON',
        w.keys.owner,
        { rawBody: 'tags=x', headers: { 'content-type': 'text/plain' } },
        415,
        'unsupported_media_type',
      ],
      ['oversized', w.keys.owner, { body: { tags: ['x'], pad: 'y'.repeat(70 * 1024) } }, 413, 'payload_too_large'],
    ];
    for (const [what, key, opts, status, code] of cases) {
      // The project-restricted key is aimed at project 2's conversation; everyone else at project 1's (A's).
      const conversationId = what === 'other project' ? w.a2.conversationId : w.a1.conversationId;
      const res = await call(conversationRoute.PATCH, { ...opts, key, params: { conversationId } });
      expect(res.status, `${what}: ${JSON.stringify(res.json)}`).toBe(status);
      expect(res.json.code).toBe(code);
    }
    const b = await patch(w.keys.owner, w.b.conversationId, { assigneeId: t.ana });
    expect(b.status).toBe(404);
    expect(await state(w)).toEqual(before);
    const { db } = await env.app();
    expect((await db.conversation.findUniqueOrThrow({ where: { id: w.a2.conversationId } })).tags).toEqual([]);
  });
});

describe('visitors, projects, connections', () => {
  it('PATCH merges metadata key by key and sets identity fields', async () => {
    const w = await world();
    const params = { visitorId: w.a1.visitorId };
    await call(visitorRoute.PATCH, { key: w.keys.owner, params, body: { metadata: { plan: 'pro', seats: 3 } } });
    const res = await call(visitorRoute.PATCH, {
      key: w.keys.owner,
      params,
      body: { email: 'Ann@Example.test', name: 'Ann', externalId: 'u_42', metadata: { seats: null, vip: true } },
    });
    expect(res.json.data).toMatchObject({
      email: 'Ann@Example.test',
      name: 'Ann',
      externalId: 'u_42',
      metadata: { plan: 'pro', vip: true },
    });
    expect(res.json.data.metadata).not.toHaveProperty('seats');
    expect(res.json.data).not.toHaveProperty('renames');
    expect((await call(visitorRoute.GET, { key: w.keys.owner, params })).json.data).toEqual(res.json.data);
    // The new name renames the visitor's open thread in the project's chat app, through the outbox.
    const { db } = await env.app();
    const renames = await db.outboxEvent.findMany({
      where: { conversationId: w.a1.conversationId, kind: 'bridge.rename' },
      select: { connectionId: true },
    });
    expect(renames).toEqual([{ connectionId: w.a1.connectionId }]);
  });

  it('DELETE erases the visitor, their conversations, every message and the files, bytes included', async () => {
    const w = await world();
    const { db, storage } = await env.app();
    await call(messagesRoute.POST, {
      key: w.keys.owner,
      params: { conversationId: w.a1.conversationId },
      body: { body: 'reply to be erased', authorName: 'Sam' },
    });
    expect(await storage.get(w.a1.storageKey)).not.toBeNull();
    const res = await call(visitorRoute.DELETE, { key: w.keys.owner, params: { visitorId: w.a1.visitorId } });
    expect(res.json.data).toEqual({ id: w.a1.visitorId, deleted: true, conversations: 1, messages: 3, files: 1 });
    expect(await db.visitor.count({ where: { id: w.a1.visitorId } })).toBe(0);
    expect(await db.conversation.count({ where: { id: w.a1.conversationId } })).toBe(0);
    expect(await db.message.count({ where: { conversationId: w.a1.conversationId } })).toBe(0);
    expect(await db.attachment.count({ where: { conversationId: w.a1.conversationId } })).toBe(0);
    expect(await storage.get(w.a1.storageKey)).toBeNull();
    // The other visitor of the organization is untouched.
    expect(await storage.get(w.a2.storageKey)).not.toBeNull();
    expect(await db.message.count({ where: { conversationId: w.a2.conversationId } })).toBe(2);
    expect((await call(visitorRoute.GET, { key: w.keys.owner, params: { visitorId: w.a1.visitorId } })).status).toBe(
      404,
    );
  });

  it('projects and connections show what they should and never credentials', async () => {
    const w = await world();
    const projects = await call(projectsRoute.GET, { key: w.keys.p1Only });
    expect(projects.json.data.map((p: any) => p.id)).toEqual([w.p1]);
    expect((await call(projectRoute.GET, { key: w.keys.owner, params: { projectId: w.q } })).status).toBe(404);
    const connections = await call(connectionsRoute.GET, { key: w.keys.owner });
    expect(connections.json.data.map((c: any) => c.id).sort()).toEqual([w.a1.connectionId, w.a2.connectionId].sort());
    expect(connections.json.data[0]).toMatchObject({ kind: 'telegram', status: 'active' });
    expect(JSON.stringify(connections.json)).not.toContain('v1:fake');
  });
});

describe('webhook endpoints', () => {
  it('create answers the secret once (sealed at rest), never again; rotate answers a new one with an overlap', async () => {
    const w = await world();
    const { db, keyRing } = await env.app();
    const created = await call(webhookEndpointsRoute.POST, {
      key: w.keys.owner,
      body: { projectId: w.p1, url: 'https://crm.example.com/in', events: ['message.created', 'event.custom'] },
    });
    expect(created.status).toBe(201);
    const secret = created.json.secret as string;
    expect(secret).toMatch(/^whsec_/);
    const id = created.json.data.id as string;
    const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(JSON.stringify(row)).not.toContain(secret.slice(6));
    expect(decryptSecret(keyRing, row.secret)).toBe(secret);
    const got = await call(webhookEndpointRoute.GET, { key: w.keys.owner, params: { endpointId: id } });
    expect(got.json.data).toMatchObject({ id, projectId: w.p1, events: ['message.created', 'event.custom'] });
    const listed = await call(webhookEndpointsRoute.GET, { key: w.keys.owner });
    expect(listed.json.data.map((e: any) => e.id)).toEqual(
      expect.arrayContaining([id, w.a1.endpointId, w.a2.endpointId]),
    );
    for (const a of [got, listed]) expect(JSON.stringify(a.json)).not.toMatch(/whsec_|secret"/);

    const rotated = await call(rotateSecretRoute.POST, { key: w.keys.owner, params: { endpointId: id }, body: {} });
    expect(rotated.status).toBe(200);
    expect(rotated.json.secret).toMatch(/^whsec_/);
    expect(rotated.json.secret).not.toBe(secret);
    expect(Date.parse(rotated.json.data.previousSecretExpiresAt)).toBeGreaterThan(Date.now());

    const patched = await call(webhookEndpointRoute.PATCH, {
      key: w.keys.owner,
      params: { endpointId: id },
      body: { status: 'disabled', events: ['conversation.closed'] },
    });
    expect(patched.json.data).toMatchObject({ status: 'disabled', events: ['conversation.closed'] });
    const deleted = await call(webhookEndpointRoute.DELETE, { key: w.keys.owner, params: { endpointId: id } });
    expect(deleted.json.data).toEqual({ id, deleted: true });
    expect(await db.webhookEndpoint.count({ where: { id } })).toBe(0);
    expect((await call(webhookEndpointRoute.GET, { key: w.keys.owner, params: { endpointId: id } })).status).toBe(404);
  });

  it('a retried create with the same Idempotency-Key makes one endpoint and answers the same secret', async () => {
    const w = await world();
    const { db } = await env.app();
    const req = {
      key: w.keys.owner,
      headers: { 'idempotency-key': `create-${randomBytes(6).toString('hex')}` },
      body: { projectId: w.p1, url: 'https://crm.example.com/once', events: ['conversation.created'] },
    };
    const first = await call(webhookEndpointsRoute.POST, req);
    const retry = await call(webhookEndpointsRoute.POST, req);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.json).toEqual(first.json);
    expect(await db.webhookEndpoint.count({ where: { url: 'https://crm.example.com/once' } })).toBe(1);
    // The answer kept for the replay holds the secret: sealed at rest like every secret, never in clear.
    const kept = await db.apiIdempotencyKey.findFirstOrThrow({ where: { key: req.headers['idempotency-key'] } });
    expect(JSON.stringify(kept)).not.toContain(first.json.secret.slice(6));
    expect(JSON.stringify(kept)).not.toContain('whsec_');
  });

  it('refuses private, loopback and metadata URLs, unknown events and unknown fields, writing nothing', async () => {
    const w = await world();
    const before = await snapshot(w);
    for (const body of [
      { projectId: w.p1, url: 'http://127.0.0.1/hook', events: ['message.created'] },
      { projectId: w.p1, url: 'http://169.254.169.254/latest/meta-data', events: ['message.created'] },
      { projectId: w.p1, url: 'http://10.0.0.7/hook', events: ['message.created'] },
      { projectId: w.p1, url: 'http://localhost:3000/hook', events: ['message.created'] },
      { projectId: w.p1, url: 'ftp://crm.example.com/hook', events: ['message.created'] },
      { projectId: w.p1, url: 'https://user:pw@crm.example.com/hook', events: ['message.created'] },
      { projectId: w.p1, url: 'https://crm.example.com/hook', events: ['message.deleted'] },
      { projectId: w.p1, url: 'https://crm.example.com/hook', events: [] },
      { projectId: w.p1, url: 'https://crm.example.com/hook', events: ['message.created'], secret: 'whsec_mine' },
    ]) {
      const res = await call(webhookEndpointsRoute.POST, { key: w.keys.owner, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.code).toBe('bad_request');
    }
    const patch = await call(webhookEndpointRoute.PATCH, {
      key: w.keys.owner,
      params: { endpointId: w.a1.endpointId },
      body: { url: 'http://[::1]/x' },
    });
    expect(patch.status).toBe(400);
    expect(await snapshot(w)).toEqual(before);
  });

  it('lists deliveries newest first with a cursor; replay queues the same event (same webhook-id) again', async () => {
    const w = await world();
    const { db } = await env.app();
    for (let i = 0; i < 3; i++) await sendTestWebhookEvent({ db }, w.orgA, w.a1.endpointId);
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res: TAnswer = await call(deliveriesRoute.GET, {
        key: w.keys.readOnly,
        params: { endpointId: w.a1.endpointId },
        query: { limit: '2', ...(cursor ? { cursor } : {}) },
      });
      expect(res.status).toBe(200);
      ids.push(...res.json.data.map((d: any) => d.id));
      cursor = res.json.nextCursor;
    } while (cursor);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    const bad = await call(deliveriesRoute.GET, {
      key: w.keys.owner,
      params: { endpointId: w.a1.endpointId },
      query: { cursor: '!!not a cursor!!' },
    });
    expect(bad.status).toBe(400);

    const original = await db.webhookDelivery.findUniqueOrThrow({ where: { id: w.a1.deliveryId } });
    const replayed = await call(replayRoute.POST, {
      key: w.keys.owner,
      params: { endpointId: w.a1.endpointId, deliveryId: w.a1.deliveryId },
      body: {},
    });
    expect(replayed.status).toBe(201);
    expect(replayed.json.data.id).not.toBe(w.a1.deliveryId);
    expect(replayed.json.data).toMatchObject({
      eventId: original.eventId,
      status: 'pending',
      endpointId: w.a1.endpointId,
    });
    // A delivery of another endpoint of the same organization, named under this endpoint: 404.
    const crossed = await call(replayRoute.POST, {
      key: w.keys.owner,
      params: { endpointId: w.a1.endpointId, deliveryId: w.a2.deliveryId },
      body: {},
    });
    expect(crossed.status).toBe(404);
  });
});

describe('visitor events', () => {
  it('queued for an offline visitor, live (through the realtime relay) for a connected one', async () => {
    const w = await world();
    const app = await env.app();
    const prefix = app.env.REDIS_PREFIX;
    const queued = await call(visitorEventsRoute.POST, {
      key: w.keys.owner,
      params: { visitorId: w.a1.visitorId },
      body: { name: 'order.shipped', data: { orderId: 'A-1' } },
    });
    expect(queued.status).toBe(201);
    expect(queued.json.data).toMatchObject({ name: 'order.shipped', data: { orderId: 'A-1' }, delivery: 'queued' });
    const waiting = await takeVisitorEvents(app.producer.redis, prefix, w.a1.visitorId);
    expect(waiting.map((e) => e.id)).toEqual([queued.json.data.id]);

    // A widget of the visitor is open on a (pretend) realtime node: the event goes out on realtime's relay channel.
    const node = createVisitorConnections(app.producer.redis, prefix, `test-node-${randomBytes(4).toString('hex')}`);
    await node.heartbeat();
    await node.connected(w.a1.visitorId);
    const sub = new Redis(app.env.REDIS_URL);
    const relayed: any[] = [];
    const key = socketIoKey({ url: app.env.REDIS_URL, prefix });
    await sub.subscribe(`${key}-request#${DASHBOARD_NAMESPACE}#`);
    sub.on('message', (_channel: string, message: string) => relayed.push(JSON.parse(message)));
    try {
      const live = await call(visitorEventsRoute.POST, {
        key: w.keys.p1Only,
        params: { visitorId: w.a1.visitorId },
        body: { name: 'plan:upgraded', data: [1, 'two', { three: 3 }] },
      });
      expect(live.json.data.delivery).toBe('live');
      // Wait on the condition (the publish is fire-and-forget); vitest's own timeout bounds it.
      while (relayed.length === 0) await new Promise((r) => setTimeout(r, 20));
      expect(relayed[0].data[1]).toMatchObject({
        nsp: '/widget',
        room: `visitor:${w.a1.visitorId}`,
        event: VISITOR_PUSH_EVENT,
        args: [{ id: live.json.data.id, name: 'plan:upgraded', data: [1, 'two', { three: 3 }] }],
      });
    } finally {
      await node.disconnected(w.a1.visitorId);
      await node.stop();
      await sub.quit();
    }
  });

  it("another tenant's visitor is 404; bad names and oversized data are refused; nothing is queued", async () => {
    const w = await world();
    const app = await env.app();
    const prefix = app.env.REDIS_PREFIX;
    const send = (key: string, visitorId: string, body: unknown) =>
      call(visitorEventsRoute.POST, { key, params: { visitorId }, body });
    expect((await send(w.keys.stranger, w.a1.visitorId, { name: 'x' })).status).toBe(404);
    expect((await send(w.keys.owner, w.b.visitorId, { name: 'x' })).status).toBe(404);
    expect((await send(w.keys.p1Only, w.a2.visitorId, { name: 'x' })).status).toBe(404);
    expect((await send(w.keys.readOnly, w.a1.visitorId, { name: 'x' })).status).toBe(403);
    for (const body of [
      {},
      { name: '' },
      { name: 'has space' },
      { name: 'x'.repeat(101) },
      { name: 'open' },
      { name: 'message' },
      { name: 'ok', data: { blob: 'x'.repeat(9 * 1024) } },
      { name: 'ok', extra: true },
    ]) {
      const res = await send(w.keys.owner, w.a1.visitorId, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    for (const v of [w.a1.visitorId, w.a2.visitorId, w.b.visitorId])
      expect(await takeVisitorEvents(app.producer.redis, prefix, v)).toEqual([]);
  });
});

describe('stats', () => {
  it('counts the conversations started in the period, in the asked time zone, beside the period before', async () => {
    const w = await world();
    const { db } = await env.app();
    // A week in March, in New York (UTC−5, then UTC−4 from the 8th): 03:00 UTC on Tuesday the 3rd is Monday the 2nd,
    // 22:00 there; the period is Monday the 2nd 00:00 to Monday the 9th 00:00 there.
    const seeded: {
      createdAt: string;
      reply?: { afterSeconds: number; sender: 'operator' | 'ai'; source: string };
      closedAfterSeconds?: number;
      csat?: number;
    }[] = [
      { createdAt: '2026-03-03T03:00:00Z', reply: { afterSeconds: 120, sender: 'operator', source: 'telegram' } },
      {
        createdAt: '2026-03-04T15:00:00Z',
        reply: { afterSeconds: 600, sender: 'ai', source: 'ai' },
        closedAfterSeconds: 3600,
        csat: 5,
      },
      {
        createdAt: '2026-03-04T16:30:00Z',
        reply: { afterSeconds: 300, sender: 'operator', source: 'web' },
        closedAfterSeconds: 7200,
        csat: 3,
      },
      { createdAt: '2026-03-06T12:00:00Z' },
      // The week before: one conversation answered from Slack after 60 s.
      { createdAt: '2026-02-25T12:00:00Z', reply: { afterSeconds: 60, sender: 'operator', source: 'slack' } },
    ];
    const ids: string[] = [];
    for (const s of seeded) {
      const visitor = await createVisitor(db, w.orgA, { projectId: w.p1, tokenHash: sha256(randomToken('vt_')) });
      const c = await getOrCreateOpenConversation(db, w.orgA, { projectId: w.p1, visitorId: visitor.id });
      ids.push(c.id);
      const t0 = new Date(s.createdAt).getTime();
      const v = await appendMessage(db, w.orgA, {
        conversationId: c.id,
        sender: 'visitor',
        body: 'help',
        source: 'widget',
        deliver: false,
      });
      await db.message.update({ where: { id: v.message.id }, data: { createdAt: new Date(t0 + 5_000) } });
      if (s.reply) {
        const r = await appendMessage(db, w.orgA, {
          conversationId: c.id,
          sender: s.reply.sender,
          body: 'answer',
          source: s.reply.source,
          deliver: false,
        });
        const at = new Date(t0 + 5_000 + s.reply.afterSeconds * 1000);
        await db.message.update({ where: { id: r.message.id }, data: { createdAt: at } });
      }
      await db.conversation.update({
        where: { id: c.id },
        data: {
          createdAt: new Date(t0),
          ...(s.closedAfterSeconds
            ? { status: 'closed', closedAt: new Date(t0 + s.closedAfterSeconds * 1000) }
            : { status: 'closed', closedAt: null }),
          ...(s.csat ? { csatScore: s.csat, csatAt: new Date(t0 + 8000_000) } : {}),
        },
      });
    }
    const query = { since: '2026-03-02T05:00:00Z', until: '2026-03-09T04:00:00Z', timeZone: 'America/New_York' };
    const res = await call(statsRoute.GET, { key: w.keys.owner, query: { ...query, projectId: w.p1 } });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    const { current, previous, waitingNow, timeZone } = res.json.data;
    expect(timeZone).toBe('America/New_York');
    expect(waitingNow).toBe(1); // a1 of the world: the visitor wrote, nobody answered
    expect(current).toMatchObject({
      conversations: 4,
      closed: 4,
      unanswered: 1,
      firstResponse: { count: 3, medianSeconds: 300, p90Seconds: 540 },
      resolution: { count: 2, medianSeconds: 5400, p90Seconds: 6840 },
      csat: { count: 2, average: 4 },
    });
    expect(current.csat.distribution).toEqual(
      [1, 2, 3, 4, 5].map((score) => ({ score, count: [0, 0, 1, 0, 1][score - 1] })),
    );
    const answered = Object.fromEntries(current.answeredBy.map((a: any) => [a.channel, a.count]));
    expect(answered).toEqual({ dashboard: 1, telegram: 1, slack: 0, discord: 0, api: 0, ai: 1, other: 0 });
    expect(current.perDay.map((d: any) => `${d.date}:${d.conversations}`)).toEqual([
      '2026-03-02:1',
      '2026-03-03:0',
      '2026-03-04:2',
      '2026-03-05:0',
      '2026-03-06:1',
      '2026-03-07:0',
      '2026-03-08:0',
    ]);
    const busy = current.heatmap.filter((h: any) => h.conversations > 0);
    expect(busy).toEqual([
      { weekday: 1, hour: 22, conversations: 1 },
      { weekday: 3, hour: 10, conversations: 1 },
      { weekday: 3, hour: 11, conversations: 1 },
      { weekday: 5, hour: 7, conversations: 1 },
    ]);
    expect(previous).toMatchObject({ conversations: 1, firstResponse: { count: 1, medianSeconds: 60 } });
    expect(previous.answeredBy.find((a: any) => a.channel === 'slack').count).toBe(1);

    // The organization (no projectId) adds nothing of project 2 in that week; a project-restricted key gets its own.
    const org = await call(statsRoute.GET, { key: w.keys.owner, query });
    expect(org.json.data.current.conversations).toBe(4);
    const mine = await call(statsRoute.GET, { key: w.keys.p1Only, query });
    expect(mine.json.data.current).toEqual(current);
    const strangers = await call(statsRoute.GET, { key: w.keys.stranger, query });
    expect(strangers.json.data.current.conversations).toBe(0);

    // Each conversation's figures are rolled up; the one never answered until now is answered (from Discord, 15 min
    // after): the next call folds it again and counts it, the others unchanged.
    const rolled = await db.statsConversation.findUnique({
      where: { organizationId_conversationId: { organizationId: w.orgA, conversationId: ids[3]! } },
    });
    expect(rolled).toMatchObject({ unanswered: true, firstResponseSeconds: null });
    const late = await appendMessage(db, w.orgA, {
      conversationId: ids[3]!,
      sender: 'operator',
      body: 'Sorry for the wait',
      source: 'discord',
      deliver: false,
    });
    await db.message.update({
      where: { id: late.message.id },
      data: { createdAt: new Date(Date.parse('2026-03-06T12:00:05Z') + 900_000) },
    });
    const again = (await call(statsRoute.GET, { key: w.keys.owner, query: { ...query, projectId: w.p1 } })).json.data;
    expect(again.current).toMatchObject({
      unanswered: 0,
      firstResponse: { count: 4, medianSeconds: 450, p90Seconds: 810 },
    });
    expect(again.current.answeredBy.find((a: any) => a.channel === 'discord').count).toBe(1);
  });

  it('refuses an unknown time zone, a reversed or too long period, unknown fields', async () => {
    const w = await world();
    for (const [query, path] of [
      [{ timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
      [{ since: '2026-03-02T00:00:00Z', until: '2026-03-01T00:00:00Z' }, 'since'],
      [{ since: '2024-01-01T00:00:00Z', until: '2026-01-01T00:00:00Z' }, 'since'],
      [{ since: 'yesterday' }, 'since'],
      [{ groupBy: 'day' }, 'groupBy'],
    ] as const) {
      const res = await call(statsRoute.GET, { key: w.keys.owner, query });
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.json.errors.map((e: any) => e.path)).toContain(path);
    }
  });
});

describe('OpenAPI document (the contract)', () => {
  it('is served without a key and lists every operation', async () => {
    const res = await openapiRoute.GET();
    const doc = (await res.json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.values(doc.paths).flatMap((p: any) => Object.values(p).map((o: any) => o.operationId));
    expect(ops.sort()).toEqual(API_OPERATIONS.map((h) => h.operation.operationId).sort());
  });

  // Runs last (vitest keeps file order): every answer received above must be documented and match its schema.
  it('every answer this file received matches the document', async () => {
    const doc = (await (await openapiRoute.GET()).json()) as any;
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
    const byId = new Map<string, any>();
    for (const p of Object.values(doc.paths) as any[])
      for (const o of Object.values(p) as any[]) byId.set(o.operationId, o);
    const withSuccess = new Set<string>();
    expect(seen.length).toBeGreaterThan(100);
    for (const answer of seen) {
      const op = byId.get(answer.operationId);
      const documented = op.responses[String(answer.status)];
      expect(
        documented,
        `${answer.operationId} answered ${answer.status}, which the document does not list`,
      ).toBeDefined();
      const mediaType = answer.contentType.split(';')[0]!;
      const schema = documented.content[mediaType]?.schema;
      expect(schema, `${answer.operationId} ${answer.status} as ${mediaType}`).toBeDefined();
      const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/'));
      const validate = ajv.compile(rewritten);
      const ok = validate(answer.body);
      expect(ok, `${answer.operationId} ${answer.status}: ${JSON.stringify(validate.errors)?.slice(0, 500)}`).toBe(
        true,
      );
      if (answer.status < 300) withSuccess.add(answer.operationId);
    }
    expect([...withSuccess].sort()).toEqual(API_OPERATIONS.map((h) => h.operation.operationId).sort());
  });
});

afterAll(async () => {
  await env?.close();
});
