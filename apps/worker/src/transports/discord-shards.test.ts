import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, encryptSecret, parseKeyRing, randomToken, sha256 } from '@pocketping/core';
import { createDiscordBridge, startDiscordGateway, type TDiscordGateway } from '@pocketping/bridges';
import {
  createConnection,
  createDb,
  createOrganizationWithOwner,
  createProject,
  createVisitor,
  getOrCreateOpenConversation,
  saveBridgeThread,
  type TDb,
} from '@pocketping/db';
import { createProducer, pairLockKeys, type TProducer } from '@pocketping/jobs';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  discordGuildIdOnShard,
  startFakeDiscord,
  testEncryptionKey,
  uniqueRedisPrefix,
  waitFor,
  type TFakeDiscord,
  type TTestDatabase,
} from '@pocketping/testkit';
import type { TWorkerContext } from '../context.js';
import { createTransportPorts } from './create-transport-ports.js';

// Several workers (each its own gateway, its own Redis connection, one shared lease keyspace) against a fake Discord
// that shards like Discord: each shard has exactly one session, every dispatch arrives once, a killed owner's shards
// are taken over within the lease TTL and what was written meanwhile is backfilled.
const SHARDS = 3;
const LEASE_TTL_MS = 1_500;

describe('Discord gateway shards across workers', () => {
  let fake: TFakeDiscord;
  let testDb: TTestDatabase;
  let db: TDb;
  const producers: TProducer[] = [];
  const redis = { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() };
  const log = createLogger('test', 'silent');
  const ring = parseKeyRing(testEncryptionKey());
  /** One tenant per shard: its guild is on that shard. */
  const tenants: { shard: number; guildId: string; threadId: string; organizationId: string }[] = [];
  const workers = new Map<string, TDiscordGateway>();

  const startWorker = (name: string) => {
    const producer = createProducer(redis);
    producers.push(producer);
    const g = startDiscordGateway({
      ports: createTransportPorts(
        { db, producer, log, redis: producer.redis } as unknown as TWorkerContext,
        redis.prefix,
      ),
      log,
      botToken: fake.token,
      apiUrl: fake.apiUrl,
      leaseTtlMs: LEASE_TTL_MS,
    });
    workers.set(name, g);
    return g;
  };
  /** Which worker holds each shard (every shard held by exactly one, its session ready). */
  const owners = () => {
    const byShard = new Map<number, string[]>();
    for (const [name, g] of workers)
      for (const s of g.shards()) if (s.ready) byShard.set(s.id, [...(byShard.get(s.id) ?? []), name]);
    return byShard;
  };
  const allShardsOwnedOnce = () => {
    const o = owners();
    const live = fake.gateway.liveSessions();
    return (
      o.size === SHARDS &&
      [...o.values()].every((names) => names.length === 1) &&
      live.length === SHARDS &&
      new Set(live.map((s) => s.shard[0])).size === SHARDS
    );
  };
  const storedIds = async () =>
    (await db.inboundEvent.findMany({ select: { externalId: true } })).map((e) => e.externalId);
  const writeEverywhere = (content: string) =>
    tenants.map((t) => fake.operatorWrites({ guildId: t.guildId, threadId: t.threadId, content }).id);
  const dispatches = () => [...workers.values()].reduce((n, g) => n + g.stats.dispatches, 0);
  const kill = async (name: string) => {
    // As kill -9: sockets drop, leases are left to expire.
    await workers.get(name)!.close({ release: false });
    workers.delete(name);
  };

  beforeAll(async () => {
    fake = await startFakeDiscord({ heartbeatIntervalMs: 1_000, shards: SHARDS, maxConcurrency: 16 });
    testDb = await createTestDatabase();
    db = createDb(testDb.url, { poolSize: 6 });
    const bridge = createDiscordBridge({ apiUrl: fake.apiUrl, botToken: fake.token });
    for (let shard = 0; shard < SHARDS; shard++) {
      const guildId = fake.addGuild({ id: discordGuildIdOnShard(shard, SHARDS), name: `Guild ${shard}` }).id;
      const channelId = fake.addTextChannel(guildId).id;
      const { organization } = await createOrganizationWithOwner(db, {
        email: `o${shard}@acme.example`,
        orgName: `Acme ${shard}`,
      });
      const project = await createProject(db, organization.id, {
        name: 'Acme',
        allowedOrigins: ['https://acme.example'],
      });
      const conn = await createConnection(db, organization.id, {
        projectId: project.id,
        kind: 'discord',
        sealedCredentials: encryptSecret(ring, JSON.stringify({ guildId, channelId })),
        targetId: channelId,
        targetScope: guildId,
      });
      const visitor = await createVisitor(db, organization.id, {
        projectId: project.id,
        tokenHash: sha256(randomToken('vt_', 24)),
      });
      const conversation = await getOrCreateOpenConversation(db, organization.id, {
        projectId: project.id,
        visitorId: visitor.id,
      });
      const thread = await bridge.ensureThread(
        { connectionId: conn.id, credentials: { guildId, channelId }, targetId: channelId, targetScope: guildId },
        {
          conversationId: conversation.id,
          visitorName: 'Ada',
          visitorEmail: null,
          pageUrl: null,
          referrer: null,
          userAgent: null,
          location: null,
        },
      );
      await saveBridgeThread(db, organization.id, {
        conversationId: conversation.id,
        connectionId: conn.id,
        ...thread,
      });
      tenants.push({ shard, guildId, threadId: thread.externalThreadId, organizationId: organization.id });
    }
  }, 60_000);

  afterAll(async () => {
    for (const g of workers.values()) await g.close();
    for (const p of producers) await p.close();
    await db?.$disconnect();
    await fake?.close();
    await testDb?.drop();
  });

  it('two workers: every shard has exactly one session, and every message is received and stored once', async () => {
    const a = startWorker('a');
    const b = startWorker('b');
    await waitFor(allShardsOwnedOnce, { what: 'each shard owned once', timeoutMs: 20_000 });
    expect(a.shardCount()).toBe(SHARDS);
    expect(b.shardCount()).toBe(SHARDS);
    expect(fake.gateway.identifyLog.map((i) => i.shard)).toHaveLength(SHARDS);
    // Each READY lists exactly the guild of its shard.
    for (const g of [a, b]) for (const s of g.shards()) expect(s.guilds).toBe(1);

    const before = dispatches();
    const ids = [...writeEverywhere('one'), ...writeEverywhere('two')];
    await waitFor(async () => (await storedIds()).length === ids.length, { what: 'all stored' });
    await Promise.all([a.idle(), b.idle()]);
    expect((await storedIds()).sort()).toEqual(ids.map((id) => `MESSAGE_CREATE:${id}:`).sort());
    // Received once each, not once per worker (the inbound dedupe is not what keeps them single).
    expect(dispatches() - before).toBe(ids.length);
  }, 60_000);

  it('three workers: killing an owner hands its shards to the others within the lease TTL; nothing is lost', async () => {
    startWorker('c');
    // A third worker finds every shard taken: it stands by.
    await new Promise((r) => setTimeout(r, LEASE_TTL_MS));
    expect(workers.get('c')!.shards()).toEqual([]);
    expect(allShardsOwnedOnce()).toBe(true);

    for (let round = 0; round < 2; round++) {
      const o = owners();
      const victim = [...o.values()].flat().sort((x, y) => {
        const count = (n: string) => [...o.values()].filter((names) => names[0] === n).length;
        return count(y) - count(x);
      })[0]!;
      const lost = [...o.entries()].filter(([, names]) => names[0] === victim).map(([id]) => id);
      const killedAt = Date.now();
      await kill(victim);
      // Written while nobody holds the victim's shards: the takeover's backfill fetches them.
      const during = writeEverywhere(`while ${victim} is dead`);
      await waitFor(allShardsOwnedOnce, { what: `shards of ${victim} taken over`, timeoutMs: 20_000 });
      const tookMs = Date.now() - killedAt;
      // TTL + one renew interval, plus IDENTIFY spacing (one per bucket per 5 s) and the fake's latency.
      expect(tookMs).toBeLessThan(LEASE_TTL_MS + LEASE_TTL_MS / 3 + 5_000 + 3_000);
      for (const id of lost) expect(owners().get(id)).not.toContain(victim);
      const after = writeEverywhere(`after ${victim} died`);
      const expected = [...during, ...after].map((id) => `MESSAGE_CREATE:${id}:`);
      await waitFor(
        async () => {
          const stored = await storedIds();
          return expected.every((k) => stored.includes(k));
        },
        { what: 'messages written during and after the takeover stored', timeoutMs: 20_000 },
      );
    }
    await Promise.all([...workers.values()].map((g) => g.idle()));
    const ids = await storedIds();
    expect(new Set(ids).size).toBe(ids.length);
    expect(workers.size).toBe(1);
    expect([...workers.values()][0]!.shards().map((s) => s.id)).toEqual([0, 1, 2]);
  }, 90_000);

  it('a worker that loses a shard lease (taken by someone else) closes that shard at once', async () => {
    const [g] = [...workers.values()];
    const key = pairLockKeys(redis.prefix).lock(`dgw:shard:${SHARDS}:1`);
    const r = producers[0]!.redis;
    // Someone else holds shard 1 now (as after a Redis failover that forgot the lease and another worker took it).
    await r.set(key, 'someone-else', 'PX', 60_000);
    await waitFor(() => !g!.shards().some((s) => s.id === 1), { what: 'shard 1 dropped', timeoutMs: 5_000 });
    await waitFor(() => !fake.gateway.liveSessions().some((s) => s.shard[0] === 1), {
      what: 'its session closed',
      timeoutMs: 5_000,
    });
    expect(g!.shards().map((s) => s.id)).toEqual([0, 2]);
    // The other holder goes away: the shard is taken again (and what was written meanwhile is backfilled).
    const during = fake.operatorWrites({
      guildId: tenants[1]!.guildId,
      threadId: tenants[1]!.threadId,
      content: 'gap',
    });
    await r.del(key);
    await waitFor(allShardsOwnedOnce, { what: 'shard 1 back', timeoutMs: 15_000 });
    await waitFor(async () => (await storedIds()).includes(`MESSAGE_CREATE:${during.id}:`), {
      what: 'gap backfilled',
      timeoutMs: 15_000,
    });
  }, 60_000);

  it('a revoked token reports the gateway unauthorized; once restored, every shard comes back and messages flow', async () => {
    const [g] = [...workers.values()];
    fake.revokeToken();
    await waitFor(() => g!.state() === 'unauthorized', { what: 'unauthorized', timeoutMs: 10_000 });
    expect(fake.gateway.liveSessions()).toEqual([]);
    fake.restoreToken();
    await waitFor(allShardsOwnedOnce, { what: 'sessions back', timeoutMs: 30_000 });
    expect(g!.state()).toBe('running');
    const ids = writeEverywhere('after the token came back');
    await waitFor(
      async () => {
        const stored = await storedIds();
        return ids.every((id) => stored.includes(`MESSAGE_CREATE:${id}:`));
      },
      { what: 'stored after restore' },
    );
  }, 60_000);
});
