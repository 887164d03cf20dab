// Outbound webhooks end to end on the real Postgres and Redis: the conversation actions write deliveries in their
// own transaction, the worker (in-process) signs and sends them to a receiver on 127.0.0.1, retries on the
// schedule, keeps order per conversation, replays, refuses private addresses, and disables a dead endpoint.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, parseKeyRing, sha256 } from '@pocketping/core';
import {
  appendMessage,
  bootstrapTenant,
  createDb,
  createSqlPool,
  createVisitor,
  getOrCreateOpenConversationSql,
  saveCsat,
  setConversationStatus,
  type TDb,
  type TSql,
} from '@pocketping/db';
import { postVisitorMessage, recordVisitorEvent, type TVisitorPorts } from '@pocketping/conversations';
import {
  createWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookDeliveries,
  replayWebhookDelivery,
  rotateWebhookSecret,
  sendTestWebhookEvent,
  sendWebhook,
  updateWebhookEndpoint,
  webhookRetryOffsetsMs,
  type TWebhookDeps,
} from '@pocketping/webhooks';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  startWebhookReceiver,
  testEncryptionKey,
  uniqueRedisPrefix,
  waitFor,
  type TReceivedWebhook,
  type TTestDatabase,
  type TWebhookReceiver,
} from '@pocketping/testkit';
import { startWorker, type TWorkerRuntime } from '../../apps/worker/src/runtime.js';

const RETRY_BASE_MS = 150;
const DISABLE_AFTER_MS = 4_000;

let database: TTestDatabase;
let db: TDb;
let sql: TSql;
let worker: TWorkerRuntime;
let receiver: TWebhookReceiver;
let deps: TWebhookDeps;
let organizationId: string;
let projectId: string;
let otherOrganizationId: string;
const mails: { to: string; subject: string; text: string }[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, { poolSize: 5 });
  sql = createSqlPool(database.url, { onError: () => undefined });
  const keyRing = parseKeyRing(testEncryptionKey());
  receiver = await startWebhookReceiver();
  const tenant = await bootstrapTenant(db, keyRing, {
    email: 'owner@webhooks.test',
    orgName: 'Webhooks',
    allowedOrigins: ['https://site.test'],
  });
  organizationId = tenant.organization.id;
  projectId = tenant.project.id;
  otherOrganizationId = (
    await bootstrapTenant(db, keyRing, { email: 'other@webhooks.test', orgName: 'Other', allowedOrigins: [] })
  ).organization.id;
  deps = { db, keyRing, fetchAllow: ['127.0.0.1'] };
  worker = await startWorker({
    databaseUrl: database.url,
    redis: { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() },
    keyRing,
    bridges: { telegram: { apiRoot: 'http://127.0.0.1:9', groupPostsPerMinute: 1000 } },
    concurrency: 10,
    sweepIntervalMs: 1_000,
    log: createLogger('webhooks-test', 'silent'),
    webhooks: {
      fetch: { allow: ['127.0.0.1'], timeoutMs: 3_000 },
      retryBaseMs: RETRY_BASE_MS,
      disableAfterMs: DISABLE_AFTER_MS,
      mailer: { send: async (m) => void mails.push(m) },
    },
  });
}, 60_000);

afterAll(async () => {
  await worker?.close();
  await receiver?.close();
  await sql?.end();
  await db?.$disconnect();
  await database?.drop();
});

async function newVisitor(): Promise<string> {
  const v = await createVisitor(db, organizationId, {
    projectId,
    tokenHash: sha256(randomBytes(8).toString('hex')),
    metadata: {},
  });
  return v.id;
}

const visitorPorts = (): TVisitorPorts => ({ ...worker.ctx.conversations, sql });

/** The received webhooks of one path (each endpoint gets its own path on the one receiver). */
const at = (path: string) => receiver.received.filter((r) => r.path === path);
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- payloads are checked field by field below
const body = (r: TReceivedWebhook) => JSON.parse(r.body) as { type: string; timestamp: string; data: any };

