// End to end on the production bundles: 2 realtime nodes behind a TCP balancer + 2 workers on one Postgres and Redis,
// `visitors` widget sockets connected of which `active` hold a conversation bridged to the fake Discord.
//   visitor send → platform API call: emit of message:send → the fake Discord receiving the POST of that message;
//   operator reply → widget: a human message in the Discord thread (gateway MESSAGE_CREATE) → the widget's event.
// Run: pnpm exec tsx bench/many-nodes-latency.ts [visitors=1000] [active=200] [rounds=5] [spreadMs=2000]
// Each round, every active visitor sends once and every active thread gets one operator reply, at random moments
// within spreadMs (≈ active / spreadMs messages per second each way).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { encryptSecret, parseKeyRing } from '@pocketping/core';
import { createConnection, createDb, createOrganizationWithOwner, createProject } from '@pocketping/db';
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
} from '@pocketping/testkit';
import { percentile } from './delivery-stack.js';
import { BENCH_REALTIME_LIMITS, connectBenchVisitor } from './realtime-bench-stack.js';

const VISITORS = Number(process.argv[2] ?? 1000);
const ACTIVE = Math.min(VISITORS, Number(process.argv[3] ?? 200));
const ROUNDS = Number(process.argv[4] ?? 5);
const SPREAD_MS = Number(process.argv[5] ?? 2000);
const ORIGIN = 'https://shop.bench.test';
const load = () =>
  execFileSync('uptime', { encoding: 'utf8' })
    .trim()
    .replace(/.*load average: /, '');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

