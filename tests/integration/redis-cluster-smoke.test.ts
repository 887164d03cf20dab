// REDIS_CLUSTER=on against a real Redis Cluster (3 masters started from the local redis-server): a widget message
// goes realtime → outbox → BullMQ (hash-tagged queues) → worker → the chat app, and an operator reply pushed by the
// worker through the Socket.IO emitter reaches the widget through the adapter — every client an ioredis Cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import { createLogger, parseKeyRing } from '@pocketping/core';
import { appendMessage, bootstrapTenant, createDb, type TDb } from '@pocketping/db';
import { createRedis, type TRedisConfig } from '@pocketping/jobs';
import type { TSendAck } from '@pocketping/protocol';
import { createFileUrlSigner, createLocalStorage } from '@pocketping/storage';
import {
  REPO_ROOT,
  createTestDatabase,
  freePort,
  startFakeTelegram,
  startRedisCluster,
  testEncryptionKey,
  uniqueRedisPrefix,
  waitFor,
  type TFakeTelegram,
  type TRedisCluster,
  type TTestDatabase,
} from '@pocketping/testkit';
import { startRealtimeServer, type TRealtimeServer } from '../../apps/realtime/src/server.js';
import { startWorker, type TWorkerRuntime } from '../../apps/worker/src/runtime.js';
import { clientId, connectWidget } from './realtime-harness.js';

const execFileAsync = promisify(execFile);
let cluster: TRedisCluster;
let database: TTestDatabase;
let db: TDb;
let telegram: TFakeTelegram;
let realtime: TRealtimeServer;
let worker: TWorkerRuntime;
let dir: string;
let redisConfig: TRedisConfig;
let url: string;
const keyRing = parseKeyRing(testEncryptionKey());

beforeAll(async () => {
  [cluster, database, telegram, dir] = await Promise.all([
    startRedisCluster(3),
    createTestDatabase('pp_cluster'),
    startFakeTelegram(),
    mkdtemp(path.join(tmpdir(), 'pp-cluster-')),
  ]);
  db = createDb(database.url, { poolSize: 3 });
  redisConfig = { url: cluster.url, prefix: uniqueRedisPrefix(), cluster: true, clusterNodes: cluster.nodes };
  const storage = createLocalStorage(dir);
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  [realtime, worker] = await Promise.all([
    startRealtimeServer({
      databaseUrl: database.url,
      redis: redisConfig,
      port,
      host: '127.0.0.1',
      widgetDistDir: dir,
      keyRing,
      publicUrl: url,
      storage,
      projectCacheMs: 0,
      dbPoolSize: 3,
      log: createLogger('realtime-cluster', 'silent'),
    }),
    startWorker({
      databaseUrl: database.url,
      redis: redisConfig,
      keyRing,
      bridges: { telegram: { apiRoot: telegram.apiRoot, groupPostsPerMinute: 100_000 } },
      concurrency: 5,
      sweepIntervalMs: 1_000,
      log: createLogger('worker-cluster', 'silent'),
      storage,
      fileUrls: createFileUrlSigner(keyRing, { baseUrl: url, ttlSeconds: 600 }),
    }),
  ]);
}, 60_000);
afterAll(async () => {
  await realtime?.close();
  await worker?.close();
  await telegram?.close();
  await db?.$disconnect();
  await database?.drop();
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('Redis Cluster (REDIS_CLUSTER=on)', () => {
  it('every client is a Cluster client; a widget message reaches the chat app and a reply reaches the widget', async () => {
    const probe = createRedis(redisConfig, 'producer');
    expect(probe).toBeInstanceOf(Cluster);
    probe.disconnect();
    expect(realtime.ctx.redis).toBeInstanceOf(Cluster);
    expect(worker.ctx.redis).toBeInstanceOf(Cluster);

    const token = `557001:${randomBytes(24).toString('base64url')}`;
    telegram.addBot(token);
    const chatId = telegram.addForumChat({ title: 'Cluster support' }).id;
    const origin = `https://cluster-${randomBytes(3).toString('hex')}.test`;
    const t = await bootstrapTenant(db, keyRing, {
      email: 'o@cluster.test',
      orgName: 'Cluster',
      allowedOrigins: [origin],
      telegram: { botToken: token, chatId: String(chatId) },
    });
    const visitor = await connectWidget(url, { projectKey: t.project.publicKey, origin });
    try {
      const sent = await visitor.ack<TSendAck>('message:send', {
        clientId: clientId(),
        body: 'hello over the cluster',
      });
      if (!sent.ok) throw new Error(JSON.stringify(sent));
      await waitFor(
        () => telegram.messages(chatId).some((m) => m.fromBot && m.text?.includes('hello over the cluster')),
        {
          what: 'the visitor message posted to Telegram',
          timeoutMs: 15_000,
        },
      );
      const outbox = await db.outboxEvent.findMany({ where: { organizationId: t.organization.id } });
      expect(outbox.length).toBeGreaterThan(0);
      expect(outbox.every((o) => o.status === 'done')).toBe(true);

      const reply = await appendMessage(db, t.organization.id, {
        conversationId: sent.message.conversationId,
        sender: 'operator',
        authorName: 'Op',
        body: 'answer over the cluster',
        source: 'telegram',
      });
      worker.ctx.signals.push.message(sent.message.conversationId, reply.message);
      await waitFor(() => visitor.messages().some((m) => m.body === 'answer over the cluster'), {
        what: 'the worker push reaching the widget',
        timeoutMs: 10_000,
      });
    } finally {
      visitor.close();
    }
  });

  it('pocketping doctor checks the cluster: its state and a PING to every master', async () => {
    const r = await execFileAsync(
      path.join(REPO_ROOT, 'node_modules/.bin/tsx'),
      [path.join(REPO_ROOT, 'apps/cli/src/index.ts'), 'doctor'],
      {
        cwd: '/tmp',
        env: {
          PATH: process.env.PATH ?? '',
          HOME: '/tmp',
          POCKETPING_ENV_FILE: 'none',
          DATABASE_URL: database.url,
          REDIS_URL: cluster.url,
          REDIS_CLUSTER: 'on',
          REDIS_CLUSTER_NODES: cluster.nodes.map((n) => `${n.host}:${n.port}`).join(','),
        },
        timeout: 60_000,
      },
    ).catch((err: { stdout: string }) => err); // exits 1: the rest of the env is not set here
    expect(r.stdout).toMatch(/ok\s+redis cluster\s+cluster_state:ok, 3 master\(s\), every one answers PING/);
  });
});
