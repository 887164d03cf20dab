// Many nodes as one, on the production build: two realtime nodes behind a TCP load balancer and two workers (then a
// third of each) on one Postgres and one Redis, the operator side on the fake Discord (its gateway held by one worker,
// replies processed by whichever worker takes the job). Visitors are the real widget (controller + transport) in Node.
//   1. visitors spread over both realtime nodes; their messages reach Discord, the operator's replies reach them;
//   2. kill -9 a realtime node → its visitors reconnect through the balancer to the other and resume by seq: what was
//      written meanwhile (both ways) is there, once;
//   3. SIGTERM a realtime node → it closes its clients' transports, they move to another node at once, it exits 0;
//   4. kill -9 a worker mid-traffic → deliveries go on; SIGTERM the worker holding the Discord shard → it releases
//      the shard's lease on the way out (another worker takes it without waiting out the 12 s lease) and exits 0.
// At the end every widget shows exactly its conversation as stored, every visitor message is posted once in its
// Discord thread, and nothing is stored twice.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptSecret, parseKeyRing } from '@pocketping/core';
import {
  createConnection,
  createDb,
  createOrganizationWithOwner,
  createProject,
  listMessagesAfter,
  type TDb,
} from '@pocketping/db';
import { pairLockKeys } from '@pocketping/jobs';
import {
  REPO_ROOT,
  TEST_REDIS_URL,
  buildAppBundles,
  createAppNodes,
  createTestDatabase,
  startFakeDiscord,
  startTcpBalancer,
  testEncryptionKey,
  uniqueRedisPrefix,
  waitFor,
  type TAppProcess,
  type TFakeDiscord,
  type TTcpBalancer,
  type TTestDatabase,
} from '@pocketping/testkit';
import { startNodeWidget, type TNodeWidget } from './node-widget.js';

const VISITORS = 6;
const ORIGIN = 'https://shop.nodes.test';
const SHARD_LEASE_MS = 12_000;
/** Generous bounds for a loaded 2-core machine; every wait ends as soon as its condition holds. */
const WAIT = { timeoutMs: 45_000, intervalMs: 100 };

