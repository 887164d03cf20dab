// Realtime and worker leave no Redis connection behind when they stop: BullMQ never closes a connection it was
// given, so each of the worker's queues closes its own with it (apps/worker/src/queue-worker.ts); realtime closes its
// adapter's pub/sub pair, its commands and its producers. Counted on a private redis-server, where no other test's
// clients are; two start/stop rounds each (nothing accumulates across restarts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createLogger, parseKeyRing } from '@pocketping/core';
import { createStripeClient } from '@pocketping/billing/stripe';
import { createLocalStorage } from '@pocketping/storage';
import {
  createTestDatabase,
  freePort,
  startFakeTelegram,
  startRedisServer,
  testEncryptionKey,
  uniqueRedisPrefix,
  waitFor,
  type TFakeTelegram,
  type TRedisServer,
  type TTestDatabase,
} from '@pocketping/testkit';
import { startRealtimeServer } from '../../apps/realtime/src/server.js';
import { startWorker } from '../../apps/worker/src/runtime.js';

let redisServer: TRedisServer;
let database: TTestDatabase;
let telegram: TFakeTelegram;
let probe: Redis;
let dir: string;
const keyRing = parseKeyRing(testEncryptionKey());

beforeAll(async () => {
  [redisServer, database, telegram, dir] = await Promise.all([
    startRedisServer(),
    createTestDatabase('pp_shutdown_conn'),
    startFakeTelegram(),
    mkdtemp(path.join(tmpdir(), 'pp-shutdown-conn-')),
  ]);
  probe = new Redis(redisServer.url);
}, 60_000);

afterAll(async () => {
  probe?.disconnect();
  await redisServer?.kill();
  await telegram?.close();
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What the server still holds besides the probe's own connection (BullMQ names its own after their queue). */
async function otherClients(): Promise<string[]> {
  const mine = String(await probe.client('ID'));
  return ((await probe.client('LIST')) as string)
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith(`id=${mine} `))
    .map((line) => /name=(\S*)/.exec(line)?.[1] || '(unnamed)');
}

/** A disconnect reaches the server a moment later; what is left after 5 s is named in the failure. */
async function expectNoneLeft(): Promise<void> {
  await waitFor(async () => ((await otherClients()).length === 0 ? true : undefined), { timeoutMs: 5_000 }).catch(
    () => undefined,
  );
  expect(await otherClients()).toEqual([]);
}

describe('worker shutdown', () => {
  it('closes every Redis connection it opened, with every queue on', async () => {
    expect(await otherClients()).toEqual([]);
    const unreachable = 'http://127.0.0.1:9';
    for (let round = 0; round < 2; round++) {
      const worker = await startWorker({
        databaseUrl: database.url,
        redis: { url: redisServer.url, prefix: uniqueRedisPrefix() },
        keyRing,
        bridges: { telegram: { apiRoot: telegram.apiRoot, groupPostsPerMinute: 100_000 } },
        concurrency: 4,
        sweepIntervalMs: 60_000,
        log: createLogger('worker-conn', 'silent'),
        stripe: createStripeClient({ secretKey: 'sk_test_unused', host: '127.0.0.1', port: 9, protocol: 'http' }),
        ai: { baseURL: unreachable, apiKey: 'sk-unused' },
        knowledge: { fetchAllow: [], maxPages: 1, embeddings: null, recovery: { everyMs: 0, olderThanMs: 60_000 } },
        webhooks: { fetch: { allow: [] } },
        notifications: {
          smtpUrl: 'smtp://127.0.0.1:9',
          from: 'PocketPing <no-reply@pocketping.test>',
          webPublicUrl: 'https://app.pocketping.test',
          digestEveryMs: 3_600_000,
          perRecipientPerHour: 10,
        },
        privacy: { intervalMs: 3_600_000 },
      });
      // Every queue's worker is connected (BullMQ names its connections after their queue).
      const open = await otherClients();
      expect(open.length).toBeGreaterThan(10);
      expect(await worker.close({ graceMs: 5_000 })).toBe(true);
      await expectNoneLeft();
    }
  }, 60_000);
});

describe('realtime shutdown', () => {
  it('closes every Redis connection it opened', async () => {
    expect(await otherClients()).toEqual([]);
    for (let round = 0; round < 2; round++) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const server = await startRealtimeServer({
        databaseUrl: database.url,
        redis: { url: redisServer.url, prefix: uniqueRedisPrefix() },
        port,
        host: '127.0.0.1',
        widgetDistDir: dir,
        keyRing,
        publicUrl: url,
        storage: createLocalStorage(dir),
        dbPoolSize: 2,
        log: createLogger('realtime-conn', 'silent'),
      });
      expect((await otherClients()).length).toBeGreaterThan(2);
      await server.close();
      await expectNoneLeft();
    }
  }, 60_000);
});
