// @pocketping/node against the real /api/v1 in-process: its fetch is routed to the route handlers (the same
// functions Next.js serves), with the real Postgres and Redis. Also: the generated types match the served OpenAPI
// document (regenerate with `vitest run <this file> --update`), and the SDK's verifier accepts what packages/webhooks'
// signer sends — with one secret, with two during a rotation — and refuses tampering and stale timestamps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken, sha256 } from '@pocketping/core';
import { appendMessage, createApiKey, createVisitor, getOrCreateOpenConversation } from '@pocketping/db';
import {
  createPocketPingClient,
  PocketPingApiError,
  verifyWebhook,
  WebhookVerificationError,
  type TPocketPingClient,
} from '@pocketping/node';
import { openApiToTypes } from '@pocketping/node/scripts/openapi-to-ts.mjs';
import { webhookHeaders } from '@pocketping/webhooks';
import { setupWebTestEnv, TEST_WEB_URL, type TWebTestEnv } from '../testing/web-test-env';
import { API_OPERATIONS } from './operations';
import * as openapiRoute from '../../app/api/v1/openapi.json/route';

let env: TWebTestEnv;
beforeAll(async () => {
  env = await setupWebTestEnv();
});
afterAll(async () => {
  await env?.close();
});

/** A fetch that dispatches to the /api/v1 route handlers, as Next's router would. */
const calls: string[] = [];
async function inProcessFetch(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const path = url.pathname.replace(/^\/api\/v1/, '');
  for (const handler of API_OPERATIONS) {
    const op = handler.operation;
    if (op.method !== req.method) continue;
    const names: string[] = [];
    const pattern = new RegExp(
      `^${op.path.replace(/\{([^}]+)\}/g, (_m, n: string) => {
        names.push(n);
        return '([^/]+)';
      })}$`,
    );
    const m = pattern.exec(path);
    if (!m) continue;
    const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
    calls.push(`${req.method} ${op.path} ${req.headers.get('idempotency-key') ?? ''}`);
    return handler(req, { params: Promise.resolve(params) });
  }
  return new Response('{"code":"not_found"}', { status: 404 });
}

async function world() {
  const { db } = await env.app();
  const owner = await env.createUser();
  const org = await env.createOrg(owner.id, 'Sdk');
  const project = await env.createProject(org.id, 'Site');
  const visitor = await createVisitor(db, org.id, { projectId: project.id, tokenHash: sha256(randomToken('vt_')) });
  const conversation = await getOrCreateOpenConversation(db, org.id, { projectId: project.id, visitorId: visitor.id });
  await appendMessage(db, org.id, {
    conversationId: conversation.id,
    sender: 'visitor',
    body: 'Where is my order?',
    source: 'widget',
    deliver: false,
  });
  const client = (scopes: ('read' | 'write')[]) =>
    createApiKey(db, org.id, { name: 'sdk', scopes, projectId: null }).then(({ key }) =>
      createPocketPingClient({ apiKey: key, baseUrl: TEST_WEB_URL, fetch: inProcessFetch }),
    );
  return {
    org,
    project,
    visitor,
    conversation,
    owner: await client(['read', 'write']),
    reader: await client(['read']),
  };
}

describe('generated types', () => {
  it('match the served OpenAPI document (fails on drift; `--update` regenerates)', async () => {
    const doc = (await (await openapiRoute.GET()).json()) as { paths: Record<string, Record<string, unknown>> };
    await expect(openApiToTypes(doc)).toMatchFileSnapshot('../../../../../packages/sdk-node/src/generated/api.ts');
  });
});