describe('many nodes as one (production build): 2+ realtime, 2+ workers, one Postgres and Redis', () => {
  let database: TTestDatabase;
  let db: TDb;
  let redis: Redis;
  let fake: TFakeDiscord;
  let balancer: TTcpBalancer;
  let guildId: string;
  let connectionId: string;
  let organizationId: string;
  let projectKey: string;
  const env: Record<string, string> = {};
  const visitors: TNodeWidget[] = [];
  const nodes = createAppNodes(env, { node: process.execPath, root: REPO_ROOT });
  const { processes, startRealtime, startWorker } = nodes;
  const holdsShard = (w: TAppProcess) => w.output().includes('discord gateway: shard taken');
  const isAlive = (p: TAppProcess) => p.child.exitCode === null && p.child.signalCode === null;
  const dump = (err: unknown) => {
    for (const p of processes) console.warn(`--- ${p.name} ${p.child.pid} ---\n${p.output().slice(-6_000)}`);
    throw err;
  };
  const conversationOf = (v: TNodeWidget) => v.state().chat.conversationId;
  const threadOf = async (conversationId: string) =>
    (await db.bridgeThread.findFirst({ where: { organizationId, conversationId, connectionId } }))?.externalThreadId;
  /** Public messages of a visitor's conversation as stored, in seq order. */
  const storedBodies = async (conversationId: string) =>
    (await listMessagesAfter(db, organizationId, conversationId, 0, 1_000)).messages.map((m) => m.body);
  /** What the bot posted in a conversation's thread (the visitor card aside). */
  const postedBodies = async (conversationId: string) => {
    const thread = await threadOf(conversationId);
    return thread
      ? fake
          .messages(thread)
          .filter((m) => m.author.bot && !m.deleted && !m.content.startsWith('**New conversation**'))
          .map((m) => m.content.replace(/\\(.)/g, '$1'))
      : [];
  };
  const operatorRepliesEverywhere = async (label: string) => {
    const bodies: string[] = [];
    for (const [i, v] of visitors.entries()) {
      const threadId = await threadOf(conversationOf(v)!);
      const content = `${label} to ${i}`;
      fake.operatorWrites({ guildId, threadId: threadId!, content });
      bodies.push(content);
    }
    return bodies;
  };
  /** Every widget connected, nothing pending, and showing exactly its stored conversation, which holds `expected`. */
  const allCaughtUp = (expected: string[][], what: string) =>
    waitFor(
      async () => {
        for (const [i, v] of visitors.entries()) {
          const conversationId = conversationOf(v);
          if (!v.isConnected() || !conversationId || v.state().chat.pending.length > 0) return false;
          const stored = await storedBodies(conversationId);
          if (!expected[i]!.every((b) => stored.includes(b))) return false;
          if (v.bodies().join('\n') !== stored.join('\n')) return false;
        }
        return true;
      },
      { ...WAIT, what },
    ).catch(dump);
  /** Every visitor message of every conversation posted in its Discord thread. */
  const allPosted = (what: string) =>
    waitFor(
      async () => {
        for (const v of visitors) {
          const conversationId = conversationOf(v)!;
          const sent = (await listMessagesAfter(db, organizationId, conversationId, 0, 1_000)).messages
            .filter((m) => m.sender === 'visitor')
            .map((m) => m.body);
          const posted = await postedBodies(conversationId);
          if (!sent.every((b) => posted.includes(b))) return false;
        }
        return true;
      },
      { ...WAIT, what },
    ).catch(dump);
  const expected: string[][] = Array.from({ length: VISITORS }, () => []);
  const visitorsSend = (label: string) =>
    visitors.forEach((v, i) => {
      const body = `${label} from ${i}`;
      v.send(body);
      expected[i]!.push(body);
    });
  const expectReplies = (bodies: string[]) => bodies.forEach((b, i) => expected[i]!.push(b));

  beforeAll(async () => {
    buildAppBundles(['realtime', 'worker']);
    database = await createTestDatabase('pp_nodes');
    db = createDb(database.url, { poolSize: 4 });
    redis = new Redis(TEST_REDIS_URL);
    fake = await startFakeDiscord({ heartbeatIntervalMs: 1_000 });
    guildId = fake.addGuild({ name: 'Nodes' }).id;
    const channelId = fake.addTextChannel(guildId, { name: 'support' }).id;
    const key = testEncryptionKey();
    const { organization } = await createOrganizationWithOwner(db, { email: 'o@nodes.test', orgName: 'Nodes' });
    organizationId = organization.id;
    const project = await createProject(db, organizationId, { name: 'Shop', allowedOrigins: [ORIGIN] });
    projectKey = project.publicKey;
    connectionId = (
      await createConnection(db, organizationId, {
        projectId: project.id,
        kind: 'discord',
        sealedCredentials: encryptSecret(parseKeyRing(key), JSON.stringify({ guildId, channelId })),
        targetId: channelId,
        targetScope: guildId,
      })
    ).id;
    Object.assign(env, {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: uniqueRedisPrefix(),
      ENCRYPTION_KEY: key,
      TELEGRAM_UPDATES_MODE: 'webhook',
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_BOT_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_TENANT_POSTS_PER_10S: '0',
      DISCORD_SHARD_LEASE_MS: String(SHARD_LEASE_MS),
      WORKER_CONCURRENCY: '5',
      SWEEP_INTERVAL_MS: '1000',
      SHUTDOWN_GRACE_MS: '8000',
    });
  }, 300_000);

  afterAll(async () => {
    for (const v of visitors) v.destroy();
    await nodes.stopAll();
    await balancer?.close();
    await fake?.close();
    redis?.disconnect();
    await db?.$disconnect();
    await database?.drop();
  });

  it('spreads visitors, survives kill -9 and SIGTERM of realtime nodes and workers, loses nothing, doubles nothing', async () => {
    const [r1, r2, w1, w2] = await Promise.all([startRealtime(), startRealtime(), startWorker(), startWorker()]);
    balancer = await startTcpBalancer([r1.port, r2.port]);
    for (let i = 0; i < VISITORS; i++)
      visitors.push(startNodeWidget({ realtimeUrl: balancer.url, projectKey, origin: ORIGIN }));
    await waitFor(() => visitors.every((v) => v.isConnected()), { ...WAIT, what: 'every widget connected' });
    // Both nodes serve visitors (the balancer hands connections out in turn).
    const spread = balancer.openConnections();
    expect([spread.get(r1.port) ?? 0, spread.get(r2.port) ?? 0].every((n) => n > 0)).toBe(true);

    // 1. Both ways through either node and either worker.
    visitorsSend('hello');
    await allCaughtUp(expected, 'first messages stored');
    await allPosted('first messages posted in Discord');
    await waitFor(() => [w1, w2].some(holdsShard), { ...WAIT, what: 'a worker holds the gateway shard' });
    expectReplies(await operatorRepliesEverywhere('reply 1'));
    await allCaughtUp(expected, 'first replies shown');

    // 2. kill -9 a realtime node: replies and messages written while its visitors are away arrive once they are back.
    await r1.process.kill();
    expectReplies(await operatorRepliesEverywhere('reply 2'));
    visitorsSend('after the crash');
    await allCaughtUp(expected, 'visitors of the killed node resumed on the other');
    expect([...balancer.openConnections()].filter(([port, n]) => port === r1.port && n > 0)).toEqual([]);

    // 3. SIGTERM a realtime node: its visitors move to a new node at once, it exits cleanly.
    const r3 = await startRealtime();
    balancer.setBackends([r2.port, r3.port]);
    const drained = r2.process.stop();
    expectReplies(await operatorRepliesEverywhere('reply 3'));
    visitorsSend('during the drain');
    await drained;
    expect(r2.process.child.exitCode).toBe(0);
    expect(r2.process.output()).toMatch(/draining: clients told to reconnect/);
    await allCaughtUp(expected, 'visitors of the drained node resumed on the new one');

    // 4. Workers: kill -9 the one without the shard while messages are delivered, then SIGTERM the shard's holder.
    const w3 = await startWorker();
    const owner = [w1, w2].find(holdsShard)!;
    const other = owner === w1 ? w2 : w1;
    visitorsSend('burst 1');
    visitorsSend('burst 2');
    await other.kill();
    visitorsSend('burst 3');
    await allPosted('deliveries go on after a worker was killed');
    await owner.stop();
    expect(owner.child.exitCode).toBe(0);
    // The lease was released on the way out: nobody holds it, or the surviving worker already took it.
    const leaseKey = pairLockKeys(env.REDIS_PREFIX!).lock('dgw:shard:1:0');
    expect((await redis.exists(leaseKey)) === 0 || holdsShard(w3)).toBe(true);
    await waitFor(() => holdsShard(w3), { ...WAIT, what: 'the surviving worker took the shard' }).catch(dump);
    expectReplies(await operatorRepliesEverywhere('reply 4'));
    await allCaughtUp(expected, 'replies through the new shard holder');
    await allPosted('every visitor message posted');

    // Nothing twice: in the database, in Discord, in the widgets.
    for (const v of visitors) {
      const conversationId = conversationOf(v)!;
      const stored = await storedBodies(conversationId);
      expect(new Set(stored).size).toBe(stored.length);
      const posted = await postedBodies(conversationId);
      expect(new Set(posted).size).toBe(posted.length);
      expect(v.bodies()).toEqual(stored);
    }
    expect(processes.filter(isAlive)).toHaveLength(2); // r3 and w3
  }, 240_000);
});