buildAppBundles(['realtime', 'worker']);
const database = await createTestDatabase('pp_bench_nodes');
const db = createDb(database.url, { poolSize: 4 });
const fake = await startFakeDiscord({ heartbeatIntervalMs: 5_000 });
const guildId = fake.addGuild({ name: 'Bench' }).id;
const channelId = fake.addTextChannel(guildId, { name: 'support' }).id;
const key = testEncryptionKey();
const { organization } = await createOrganizationWithOwner(db, { email: 'o@bench.test', orgName: 'Bench' });
const project = await createProject(db, organization.id, { name: 'Shop', allowedOrigins: [ORIGIN] });
const connection = await createConnection(db, organization.id, {
  projectId: project.id,
  kind: 'discord',
  sealedCredentials: encryptSecret(parseKeyRing(key), JSON.stringify({ guildId, channelId })),
  targetId: channelId,
  targetScope: guildId,
});
const env: Record<string, string> = {
  DATABASE_URL: database.url,
  REDIS_URL: TEST_REDIS_URL,
  REDIS_PREFIX: uniqueRedisPrefix(),
  ENCRYPTION_KEY: key,
  STORAGE_LOCAL_DIR: await mkdtemp(path.join(tmpdir(), 'pp-bench-nodes-')),
  TELEGRAM_UPDATES_MODE: 'webhook',
  DISCORD_API_URL: fake.apiUrl,
  DISCORD_BOT_TOKEN: fake.token,
  DISCORD_APPLICATION_ID: fake.applicationId,
  DISCORD_TENANT_POSTS_PER_10S: '0',
  WORKER_CONCURRENCY: '50',
  ...BENCH_REALTIME_LIMITS,
};
const nodes = createAppNodes(env, { node: process.execPath, root: REPO_ROOT });
const sockets: Socket[] = [];
let balancer: Awaited<ReturnType<typeof startTcpBalancer>> | undefined;
try {
  const [r1, r2] = await Promise.all([
    nodes.startRealtime(),
    nodes.startRealtime(),
    nodes.startWorker(),
    nodes.startWorker(),
  ]);
  balancer = await startTcpBalancer([r1.port, r2.port]);
  const url = balancer.url;
  await waitFor(() => nodes.processes.some((p) => p.output().includes('discord gateway: shard taken')), {
    what: 'a worker holding the Discord shard',
    timeoutMs: 60_000,
  });
  const loadBefore = load();
  const t0 = performance.now();
  for (let i = 0; i < VISITORS; i += 50)
    sockets.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(50, VISITORS - i) }, () => connectBenchVisitor(url, project.publicKey, ORIGIN)),
      )),
    );
  console.log(`${VISITORS} visitors connected in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // The active visitors open their conversations (and Discord threads) before anything is measured.
  const active = sockets.slice(0, ACTIVE);
  const conversationOf = new Map<Socket, string>();
  const received = new Map<string, number>();
  for (const s of active)
    s.on('message', (m: { body?: string }) => {
      if (m.body?.startsWith('op ')) received.set(m.body, Date.now());
    });
  const send = async (s: Socket, body: string) => {
    const ack = (await s
      .timeout(30_000)
      .emitWithAck('message:send', { clientId: `b_${randomBytes(8).toString('hex')}`, body })) as {
      ok: boolean;
      message?: { conversationId: string };
    };
    if (!ack.ok || !ack.message) throw new Error(`send refused: ${JSON.stringify(ack)}`);
    return ack.message.conversationId;
  };
  for (let i = 0; i < ACTIVE; i += 50)
    await Promise.all(active.slice(i, i + 50).map(async (s, j) => conversationOf.set(s, await send(s, `hi ${i + j}`))));
  const threadOf = new Map<string, string>();
  await waitFor(
    async () => {
      for (const t of await db.bridgeThread.findMany({
        where: { organizationId: organization.id, connectionId: connection.id },
        select: { conversationId: true, externalThreadId: true },
      }))
        threadOf.set(t.conversationId, t.externalThreadId);
      return threadOf.size >= ACTIVE;
    },
    { what: 'every active conversation with its Discord thread', timeoutMs: 300_000, intervalMs: 500 },
  );
  console.log(`${ACTIVE} conversations and threads open; load average ${loadBefore} before, ${load()} now`);

  const sendLatencies: number[] = [];
  const replyLatencies: number[] = [];
  const posts = () => fake.callsOf('POST /channels/:id/messages');
  for (let round = 0; round < ROUNDS; round++) {
    const sentAt = new Map<string, number>();
    const repliedAt = new Map<string, number>();
    await Promise.all(
      active.map(async (s, i) => {
        await sleep(Math.random() * SPREAD_MS);
        const body = `v r${round} n${i} x`;
        sentAt.set(body, Date.now());
        await send(s, body);
      }),
    );
    await Promise.all(
      active.map(async (s, i) => {
        await sleep(Math.random() * SPREAD_MS);
        const content = `op r${round} n${i}`;
        repliedAt.set(content, Date.now());
        fake.operatorWrites({ guildId, threadId: threadOf.get(conversationOf.get(s)!)!, content });
      }),
    );
    await waitFor(
      () => {
        const postedAt = new Map<string, number>();
        for (const c of posts()) {
          const content = String(c.body?.content ?? '');
          for (const body of sentAt.keys()) if (content.includes(body)) postedAt.set(body, c.at);
        }
        if (postedAt.size < sentAt.size || [...repliedAt.keys()].some((b) => !received.has(b))) return false;
        for (const [body, at] of sentAt) sendLatencies.push(postedAt.get(body)! - at);
        for (const [body, at] of repliedAt) replyLatencies.push(received.get(body)! - at);
        return true;
      },
      { what: `round ${round} delivered both ways`, timeoutMs: 120_000, intervalMs: 200 },
    );
    console.log(`round ${round + 1}/${ROUNDS} done (load average ${load()})`);
  }
  sendLatencies.sort((a, b) => a - b);
  replyLatencies.sort((a, b) => a - b);
  const fmt = (xs: number[]) =>
    `p50 ${percentile(xs, 50).toFixed(0)} ms, p99 ${percentile(xs, 99).toFixed(0)} ms, max ${xs.at(-1)!.toFixed(0)} ms (${xs.length})`;
  console.log(`\n2 realtime + 2 workers (production bundles), ${VISITORS} visitors connected, ${ACTIVE} active`);
  console.log(`  visitor send → platform API call: ${fmt(sendLatencies)}`);
  console.log(`  operator reply → widget:          ${fmt(replyLatencies)}`);
  console.log(`  load average at the end: ${load()}`);
} catch (err) {
  for (const p of nodes.processes) console.warn(`--- ${p.name} ${p.child.pid} ---\n${p.output().slice(-3_000)}`);
  throw err;
} finally {
  for (const s of sockets) s.close();
  await nodes.stopAll();
  await balancer?.close();
  await fake.close();
  await db.$disconnect();
  await database.drop();
}
