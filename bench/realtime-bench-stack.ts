// Boots what the realtime benches measure: a fresh database with one project, and ONE realtime process (the
// production entry point: `node --import tsx src/index.ts`, or the built bundle with BENCH_PRODUCTION=1) on 127.0.0.1.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseKeyRing } from '@pocketping/core';
import { bootstrapTenant, createDb } from '@pocketping/db';
import { createRedis } from '@pocketping/jobs';
import { io, type Socket } from 'socket.io-client';
import {
  REPO_ROOT,
  TEST_REDIS_URL,
  buildAppBundles,
  createTestDatabase,
  freePort,
  spawnApp,
  testEncryptionKey,
  uniqueRedisPrefix,
  type TAppProcess,
  type TTestDatabase,
} from '@pocketping/testkit';

/** The env every realtime bench node gets on top of its own: no handshake or event limit gets in a bench's way. */
export const BENCH_REALTIME_LIMITS = {
  // The bench connects from a handful of loopback addresses, far above the per-IP default meant for the web.
  WIDGET_CONNECTIONS_PER_IP_PER_MIN: '1000000',
  WIDGET_CONNECTIONS_PER_PROJECT_PER_MIN: '1000000',
  WIDGET_EVENT_LIMIT_SCALE: '100000',
};

/** One visitor on the official socket.io-client (websocket only), resolved once its session arrived. */
export function connectBenchVisitor(url: string, projectKey: string, origin: string): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const s = io(`${url}/widget`, {
      auth: { projectKey },
      extraHeaders: { origin },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    s.once('session', () => resolve(s));
    s.once('connect_error', reject);
  });
}

export interface TBenchStack {
  url: string;
  origin: string;
  projectKey: string;
  realtime: TAppProcess;
  database: TTestDatabase;
  rssMb(): number;
  stop(): Promise<void>;
}

/**
 * `BENCH_PRODUCTION=1` (or `production: true`) runs the production bundle (`apps/realtime/dist`, built first) with
 * NODE_ENV=production, as deployed; else the TypeScript sources through tsx. `extraEnv` is added to the node's env.
 */
export async function bootBenchStack(
  opts: { withBridge?: boolean; production?: boolean; extraEnv?: Record<string, string> } = {},
): Promise<TBenchStack> {
  const production = opts.production ?? process.env.BENCH_PRODUCTION === '1';
  if (production) buildAppBundles(['realtime']);
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
      ...BENCH_REALTIME_LIMITS,
      ...opts.extraEnv,
    },
    readyUrl: `${url}/health`,
    ...(production ? { production: { node: process.execPath, root: REPO_ROOT } } : {}),
    // BENCH_CPU_PROF=<dir>: the realtime process writes a V8 CPU profile there when it stops (bench/cpu-profile.mjs
    // sums it by function).
    ...(process.env.BENCH_CPU_PROF
      ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`] }
      : {}),
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
