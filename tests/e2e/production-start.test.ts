// The production start path, outside a container: the tree the image ships (scripts/assemble-production.mjs — the
// Next.js standalone server, the realtime/worker/CLI bundles with production-only dependencies, the migrations) is
// assembled from this checkout's builds, then:
//   - the migration job (`node apps/cli/dist/index.js migrate`) creates the schema of an empty database;
//   - web, realtime and worker start from it on the Node.js these machines have AND on the LTS the image runs,
//     answer their probes (liveness; readiness = Postgres, Redis, every shipped migration applied) and their metrics,
//     and stop on SIGTERM;
//   - readiness refuses traffic while a migration shipped with the build is missing, and names it.
// Needs the web app built with NEXT_OUTPUT=standalone (`npm test` builds it so).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  ADMIN_DATABASE_URL,
  REPO_ROOT,
  TEST_REDIS_URL,
  buildAppBundles,
  freePort,
  spawnApp,
  testEncryptionKey,
  uniqueRedisPrefix,
  type TAppProcess,
} from '@pocketping/testkit';

/** The current LTS from the npm registry's `node` package (what the image runs). */
function ltsNode(): string {
  const r = spawnSync('npx', ['-y', 'node@24', '-e', 'process.stdout.write(process.execPath)'], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  if (r.status !== 0 || !r.stdout.startsWith('/')) throw new Error(`could not get Node.js 24: ${r.stderr}`);
  return r.stdout;
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const dbName = `pp_prod_${randomBytes(4).toString('hex')}`;
const databaseUrl = `postgresql://postgres@127.0.0.1:5432/${dbName}`;
let tree: string;
const METRICS_TOKEN = randomBytes(16).toString('hex');
const nodes: { label: string; bin: string }[] = [];

beforeAll(async () => {
  tree = mkdtempSync(path.join(tmpdir(), 'pp-prod-'));
  buildAppBundles(['realtime', 'worker', 'cli']);
  execFileSync(
    process.execPath,
    [
      path.join(REPO_ROOT, 'scripts/assemble-production.mjs'),
      tree,
      '--next-dist',
      process.env.NEXT_DIST_DIR || '.next',
    ],
    { cwd: REPO_ROOT, stdio: 'pipe' },
  );
  nodes.push({ label: `node ${process.version}`, bin: process.execPath }, { label: 'node 24 (LTS)', bin: ltsNode() });
  await admin(`CREATE DATABASE "${dbName}"`);
}, 600_000);

afterAll(async () => {
  await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  if (tree) rmSync(tree, { recursive: true, force: true });
});

async function json(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(url);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

function baseEnv(): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: uniqueRedisPrefix(),
    ENCRYPTION_KEY: testEncryptionKey(),
    AUTH_SECRET: randomBytes(32).toString('hex'),
    TELEGRAM_UPDATES_MODE: 'webhook',
    STORAGE_LOCAL_DIR: path.join(tmpdir(), 'pp-prod-uploads'),
    METRICS_TOKEN,
  };
}

describe('production tree', () => {
  it('the migration job creates the schema of an empty database (LTS, production dependencies only)', () => {
    const run = () =>
      execFileSync(nodes[1]!.bin, ['apps/cli/dist/index.js', 'migrate'], {
        cwd: tree,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl },
        encoding: 'utf8',
      });
    expect(run()).toMatch(/^(\d+) applied, 0 already applied$/m);
    expect(run()).toMatch(/^0 applied, \d+ already applied$/m);
  }, 120_000);

  it('web, realtime and worker start from it, answer their probes and metrics, and stop on SIGTERM', async () => {
    for (const node of nodes) {
      const [webPort, rtPort, wkPort] = [await freePort(), await freePort(), await freePort()];
      const env = baseEnv();
      const production = { node: node.bin, root: tree };
      const started: TAppProcess[] = [];
      try {
        started.push(
          await spawnApp('web', {
            env: {
              ...env,
              PORT: String(webPort),
              WEB_PUBLIC_URL: `http://127.0.0.1:${webPort}`,
              REALTIME_PUBLIC_URL: `http://127.0.0.1:${rtPort}`,
              MIGRATIONS_DIR: path.join(tree, 'prisma/migrations'),
            },
            readyUrl: `http://127.0.0.1:${webPort}/api/live`,
            production,
          }),
          await spawnApp('realtime', {
            env: { ...env, REALTIME_PORT: String(rtPort), REALTIME_HOST: '127.0.0.1' },
            readyUrl: `http://127.0.0.1:${rtPort}/health`,
            production,
          }),
          await spawnApp('worker', {
            env: { ...env, WORKER_HEALTH_PORT: String(wkPort), WORKER_HEALTH_HOST: '127.0.0.1' },
            readyUrl: `http://127.0.0.1:${wkPort}/health`,
            production,
          }),
        );
        for (const url of [
          `http://127.0.0.1:${webPort}/api/ready`,
          `http://127.0.0.1:${rtPort}/ready`,
          `http://127.0.0.1:${wkPort}/ready`,
        ]) {
          expect({ node: node.label, url, ...(await json(url)) }).toEqual({
            node: node.label,
            url,
            status: 200,
            body: { ok: true, db: true, redis: true, migrations: 'current' },
          });
        }
        // Prometheus metrics behind the token (the production dependencies include prom-client).
        const scrape = (url: string, token?: string) =>
          fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {}).then(async (r) => ({
            status: r.status,
            body: await r.text(),
          }));
        expect((await scrape(`http://127.0.0.1:${rtPort}/metrics`)).status).toBe(401);
        expect((await scrape(`http://127.0.0.1:${rtPort}/metrics`, METRICS_TOKEN)).body).toMatch(
          /^pocketping_sockets\{namespace="\/widget",app="realtime"\} 0$/m,
        );
        expect((await scrape(`http://127.0.0.1:${wkPort}/metrics`, METRICS_TOKEN)).body).toMatch(
          /^pocketping_queue_jobs\{queue="bridge-delivery",state="waiting",app="worker"\} \d+$/m,
        );
        // The web app serves its pages and their static files from the standalone tree; realtime serves the widget.
        const login = await fetch(`http://127.0.0.1:${webPort}/login`);
        expect(login.status).toBe(200);
        const script = /\/_next\/static\/[^"]+\.js/.exec(await login.text())?.[0];
        expect((await fetch(`http://127.0.0.1:${webPort}${script}`)).status).toBe(200);
        expect((await fetch(`http://127.0.0.1:${rtPort}/widget/loader.js`)).status).toBe(200);
        for (const p of started) expect(p.child.spawnargs.join(' ')).not.toMatch(/tsx|next start/);
      } finally {
        for (const p of [...started].reverse()) await p.stop();
      }
      // realtime and worker shut down and exit 0; the Next.js standalone server exits 143 (the conventional status
      // of a SIGTERM'd process) after closing its server.
      expect(started.map((p) => [node.label, p.name, p.child.exitCode])).toEqual(
        started.map((p) => [node.label, p.name, p.name === 'web' ? 143 : 0]),
      );
    }
  }, 240_000);

  it('is not ready while a migration shipped with the build is not applied, and says which', async () => {
    const future = path.join(tree, 'prisma/migrations/29991231000000_from_the_future');
    mkdirSync(future);
    writeFileSync(path.join(future, 'migration.sql'), 'SELECT 1;');
    const rtPort = await freePort();
    const realtime = await spawnApp('realtime', {
      env: { ...baseEnv(), REALTIME_PORT: String(rtPort), REALTIME_HOST: '127.0.0.1' },
      readyUrl: `http://127.0.0.1:${rtPort}/health`,
      production: { node: process.execPath, root: tree },
    });
    try {
      expect(await json(`http://127.0.0.1:${rtPort}/ready`)).toEqual({
        status: 503,
        body: { ok: false, db: true, redis: true, migrations: ['29991231000000_from_the_future'] },
      });
    } finally {
      await realtime.stop();
      rmSync(future, { recursive: true });
    }
  }, 60_000);
});