describe('outbound webhooks', () => {
  it('sends each subscribed event, signed per Standard Webhooks, and nothing the filter leaves out', async () => {
    const { endpoint, secret } = await createWebhookEndpoint(deps, organizationId, {
      projectId,
      url: `${receiver.url}/all`,
      events: ['conversation.created', 'message.created', 'event.custom', 'conversation.closed', 'csat.submitted'],
    });
    expect(secret).toMatch(/^whsec_/);
    expect(JSON.stringify(endpoint)).not.toContain(secret);
    const stored = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(stored.secret).not.toContain(secret.slice(6)); // sealed at rest

    const visitorId = await newVisitor();
    const session = { organizationId, projectId, visitorId, openConversationId: null as string | null };
    // The widget's hot path (one SQL statement) and a custom event, through the real actions.
    const sent = await postVisitorMessage(visitorPorts(), session, { clientId: 'c1', body: 'Hello there' });
    await recordVisitorEvent(visitorPorts(), session, { name: 'checkout', data: { total: 42 } });
    const conversationId = sent.message.conversationId;
    // An operator reply and an internal note (appendMessage, the Prisma path), then close and a rating.
    await appendMessage(db, organizationId, {
      conversationId,
      sender: 'operator',
      body: 'Hi!',
      source: 'dashboard',
      authorName: 'Sam',
    });
    await appendMessage(db, organizationId, {
      conversationId,
      sender: 'operator',
      body: 'VIP',
      source: 'dashboard',
      visibility: 'internal',
    });
    await setConversationStatus(db, organizationId, conversationId, 'closed');
    await saveCsat(db, organizationId, { conversationId, visitorId, score: 5, comment: 'great' });

    const got = await waitFor(() => (at('/all').length >= 7 ? at('/all') : undefined), { what: '7 webhooks' });
    const wh = new Webhook(secret);
    for (const r of got) {
      const verified = wh.verify(r.body, {
        'webhook-id': r.id,
        'webhook-timestamp': r.timestamp,
        'webhook-signature': r.signature,
      }) as { type: string };
      expect(verified.type).toBe(body(r).type);
      expect(r.id).toMatch(/^msg_/);
    }
    const types = got.map((r) => body(r).type);
    // In order: the conversation's events follow its commits.
    expect(types).toEqual([
      'conversation.created',
      'message.created',
      'event.custom',
      'message.created',
      'message.created',
      'conversation.closed',
      'csat.submitted',
    ]);
    const kinds = got.filter((r) => body(r).type === 'message.created').map((r) => body(r).data.message.kind);
    expect(kinds).toEqual(['visitor', 'operator', 'note']);
    const first = body(got[1]!).data;
    expect(first).toMatchObject({ conversationId, projectId, visitorId, message: { body: 'Hello there', seq: 1 } });
    expect(body(got[2]!).data).toMatchObject({ name: 'checkout', data: { total: 42 }, conversationId });
    expect(body(got[6]!).data).toMatchObject({ score: 5, comment: 'great' });
    // A wrong secret does not verify.
    expect(() =>
      new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(got[0]!.body, {
        'webhook-id': got[0]!.id,
        'webhook-timestamp': got[0]!.timestamp,
        'webhook-signature': got[0]!.signature,
      }),
    ).toThrow();
    await updateWebhookEndpoint(deps, organizationId, endpoint.id, { status: 'disabled' });
  }, 60_000);

  it('writes no delivery row when no endpoint wants the event', async () => {
    const before = await db.webhookDelivery.count({ where: { organizationId } });
    const visitorId = await newVisitor();
    const c = await getOrCreateOpenConversationSql(sql, organizationId, { projectId, visitorId });
    await postVisitorMessage(
      visitorPorts(),
      { organizationId, projectId, visitorId, openConversationId: c.id },
      {
        clientId: 'x',
        body: 'nobody listens',
      },
    );
    expect(await db.webhookDelivery.count({ where: { organizationId } })).toBe(before);
  });

  it('retries a failing receiver on the exponential schedule with the same webhook-id, and keeps order', async () => {
    const { endpoint } = await createWebhookEndpoint(deps, organizationId, {
      projectId,
      url: `${receiver.url}/retry`,
      events: ['message.created'],
    });
    const visitorId = await newVisitor();
    const c = await getOrCreateOpenConversationSql(sql, organizationId, { projectId, visitorId });
    receiver.answerNext([500, 503, 500]); // the first message fails three times, then succeeds
    await appendMessage(db, organizationId, { conversationId: c.id, sender: 'visitor', body: 'one', source: 'widget' });
    await appendMessage(db, organizationId, { conversationId: c.id, sender: 'visitor', body: 'two', source: 'widget' });
    const got = await waitFor(() => (at('/retry').length >= 5 ? at('/retry') : undefined), {
      what: 'retries',
      timeoutMs: 30_000,
    });
    const bodies = got.map((r) => body(r).data.message.body);
    expect(bodies).toEqual(['one', 'one', 'one', 'one', 'two']); // "two" waited behind "one"
    expect(new Set(got.slice(0, 4).map((r) => r.id)).size).toBe(1); // one webhook-id for every attempt
    expect(got[4]!.id).not.toBe(got[0]!.id);
    // Exponential: the gaps grow (base 150 ms: 150, 450, 1350 ms), never earlier than scheduled.
    const gaps = [1, 2, 3].map((i) => got[i]!.at - got[i - 1]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(RETRY_BASE_MS);
    expect(gaps[1]).toBeGreaterThanOrEqual(RETRY_BASE_MS * 3);
    expect(gaps[2]).toBeGreaterThanOrEqual(RETRY_BASE_MS * 9);
    // The schedule with the default base lasts more than 24 h.
    expect(webhookRetryOffsetsMs().at(-1)!).toBeGreaterThan(24 * 3_600_000);

    const log = await listWebhookDeliveries(deps, organizationId, endpoint.id);
    const one = log.deliveries.find((d) => (d.payload.data as { message: { body: string } }).message.body === 'one')!;
    expect(one.status).toBe('delivered');
    expect(one.attemptLog.map((a) => a.status)).toEqual([200, 500, 503, 500]);
    expect(one.attemptLog[0]!.response).toBe('ok');
    expect(one.attemptLog[1]!.response).toBe('failing 500');

    // Replay: the same event again, same webhook-id and payload.
    await replayWebhookDelivery(deps, organizationId, one.id);
    const replayed = await waitFor(() => (at('/retry').length >= 6 ? at('/retry')[5] : undefined), { what: 'replay' });
    expect(replayed.id).toBe(got[0]!.id);
    expect(body(replayed).data.message.body).toBe('one');
    // Another tenant cannot see or replay it.
    await expect(replayWebhookDelivery(deps, otherOrganizationId, one.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(listWebhookDeliveries(deps, otherOrganizationId, endpoint.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(getWebhookEndpoint(deps, otherOrganizationId, endpoint.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    await updateWebhookEndpoint(deps, organizationId, endpoint.id, { status: 'disabled' });
  }, 60_000);

  it('signs with the old and the new secret during a rotation, and sends test events', async () => {
    const { endpoint, secret: old } = await createWebhookEndpoint(deps, organizationId, {
      projectId,
      url: `${receiver.url}/rotate`,
      events: ['conversation.created'],
    });
    const { secret: next } = await rotateWebhookSecret(deps, organizationId, endpoint.id);
    expect(next).not.toBe(old);
    await sendTestWebhookEvent(deps, organizationId, endpoint.id);
    const r = await waitFor(() => at('/rotate')[0], { what: 'test event' });
    expect(body(r).type).toBe('webhook.test');
    expect(r.signature.split(' ')).toHaveLength(2);
    const headers = { 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature };
    expect(() => new Webhook(old).verify(r.body, headers)).not.toThrow();
    expect(() => new Webhook(next).verify(r.body, headers)).not.toThrow();
    await updateWebhookEndpoint(deps, organizationId, endpoint.id, { status: 'disabled' });
  }, 30_000);

  it('refuses private, loopback, link-local and metadata addresses, and redirects', async () => {
    const strict: TWebhookDeps = { ...deps, fetchAllow: [] };
    for (const url of [
      'http://127.0.0.1/x',
      'http://169.254.169.254/latest',
      'http://10.0.0.5/',
      'http://[::1]/',
      'http://localhost:8080/',
    ])
      await expect(
        createWebhookEndpoint(strict, organizationId, { projectId, url, events: ['message.created'] }),
      ).rejects.toMatchObject({ code: 'bad_request' });
    await expect(
      createWebhookEndpoint(strict, organizationId, {
        projectId,
        url: 'ftp://example.com/',
        events: ['message.created'],
      }),
    ).rejects.toMatchObject({ code: 'bad_request' });
    // At send time: a name resolving to a private address (DNS rebinding included: one resolution, pinned) …
    const rebind = await sendWebhook(
      'http://hooks.example.test/',
      { id: 'msg_1', body: '{}', secrets: [`whsec_${randomBytes(32).toString('base64')}`] },
      { allow: [], resolve: async () => [{ address: '169.254.169.254', family: 4 }] },
    );
    expect(rebind).toMatchObject({ ok: false, status: null });
    expect(rebind.response).toMatch(/^private_address/);
    // … and a redirect, even to an allowed address, is not followed.
    const redirect = await sendWebhook(
      `${receiver.url}/redirect`,
      { id: 'msg_2', body: '{}', secrets: [`whsec_${randomBytes(32).toString('base64')}`] },
      { allow: ['127.0.0.1'] },
    );
    expect(redirect.ok).toBe(true); // the receiver answers 200: sanity check of the path
    receiver.fallback = 302;
    const followedBefore = at('/redirected').length;
    const refused = await sendWebhook(
      `${receiver.url}/redirect`,
      { id: 'msg_3', body: '{}', secrets: [`whsec_${randomBytes(32).toString('base64')}`] },
      { allow: ['127.0.0.1'] },
    );
    receiver.fallback = 200;
    expect(refused.ok).toBe(false);
    expect(refused.response).toMatch(/^redirect/);
    expect(at('/redirected').length).toBe(followedBefore);
  });

  it('disables an endpoint that keeps failing and emails the owner once; its events wait for re-enabling', async () => {
    const { endpoint } = await createWebhookEndpoint(deps, organizationId, {
      projectId,
      url: `${receiver.url}/dead`,
      events: ['message.created'],
    });
    const visitorId = await newVisitor();
    const c = await getOrCreateOpenConversationSql(sql, organizationId, { projectId, visitorId });
    receiver.answerNext(Array(40).fill(500));
    await appendMessage(db, organizationId, {
      conversationId: c.id,
      sender: 'visitor',
      body: 'lost?',
      source: 'widget',
    });
    const disabled = await waitFor(
      async () => {
        const e = await getWebhookEndpoint(deps, organizationId, endpoint.id);
        return e.status === 'disabled' ? e : undefined;
      },
      { what: 'endpoint disabled', timeoutMs: 30_000 },
    );
    expect(disabled.disabledReason).toMatch(/failed/);
    await waitFor(() => mails.find((m) => m.text.includes('/dead')), { what: 'owner mail' });
    expect(mails.filter((m) => m.text.includes('/dead'))).toHaveLength(1);
    expect(mails[0]!.to).toBe('owner@webhooks.test');
    // Nothing lost: enabled again (its retry made due, as after the receiver is fixed), the pending event goes out.
    receiver.reset();
    await db.webhookDelivery.updateMany({ where: { endpointId: endpoint.id }, data: { nextAttemptAt: new Date(0) } });
    await updateWebhookEndpoint(deps, organizationId, endpoint.id, { status: 'enabled' });
    await worker.sweep();
    const ok = await waitFor(() => at('/dead').find((r) => r.answered === 200), { what: 'delivered after enabling' });
    expect(body(ok).data.message.body).toBe('lost?');
    expect(new Set(at('/dead').map((r) => r.id)).size).toBe(1);
  }, 60_000);
});
