// Helpers that boot real pieces of the stack for integration tests: a fresh Postgres database with the
// committed migrations, a unique Redis prefix, and the apps as real child processes.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { applyMigrations } from '@pocketping/db/migrations';

export const REPO_ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const ADMIN_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

export interface TTestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * Creates an empty database and applies every committed migration's SQL in order (what `prisma migrate deploy`
 * does, minus the CLI's start-up cost; one test runs the real CLI to prove the two agree).
 */
export async function createTestDatabase(prefix = 'pp_test'): Promise<TTestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = `postgresql://postgres@127.0.0.1:5432/${name}`;
  // The same code as `pocketping migrate` (the production migration job); one test runs Prisma's own CLI to prove
  // the two agree.
  await applyMigrations(url, path.join(REPO_ROOT, 'prisma/migrations'));
  return {
    url,
    name,
    async drop() {
      const a = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await a.end();
    },
  };
}

export function uniqueRedisPrefix(): string {
  return `pptest_${randomBytes(4).toString('hex')}`;
}

export function testEncryptionKey(): string {
  return `k1:${randomBytes(32).toString('base64')}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface TAppProcess {
  name: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for exit (SIGKILL after a grace period). */
  stop(): Promise<void>;
  /** SIGKILL at once: the crash case. */
  kill(): Promise<void>;
}

export interface TSpawnOptions {
  env: Record<string, string>;
  /** Resolves when this returns true for the accumulated output, or when `url` answers 200. */
  readyWhen?: (output: string) => boolean;
  readyUrl?: string;
  timeoutMs?: number;
  /**
   * Run the production tree (scripts/assemble-production.mjs wrote it at `root`) with this Node.js binary instead of
   * the TypeScript sources through tsx (web: the standalone server instead of `next start`).
   */
  production?: { node: string; root: string };
  /** Options for node itself before the script (realtime and worker: e.g. `--cpu-prof` for a bench's profile). */
  nodeArgs?: string[];
}

/** Starts `apps/<name>` as a real process (`tsx src/index.ts`, or `next start` for web; or the production tree). */
export async function spawnApp(name: 'realtime' | 'worker' | 'web', opts: TSpawnOptions): Promise<TAppProcess> {
  const prod = opts.production;
  const cwd = prod
    ? path.join(prod.root, name === 'web' ? 'web/apps/web' : `apps/${name}`)
    : path.join(REPO_ROOT, 'apps', name);
  // realtime/worker run as ONE node process (tsx as a loader, not the tsx CLI, which forks a child): a SIGKILL in a
  // crash test must really kill the app.
  const bin = prod ? prod.node : name === 'web' ? path.join(cwd, 'node_modules/.bin/next') : process.execPath;
  const nodeArgs = name === 'web' ? [] : (opts.nodeArgs ?? []);
  const args = prod
    ? [...nodeArgs, '--enable-source-maps', name === 'web' ? 'server.js' : 'dist/index.js']
    : name === 'web'
      ? ['start', '-H', '127.0.0.1', '-p', opts.env.PORT ?? '3000']
      : [...nodeArgs, '--import', 'tsx', 'src/index.ts'];
  const child = spawn(bin, args, {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      // The standalone web server binds HOSTNAME (set by some environments to the machine's name).
      ...(prod && name === 'web' ? { HOSTNAME: '127.0.0.1' } : {}),
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before it was ready:\n${out}`);
    if (opts.readyWhen?.(out)) break;
    if (opts.readyUrl) {
      const ok = await fetch(opts.readyUrl).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not ready within ${opts.timeoutMs ?? 60_000} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 8_000);
      await exited;
      clearTimeout(t);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Builds the production bundles of the Node apps (`apps/<name>/dist/index.js`, scripts/build-app.mjs), so tests can
 * run them with `spawnApp(name, { production: { node: process.execPath, root: REPO_ROOT } })` or assemble a tree.
 */
export function buildAppBundles(apps: readonly ('realtime' | 'worker' | 'cli')[]): void {
  for (const app of apps) {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build-app.mjs'), '.'], {
      cwd: path.join(REPO_ROOT, 'apps', app),
      stdio: 'pipe',
    });
  }
}

/** Polls `fn` until it returns a truthy value or the timeout passes. */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}
