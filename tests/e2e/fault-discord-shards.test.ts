// Discord gateway shards across real worker PROCESSES: three workers on a 2-shard bot, each shard with exactly one
// gateway session; SIGKILL of the process holding a shard → another process takes it over within the lease TTL, and
// operator replies written before, during and after the takeover each become one operator message (the gap through
// the new session's backfill).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptSecret, parseKeyRing, sha256 } from '@pocketping/core';
import { createDiscordBridge } from '@pocketping/bridges';
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
import {
  TEST_REDIS_URL,
  createTestDatabase,
  discordGuildIdOnShard,
  spawnApp,
  startFakeDiscord,
  testEncryptionKey,
  uniqueRedisPrefix,
  waitFor,
  type TAppProcess,
  type TFakeDiscord,
  type TTestDatabase,
} from '@pocketping/testkit';

const SHARDS = 2;
const LEASE_MS = 3_000;

// It once failed in a loaded CI run: after the first takeover no reply was stored within 30 s. Not the gateway
// (shards were back in 2.9 s): the one path that holds every later event of a thread past 30 s was the inbound thread
// lease (the CI log was not kept to confirm it). The killed owner also processes bridge.inbound jobs, and a kill
// landing between a thread's last applied event and the lease's release left that thread locked for the lease's full
// 45 s TTL: every later event of the thread found it "being drained" and waited for the sweeper after expiry. The
// lease is now 10 s, renewed in the background while held (apps/worker/src/inbound/drain-inbound.ts), so a dead holder
// blocks a thread for 10 s at most. On a timeout the test prints every worker's log.
describe('fault: Discord gateway shards across worker processes, owner killed with SIGKILL', () => {
  let fake: TFakeDiscord;
  let database: TTestDatabase;
  let db: TDb;
  let env: Record<string, string>;
  const tenants: { guildId: string; threadId: string; organizationId: string }[] = [];
  const workers: TAppProcess[] = [];

  const startWorker = async () => {
    const w = await spawnApp('worker', { env, readyWhen: (s) => s.includes('worker started') });
    workers.push(w);
    return w;
  };
  /** The shards a worker took, from its own log lines ("discord gateway: shard taken"). */
  const shardsTakenBy = (w: TAppProcess): number[] =>
    w
      .output()
      .split('\n')
      .filter((l) => l.includes('discord gateway: shard taken'))
      .map((l) => Number((/"shardId":(\d+)/.exec(l) ?? [])[1]));
  const oneSessionPerShard = () => {
    const live = fake.gateway.liveSessions().map((s) => s.shard);
    return (
      live.length === SHARDS &&
      new Set(live.map((s) => s[0])).size === SHARDS &&
      live.every(([, count]) => count === SHARDS)
    );
  };
  const operatorBodies = async () =>
    (await db.message.findMany({ where: { sender: 'operator' }, select: { body: true } })).map((m) => m.body);
  const writeEverywhere = (label: string) =>
    tenants.map((t, i) => {
      const content = `${label} ${i}`;
      fake.operatorWrites({ guildId: t.guildId, threadId: t.threadId, content });
      return content;
    });
  const storedOnce = async (bodies: string[], timeoutMs = 30_000) => {
    await waitFor(
      async () => {
        const stored = await operatorBodies();
        return bodies.every((b) => stored.includes(b));
      },
      { what: `stored: ${bodies.join(', ')}`, timeoutMs },
    ).catch((err: unknown) => {
      for (const [i, w] of workers.entries()) console.warn(`--- worker ${i} (${w.child.pid}) ---\n${w.output()}`);
      throw err;
    });
    const stored = await operatorBodies();
    for (const b of bodies) expect(stored.filter((x) => x === b)).toHaveLength(1);
  };

  beforeAll(async () => {
    fake = await startFakeDiscord({ heartbeatIntervalMs: 1_000, shards: SHARDS, maxConcurrency: 16 });
    database = await createTestDatabase('pp_fault');
    db = createDb(database.url, { poolSize: 4 });
    const key = testEncryptionKey();
    const ring = parseKeyRing(key);
    const bridge = createDiscordBridge({ apiUrl: fake.apiUrl, botToken: fake.token });
    for (let shard = 0; shard < SHARDS; shard++) {
      const guildId = fake.addGuild({ id: discordGuildIdOnShard(shard, SHARDS), name: `Guild ${shard}` }).id;
      const channelId = fake.addTextChannel(guildId).id;
      const { organization } = await createOrganizationWithOwner(db, {
        email: `s${shard}@shards.test`,
        orgName: `Shard ${shard}`,
      });
      const project = await createProject(db, organization.id, { name: 'P', allowedOrigins: ['https://s.test'] });
      const conn = await createConnection(db, organization.id, {
        projectId: project.id,
        kind: 'discord',
        sealedCredentials: encryptSecret(ring, JSON.stringify({ guildId, channelId })),
        targetId: channelId,
        targetScope: guildId,
      });
      const visitor = await createVisitor(db, organization.id, {
        projectId: project.id,
        tokenHash: sha256(randomBytes(8).toString('hex')),
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
      tenants.push({ guildId, threadId: thread.externalThreadId, organizationId: organization.id });
    }
    env = {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: uniqueRedisPrefix(),
      ENCRYPTION_KEY: key,
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_BOT_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_TENANT_POSTS_PER_10S: '0',
      DISCORD_SHARD_LEASE_MS: String(LEASE_MS),
      WORKER_CONCURRENCY: '5',
      SWEEP_INTERVAL_MS: '1000',
      LOG_LEVEL: 'info',
    };
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) await w.stop();
    await db?.$disconnect();
    await fake?.close();
    await database?.drop();
  });

  it('three workers hold the two shards once; killing owners hands the shards over; every reply arrives once', async () => {
    const first = await startWorker();
    await waitFor(oneSessionPerShard, { what: 'first worker holds every shard', timeoutMs: 30_000 });
    expect(shardsTakenBy(first).sort()).toEqual([0, 1]);
    await startWorker();
    await startWorker();
    // The others stand by: no second session for any shard, no extra IDENTIFY.
    await new Promise((r) => setTimeout(r, LEASE_MS));
    expect(oneSessionPerShard()).toBe(true);
    expect(fake.gateway.identifyLog).toHaveLength(SHARDS);
    await storedOnce(writeEverywhere('before'));

    for (let kill = 1; kill <= 2; kill++) {
      const owner = workers.find(
        (w) => w.child.exitCode === null && w.child.signalCode === null && shardsTakenBy(w).length > 0,
      )!;
      const identifies = fake.gateway.identifyLog.length;
      const killedAt = Date.now();
      await owner.kill();
      // Written while the killed worker's shards have no session: only the takeover's backfill brings them.
      const during = writeEverywhere(`during kill ${kill}`);
      await waitFor(
        () => fake.gateway.identifyLog.length >= identifies + shardsTakenBy(owner).length && oneSessionPerShard(),
        {
          what: 'shards taken over',
          timeoutMs: 30_000,
        },
      );
      // Lease TTL + one renew interval + IDENTIFY spacing (5 s per bucket) + process/fake latency under load.
      const tookMs = Date.now() - killedAt;
      console.warn(
        `[fault-discord-shards] kill ${kill}: shards ${JSON.stringify(shardsTakenBy(owner))} back in ${tookMs} ms (lease ${LEASE_MS} ms, machine shared with other test runs)`,
      );
      expect(tookMs).toBeLessThan(LEASE_MS + LEASE_MS / 3 + 5_000 + 5_000);
      await storedOnce([...during, ...writeEverywhere(`after kill ${kill}`)]);
    }
    const bodies = await operatorBodies();
    expect(new Set(bodies).size).toBe(bodies.length);
  }, 180_000);
});