describe('client against the real API', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let client: TPocketPingClient;
  beforeAll(async () => {
    w = await world();
    client = w.owner;
  });

  it('reads projects, conversations and messages with their documented shapes', async () => {
    const projects = await client.listProjects();
    expect(projects.data.map((p) => p.id)).toEqual([w.project.id]);
    const open = await client.listConversations({ query: { status: 'open', limit: 10 } });
    expect(open.data.map((c) => c.id)).toEqual([w.conversation.id]);
    expect(open.nextCursor).toBeNull();
    const messages = await client.listMessages({ params: { conversationId: w.conversation.id } });
    expect(messages.data.map((m) => m.body)).toEqual(['Where is my order?']);
  });

  it('sends with an Idempotency-Key: the same key twice posts once', async () => {
    const input = {
      params: { conversationId: w.conversation.id },
      body: { body: 'It shipped today', authorName: 'Sam' },
      idempotencyKey: `sdk-${randomToken('', 8)}`,
    };
    const first = await client.sendMessage(input);
    const again = await client.sendMessage(input);
    expect(again).toEqual(first);
    const messages = await client.listMessages({ params: { conversationId: w.conversation.id } });
    expect(messages.data.filter((m) => m.body === 'It shipped today')).toHaveLength(1);
    // Without a key the client sends a fresh one on every POST.
    await client.closeConversation({ params: { conversationId: w.conversation.id }, body: {} });
    expect(calls.filter((c) => c.startsWith('POST /conversations/{conversationId}/close ')).at(-1)).toMatch(
      /close [0-9a-f-]{36}$/,
    );
  });

  it('throws PocketPingApiError with the stable code, status and request id', async () => {
    const missing = await client.getConversation({ params: { conversationId: 'nope' } }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(PocketPingApiError);
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });
    expect((missing as PocketPingApiError).requestId).toMatch(/^req_/);
    const refused = await w.reader
      .updateVisitor({ params: { visitorId: w.visitor.id }, body: { name: 'X' } })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 403, code: 'insufficient_scope' });
    const bad = await client.listConversations({ query: { limit: 1000 } }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, code: 'bad_request' });
  });

  it('pushes a visitor event (queued while the visitor is offline)', async () => {
    const r = await client.pushVisitorEvent({
      params: { visitorId: w.visitor.id },
      body: { name: 'order.shipped', data: { orderId: 'A-1' } },
    });
    expect(r.data).toMatchObject({ name: 'order.shipped', delivery: 'queued' });
  });

  it('creates a webhook endpoint, and verifies what packages/webhooks signs with its secret, across a rotation', async () => {
    const created = await client.createWebhookEndpoint({
      body: { projectId: w.project.id, url: 'https://crm.example.com/pp', events: ['message.created'] },
    });
    const first = created.secret;
    const body = JSON.stringify({ type: 'message.created', timestamp: new Date().toISOString(), data: { id: 'm1' } });
    const signed = webhookHeaders({ id: 'evt_1', body, secrets: [first] });
    const event = verifyWebhook<{ id: string }>({ payload: body, headers: new Headers(signed), secret: first });
    expect(event).toMatchObject({ id: 'evt_1', type: 'message.created', data: { id: 'm1' } });
    // Node-style headers object, body as bytes.
    expect(verifyWebhook({ payload: Buffer.from(body), headers: signed, secret: first }).id).toBe('evt_1');

    const rotated = await client.rotateWebhookEndpointSecret({ params: { endpointId: created.data.id } });
    const second = rotated.secret;
    // During the overlap the worker signs with both: a receiver with either secret verifies.
    const both = webhookHeaders({ id: 'evt_2', body, secrets: [second, first] });
    for (const secret of [first, second, [second, first]])
      expect(verifyWebhook({ payload: body, headers: both, secret }).id).toBe('evt_2');
    // After the overlap only the new secret signs: the old one alone is refused, a list with the new one passes.
    const after = webhookHeaders({ id: 'evt_3', body, secrets: [second] });
    expect(() => verifyWebhook({ payload: body, headers: after, secret: first })).toThrow(WebhookVerificationError);
    expect(verifyWebhook({ payload: body, headers: after, secret: [first, second] }).id).toBe('evt_3');

    const expectRefused = (opts: Parameters<typeof verifyWebhook>[0], message: RegExp) =>
      expect(() => verifyWebhook(opts)).toThrow(message);
    expectRefused({ payload: `${body} `, headers: after, secret: second }, /No matching signature/);
    expectRefused({ payload: body, headers: { ...after, 'webhook-id': 'evt_4' }, secret: second }, /No matching/);
    const old = webhookHeaders({ id: 'evt_5', body, secrets: [second], now: new Date(Date.now() - 10 * 60_000) });
    expectRefused({ payload: body, headers: old, secret: second }, /too old/);
    const future = webhookHeaders({ id: 'evt_6', body, secrets: [second], now: new Date(Date.now() + 10 * 60_000) });
    expectRefused({ payload: body, headers: future, secret: second }, /too new/);
    expect(verifyWebhook({ payload: body, headers: old, secret: second, toleranceSeconds: 3600 }).id).toBe('evt_5');
    expectRefused({ payload: body, headers: { 'webhook-id': 'x' }, secret: second }, /Missing/);
  });

  it('lists deliveries and replays one through the client', async () => {
    const endpoint = await client.createWebhookEndpoint({
      body: { projectId: w.project.id, url: 'https://crm.example.com/log', events: ['conversation.closed'] },
    });
    const test = await client.sendWebhookTestEvent({ params: { endpointId: endpoint.data.id } });
    const log = await client.listWebhookDeliveries({ params: { endpointId: endpoint.data.id }, query: { limit: 10 } });
    expect(log.data.map((d) => d.id)).toEqual([test.data.id]);
    const replay = await client.replayWebhookDelivery({
      params: { endpointId: endpoint.data.id, deliveryId: test.data.id },
    });
    expect(replay.data.eventId).toBe(test.data.eventId);
  });
});
