import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import {
  createBridgeRegistry,
  startTelegramPolling,
  type TTelegramPolling,
  type TTelegramPollingConfig,
} from '@pocketping/bridges';
import { createLogger, encryptSecret, parseKeyRing } from '@pocketping/core';
import { createConnection, createDb, createOrganizationWithOwner, createProject, type TDb } from '@pocketping/db';
import { createRedis } from '@pocketping/jobs';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  startFakeTelegram,
  testEncryptionKey,
  uniqueRedisPrefix,
  waitFor,
  type TFakeTelegram,
  type TTestDatabase,
} from '@pocketping/testkit';
import type { TWorkerContext } from '../context.js';
import { createTransportPorts } from './create-transport-ports.js';

// Real Postgres and Redis, the fake Telegram (its getUpdates holds a long poll open and answers 409/401 like the
// real API), the real grammY client. The producer is a recorder: what matters is which updates get stored as
// InboundEvents and handed to the inbound queue — the same hand-off as the webhook route.
let database: TTestDatabase;
let db: TDb;
let redis: Redis;
let telegram: TFakeTelegram;
let ctx: TWorkerContext;
let organizationId: string;
let projectId: string;
const prefix = uniqueRedisPrefix();
const ring = parseKeyRing(testEncryptionKey());
const enqueued: { organizationId: string; inboundEventId: string }[] = [];
const running: TTelegramPolling[] = [];

const newBot = () => {
  const token = `${700000 + Math.floor(Math.random() * 99999)}:${randomBytes(24).toString('base64url')}`;
  telegram.addBot(token);
  const chatId = telegram.addForumChat({ title: 'Support' }).id;
  return { token, chatId };
};
const connect = async (bot: { token: string; chatId: number }) =>
  createConnection(db, organizationId, {
    projectId,
    kind: 'telegram',
    sealedCredentials: encryptSecret(ring, JSON.stringify({ botToken: bot.token })),
    targetId: String(bot.chatId),
  });
