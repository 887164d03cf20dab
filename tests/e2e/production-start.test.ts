// The production start path of realtime and worker: the bundles `pnpm --filter … build` writes (dist/index.js, plain
// JavaScript, no tsx at runtime) start on the Node.js these machines have AND on the current LTS the image runs,
// answer the probes (/health: alive; /ready: Postgres, Redis and every shipped migration applied), refuse traffic
// while a migration is missing, and stop cleanly on SIGTERM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  REPO_ROOT,
  TEST_REDIS_URL,
  createTestDatabase,
  freePort,
  spawnApp,
  testEncryptionKey,
  uniqueRedisPrefix,
  type TTestDatabase,
} from '@pocketping/testkit';

/** The current LTS from the npm registry's `node` package (the production image's Node.js); null when unreachable. */
function ltsNode(): string | null {
  const r = spawnSync('npx', ['-y', 'node@24', '-e', 'process.stdout.write(process.execPath)'], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  return r.status === 0 && r.stdout.startsWith('/') ? r.stdout : null;
}

let db: TTestDatabase;
let tmp: string;
const nodes: { label: string; bin: string }[] = [{ label: `node ${process.version}`, bin: process.execPath }];

beforeAll(async () => {
  db = await createTestDatabase('pp_prod');
  tmp = mkdtempSync(path.join(tmpdir(), 'pp-prod-'));
  for (const app of ['realtime', 'worker', 'cli']) {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build-app.mjs'), '.'], {
      cwd: path.join(REPO_ROOT, 'apps', app),
      stdio: 'pipe',
    });
  }
  const lts = ltsNode();
  if (lts) nodes.push({ label: 'node 24 (LTS)', bin: lts });
}, 240_000);

afterAll(async () => {
  await db?.drop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function json(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(url);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

function baseEnv(): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: uniqueRedisPrefix(),
    ENCRYPTION_KEY: testEncryptionKey(),
    AUTH_SECRET: 'x'.repeat(40),
    TELEGRAM_UPDATES_MODE: 'webhook',
  };
}

describe('production build', () => {
  it('the CLI bundle runs without tsx', () => {
    const r = spawnSync(process.execPath, ['apps/cli/dist/index.js', 'help'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toMatch(/gen-key/);
  });

  it('realtime and worker start from dist/, answer /health and /ready, and exit 0 on SIGTERM', async () => {
    // The machine's Node.js and the LTS the image runs (fetched from the npm registry, which CI can reach).
    expect(nodes.map((n) => n.label)).toContain('node 24 (LTS)');
    for (const node of nodes) {
      const rtPort = await freePort();
      const wkPort = await freePort();
      const env = baseEnv();
      const realtime = await spawnApp('realtime', {
        env: { ...env, REALTIME_PORT: String(rtPort), REALTIME_HOST: '127.0.0.1' },
        readyUrl: `http://127.0.0.1:${rtPort}/health`,
        production: { node: node.bin },
      });
      const worker = await spawnApp('worker', {
        env: { ...env, WORKER_HEALTH_PORT: String(wkPort), WORKER_HEALTH_HOST: '127.0.0.1' },
        readyUrl: `http://127.0.0.1:${wkPort}/health`,
        production: { node: node.bin },
      });
      try {
        for (const url of [`http://127.0.0.1:${rtPort}/ready`, `http://127.0.0.1:${wkPort}/ready`]) {
          const ready = await json(url);
          expect({ node: node.label, url, ...ready }).toMatchObject({
            status: 200,
            body: { ok: true, db: true, redis: true, migrations: 'current' },
          });
        }
        // No TypeScript loader in the running processes: the bundle is what runs.
        for (const p of [realtime, worker]) expect(p.child.spawnargs.join(' ')).not.toMatch(/tsx/);
      } finally {
        await worker.stop();
        await realtime.stop();
      }
      expect({ node: node.label, realtime: realtime.child.exitCode, worker: worker.child.exitCode }).toEqual({
        node: node.label,
        realtime: 0,
        worker: 0,
      });
    }
  }, 180_000);

  it('is not ready while a migration shipped with the build is not applied, and says which', async () => {
    const migrations = path.join(tmp, 'migrations');
    cpSync(path.join(REPO_ROOT, 'prisma/migrations'), migrations, { recursive: true });
    mkdirSync(path.join(migrations, '29991231000000_from_the_future'));
    writeFileSync(path.join(migrations, '29991231000000_from_the_future/migration.sql'), 'SELECT 1;');
    const rtPort = await freePort();
    const realtime = await spawnApp('realtime', {
      env: { ...baseEnv(), REALTIME_PORT: String(rtPort), REALTIME_HOST: '127.0.0.1', MIGRATIONS_DIR: migrations },
      readyUrl: `http://127.0.0.1:${rtPort}/health`,
      production: { node: process.execPath },
    });
    try {
      const ready = await json(`http://127.0.0.1:${rtPort}/ready`);
      expect(ready).toEqual({
        status: 503,
        body: { ok: false, db: true, redis: true, migrations: ['29991231000000_from_the_future'] },
      });
    } finally {
      await realtime.stop();
    }
  }, 60_000);
});
