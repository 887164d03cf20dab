// Boots what the realtime benches measure: a fresh database with one project, and ONE realtime process (the
// production entry point, `node --import tsx src/index.ts`) on 127.0.0.1.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseKeyRing } from '@pocketping/core';
import { bootstrapTenant, createDb } from '@pocketping/db';
import { createRedis } from '@pocketping/jobs';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  freePort,
  spawnApp,
  testEncryptionKey,
  uniqueRedisPrefix,
  type TAppProcess,
  type TTestDatabase,
} from '@pocketping/testkit';

export interface TBenchStack {
  url: string;
  origin: string;
  projectKey: string;
  realtime: TAppProcess;
  database: TTestDatabase;
  rssMb(): number;
  stop(): Promise<void>;
}

export async function bootBenchStack(opts: { withBridge?: boolean } = {}): Promise<TBenchStack> {
  const database = await createTestDatabase('pp_bench');
  const db = createDb(database.url, { poolSize: 2 });
  const key = testEncryptionKey();
  const origin = 'https://bench.test';
  const t = await bootstrapTenant(db, parseKeyRing(key), {
    email: 'bench@bench.test',
    orgName: 'Bench',
    allowedOrigins: [origin],
    // A connection makes every send write an outbox row and enqueue a delivery job (no worker runs: they wait).
    ...(opts.withBridge
      ? { telegram: { botToken: '123:bench-token-bench-token-bench-token', chatId: '-100123' } }
      : {}),
  });
  await db.$disconnect();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const redisPrefix = uniqueRedisPrefix();
  const realtime = await spawnApp('realtime', {
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: redisPrefix,
      ENCRYPTION_KEY: key,
      REALTIME_PORT: String(port),
      REALTIME_HOST: '0.0.0.0',
      REALTIME_PUBLIC_URL: url,
      LOG_LEVEL: 'warn',
      STORAGE_LOCAL_DIR: await mkdtemp(path.join(tmpdir(), 'pp-bench-')),
      // The bench connects from a handful of loopback addresses, far above the per-IP default meant for the web.
      WIDGET_CONNECTIONS_PER_IP_PER_MIN: '1000000',
      WIDGET_CONNECTIONS_PER_PROJECT_PER_MIN: '1000000',
      WIDGET_EVENT_LIMIT_SCALE: '100000',
    },
    readyUrl: `${url}/health`,
  });
  return {
    url,
    origin,
    projectKey: t.project.publicKey,
    realtime,
    database,
    rssMb() {
      const status = require_('/proc/' + realtime.child.pid + '/status');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb / 1024;
    },
    async stop() {
      await realtime.stop();
      await database.drop();
      await dropRedisPrefix(redisPrefix);
    },
  };
}

import { readFileSync } from 'node:fs';
/** Removes what the run left in Redis under its private prefix (queued jobs of the bridge variant, counters). */
async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = createRedis(TEST_REDIS_URL, 'worker');
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
function require_(file: string): string {
  return readFileSync(file, 'utf8');
}