const start = (cfg: Partial<TTelegramPollingConfig> = {}) => {
  const p = startTelegramPolling(createTransportPorts(ctx, prefix), ctx.log, {
    mode: 'auto',
    apiRoot: telegram.apiRoot,
    pollTimeoutSeconds: 2,
    rescanMs: 60_000,
    ...cfg,
  });
  running.push(p);
  return p;
};
const stop = async (p: TTelegramPolling) => {
  running.splice(running.indexOf(p), 1);
  await p.close();
};
/** What the web app does when it has a public URL (setWebhook), straight over the Bot API. */
const setWebhook = async (token: string, url: string) => {
  const res = await fetch(`${telegram.apiRoot}/bot${token}/setWebhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url, secret_token: 'abc' }),
  });
  expect(res.status).toBe(200);
};
const stateOf = (p: TTelegramPolling, connectionId: string) =>
  p.status().find((s) => s.connectionIds.includes(connectionId))?.state;
const eventsOf = (connectionId: string) =>
  db.inboundEvent.findMany({ where: { organizationId, connectionId }, orderBy: { createdAt: 'asc' } });
const pollsOf = (token: string) => telegram.callsOf('getUpdates').filter((c) => c.token === token);

beforeAll(async () => {
  database = await createTestDatabase('pp_test_tgpoll');
  db = createDb(database.url, { poolSize: 3 });
  redis = createRedis(TEST_REDIS_URL, 'worker');
  telegram = await startFakeTelegram();
  const { organization } = await createOrganizationWithOwner(db, { email: 'poll@example.test', orgName: 'Poll' });
  organizationId = organization.id;
  projectId = (await createProject(db, organizationId, { name: 'p', allowedOrigins: [] })).id;
  ctx = {
    db,
    redis,
    keyRing: ring,
    bridges: createBridgeRegistry({ telegram: { apiRoot: telegram.apiRoot } }),
    producer: {
      enqueueInbound: async (job: { organizationId: string; inboundEventId: string }) => void enqueued.push(job),
    },
    log: createLogger('worker-test', (process.env.TGPOLL_LOG ?? 'silent') as 'silent'),
  } as unknown as TWorkerContext;
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(running.map((p) => p.close()));
  await telegram?.close();
  redis?.disconnect();
  await db?.$disconnect();
  await database?.drop();
});

describe('Telegram long polling', () => {
  it('stores an update of a bot without webhook as an InboundEvent, enqueues it, and persists the offset', async () => {
    const bot = newBot();
    const connection = await connect(bot);
    const polling = start();
    await waitFor(() => polling.status().find((s) => s.state === 'polling'), { what: 'polling' });
    const { update } = await telegram.operatorWrites({
      token: bot.token,
      chatId: bot.chatId,
      threadId: 1,
      text: 'hello by polling',
    });
    const updateId = (update as { update_id: number }).update_id;
    const [event] = await waitFor(
      async () => ((await eventsOf(connection.id)).length > 0 ? eventsOf(connection.id) : undefined),
      { what: 'stored event' },
    );
    expect(event).toMatchObject({ externalId: String(updateId), status: 'pending' });
    expect(event!.payload).toMatchObject({ message: { text: 'hello by polling', chat: { id: bot.chatId } } });
    expect(enqueued).toContainEqual({ organizationId, inboundEventId: event!.id });
    await waitFor(() => polling.status()[0]?.offset === updateId + 1, { what: 'offset advanced' });
    // Persisted in Redis under a hash of the token (never the token itself).
    const keys = await redis.keys(`${prefix}:tgpoll:offset:*`);
    expect(keys.some((k) => k.includes(bot.token))).toBe(false);
    expect(await Promise.all(keys.map((k) => redis.get(k)))).toContain(String(updateId + 1));
    await stop(polling);
  });

  it('a restarted poller resumes at the stored offset; a replay after the offset was lost is stored once', async () => {
    const bot = newBot();
    const connection = await connect(bot);
    const first = start();
    await waitFor(() => stateOf(first, connection.id) === 'polling' || undefined, { what: 'polling' });
    const { update } = await telegram.operatorWrites({
      token: bot.token,
      chatId: bot.chatId,
      threadId: 1,
      text: 'before restart',
    });
    const updateId = (update as { update_id: number }).update_id;
    await waitFor(async () => (await eventsOf(connection.id)).length === 1 || undefined, { what: 'first event' });
    await waitFor(
      () => first.status().find((s) => s.connectionIds.includes(connection.id))?.offset === updateId + 1 || undefined,
      { what: 'offset' },
    );
    await stop(first);

    const pollsBefore = pollsOf(bot.token).length;
    const second = start();
    await waitFor(() => pollsOf(bot.token).length > pollsBefore || undefined, { what: 'second poller polled' });
    // Its very first getUpdates names the offset the first process stored.
    expect(Number(pollsOf(bot.token)[pollsBefore]!.params.offset)).toBe(updateId + 1);
    await stop(second);

    // Redis lost the offset and Telegram hands the same update out again: the InboundEvent unique key absorbs it.
    for (const key of await redis.keys(`${prefix}:tgpoll:offset:*`)) await redis.del(key);
    await telegram.deliverUpdate(bot.token, update as Record<string, unknown>);
    const third = start();
    await telegram.operatorWrites({ token: bot.token, chatId: bot.chatId, threadId: 1, text: 'after restart' });
    await waitFor(async () => (await eventsOf(connection.id)).length === 2 || undefined, { what: 'second event' });
    await waitFor(
      () => (third.status().find((s) => s.connectionIds.includes(connection.id))?.duplicates ?? 0) >= 1 || undefined,
      { what: 'duplicate counted' },
    );
    const events = await eventsOf(connection.id);
    expect(events.map((e) => (e.payload as { message: { text: string } }).message.text)).toEqual([
      'before restart',
      'after restart',
    ]);
    await stop(third);
  });

  it('auto mode leaves a bot with a webhook alone, and stops polling when a webhook gets set (409)', async () => {
    const hooked = newBot();
    await connect(hooked);
    await setWebhook(hooked.token, 'http://127.0.0.1:9/hook');
    const free = newBot();
    await connect(free);
    const hookedId = (await db.bridgeConnection.findFirstOrThrow({ where: { targetId: String(hooked.chatId) } })).id;
    const freeId = (await db.bridgeConnection.findFirstOrThrow({ where: { targetId: String(free.chatId) } })).id;
    const polling = start();
    await waitFor(
      () => (stateOf(polling, hookedId) === 'webhook' && stateOf(polling, freeId) === 'polling') || undefined,
      { what: 'one webhook, one polling' },
    );
    expect(pollsOf(hooked.token)).toHaveLength(0);

    // The web app registers a webhook for the free bot while its poll is held open: Telegram ends the poll with 409.
    await waitFor(() => pollsOf(free.token).length > 0 || undefined, { what: 'free bot polled' });
    await setWebhook(free.token, 'http://127.0.0.1:9/hook2');
    await waitFor(() => stateOf(polling, freeId) === 'webhook' || undefined, { what: 'free bot back to webhook' });
    const polled = pollsOf(free.token).length;
    await new Promise((r) => setTimeout(r, 2_500));
    expect(pollsOf(free.token)).toHaveLength(polled);
    await stop(polling);
  });

  it('polling mode removes a webhook and polls', async () => {
    const bot = newBot();
    const connection = await connect(bot);
    await setWebhook(bot.token, 'http://127.0.0.1:9/hook');
    const polling = start({ mode: 'polling' });
    await waitFor(() => telegram.webhookOf(bot.token) === undefined || undefined, { what: 'webhook deleted' });
    await telegram.operatorWrites({
      token: bot.token,
      chatId: bot.chatId,
      threadId: 1,
      text: 'polled after deleteWebhook',
    });
    await waitFor(async () => (await eventsOf(connection.id)).length === 1 || undefined, { what: 'event' });
    await stop(polling);
  });

  it('a revoked token (401) marks the connection broken with a readable reason', async () => {
    const bot = newBot();
    const connection = await connect(bot);
    const polling = start();
    await waitFor(() => pollsOf(bot.token).length > 0 || undefined, { what: 'polled' });
    telegram.revokeToken(bot.token);
    const row = await waitFor(
      async () => {
        const c = await db.bridgeConnection.findFirst({ where: { organizationId, id: connection.id } });
        return c?.status === 'broken' ? c : undefined;
      },
      { what: 'broken connection' },
    );
    expect(row.statusReason).toMatch(/revoked/i);
    expect(polling.status().find((s) => s.connectionIds.includes(connection.id))?.state).toBe('unauthorized');
    await stop(polling);
  });

  it('two worker processes poll a bot once (lease), connections that disappear stop their loop', async () => {
    const bot = newBot();
    const connection = await connect(bot);
    const a = start();
    const b = start();
    const mine = (p: TTelegramPolling) => p.status().find((s) => s.connectionIds.includes(connection.id));
    await waitFor(
      () => (mine(a) && mine(b) && [mine(a)!.state, mine(b)!.state].sort().join() === 'polling,standby') || undefined,
      { what: 'one polls, one stands by' },
    );
    await new Promise((r) => setTimeout(r, 2_500));
    // Never two getUpdates at once: the fake would have ended one with 409 "terminated by other getUpdates request".
    expect([mine(a)!.state, mine(b)!.state].sort().join()).toBe('polling,standby');

    await db.bridgeConnection.update({ where: { id: connection.id }, data: { status: 'disabled' } });
    await Promise.all([a.rescan(), b.rescan()]);
    expect(mine(a)).toBeUndefined();
    expect(mine(b)).toBeUndefined();
    const polled = pollsOf(bot.token).length;
    await new Promise((r) => setTimeout(r, 2_500));
    expect(pollsOf(bot.token)).toHaveLength(polled);
    await stop(a);
    await stop(b);
  });
});
