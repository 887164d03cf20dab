// A worker with every queue on (bridges, visitor, billing, AI, knowledge, webhooks, notifications, privacy) leaves no
// Redis connection behind when it stops: BullMQ never closes a connection it was given, so each queue's own
// connection must be closed with it (apps/worker/src/queue-worker.ts). Counted on a private redis-server, where no
// other test's clients are.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createLogger, parseKeyRing } from '@pocketping/core';
import { createStripeClient } from '@pocketping/billing/stripe';
import {
  createTestDatabase,
  startFakeTelegram,
  startRedisServer,
  testEncryptionKey,
  uniqueRedisPrefix,
  waitFor,
  type TFakeTelegram,
  type TRedisServer,
  type TTestDatabase,
} from '@pocketping/testkit';
import { startWorker } from '../../apps/worker/src/runtime.js';

let redisServer: TRedisServer;
let database: TTestDatabase;
let telegram: TFakeTelegram;
let probe: Redis;

beforeAll(async () => {
  [redisServer, database, telegram] = await Promise.all([
    startRedisServer(),
    createTestDatabase('pp_worker_conn'),
    startFakeTelegram(),
  ]);
  probe = new Redis(redisServer.url);
}, 60_000);

afterAll(async () => {
  probe?.disconnect();
  await redisServer?.kill();
  await telegram?.close();
  await database?.drop();
});

/** Connections the server holds besides the probe's own. */
async function otherClients(): Promise<string[]> {
  const list = (await probe.client('LIST')) as string;
  const mine = String(await probe.client('ID'));
  return list
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith(`id=${mine} `))
    .map((line) => /name=(\S*)/.exec(line)?.[1] || '(unnamed)');
}

describe('worker shutdown', () => {
  it('closes every Redis connection it opened, twice in a row (nothing accumulates across restarts)', async () => {
    expect(await otherClients()).toEqual([]);
    const unreachable = 'http://127.0.0.1:9';
    for (let round = 0; round < 2; round++) {
      const worker = await startWorker({
        databaseUrl: database.url,
        redis: { url: redisServer.url, prefix: uniqueRedisPrefix() },
        keyRing: parseKeyRing(testEncryptionKey()),
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
      // A disconnect reaches the server a moment later; what is left after 5 s is named in the failure.
      await waitFor(async () => ((await otherClients()).length === 0 ? true : undefined), { timeoutMs: 5_000 }).catch(
        () => undefined,
      );
      expect(await otherClients()).toEqual([]);
    }
  }, 60_000);
});
