import { readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { z } from 'zod';
import pg from 'pg';
import type { Cluster } from 'ioredis';
import { envFields } from '@pocketping/core';
import { createRedis } from '@pocketping/jobs/redis';

type TStatus = 'ok' | 'fail' | 'warn';
interface TCheck {
  name: string;
  status: TStatus;
  detail: string;
}

const REQUIRED = [
  'DATABASE_URL',
  'REDIS_URL',
  'ENCRYPTION_KEY',
  'AUTH_SECRET',
  'WEB_PUBLIC_URL',
  'REALTIME_PUBLIC_URL',
] as const;

async function reachable(url: string): Promise<string> {
  const ctrl = new AbortController();
  const t = setTimeout(() => ctrl.abort(), 3_000);
  try {
    const res = await fetch(url, { method: 'GET', signal: ctrl.signal });
    return `answered HTTP ${res.status}`;
  } finally {
    clearTimeout(t);
  }
}

function tcp(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, timeout: 3_000 }, () => {
      s.end();
      resolve();
    });
    s.on('timeout', () => {
      s.destroy();
      reject(new Error('timeout'));
    });
    s.on('error', reject);
  });
}

/** Rejects after `ms` with "timed out": a client that retries forever must not hang the doctor. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/**
 * The Redis the apps would use, made by the apps' own factory: one PING, or with REDIS_CLUSTER=on the cluster's state
 * and a PING to every master (a cluster whose seed node answers can still have a master down).
 */
async function checkRedis(url: string, source: NodeJS.ProcessEnv): Promise<[string, TStatus, string]> {
  const mode = envFields.REDIS_CLUSTER.safeParse(source.REDIS_CLUSTER);
  const nodes = envFields.REDIS_CLUSTER_NODES.safeParse(source.REDIS_CLUSTER_NODES);
  if (!mode.success) return ['redis', 'fail', `REDIS_CLUSTER: ${mode.error.issues[0]?.message}`];
  if (!nodes.success) return ['redis', 'fail', `REDIS_CLUSTER_NODES: ${nodes.error.issues[0]?.message}`];
  const cluster = mode.data === 'on';
  if (cluster && !nodes.data?.length) return ['redis', 'fail', 'REDIS_CLUSTER=on needs REDIS_CLUSTER_NODES'];
  const redis = createRedis({ url, cluster, ...(nodes.data ? { clusterNodes: nodes.data } : {}) }, 'producer', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 3_000,
  });
  redis.on('error', () => undefined);
  const name = cluster ? 'redis cluster' : 'redis';
  try {
    await within(5_000, redis.connect());
    if (!cluster) return [name, 'ok', `PING → ${await redis.ping()}`];
    const client = redis as unknown as Cluster;
    const state = /cluster_state:(\w+)/.exec(String(await within(3_000, client.cluster('INFO'))))?.[1] ?? '?';
    const masters = client.nodes('master');
    const pings = await Promise.all(
      masters.map((node) =>
        within(3_000, node.ping()).then(
          () => null,
          (err: unknown) => `${node.options.host}:${node.options.port} ${err instanceof Error ? err.message : err}`,
        ),
      ),
    );
    const down = pings.filter((p): p is string => p !== null);
    const ok = state === 'ok' && down.length === 0 && masters.length > 0;
    return [
      name,
      ok ? 'ok' : 'fail',
      `cluster_state:${state}, ${masters.length} master(s)${down.length ? `, no PING answer from ${down.join('; ')}` : ', every one answers PING'}`,
    ];
  } catch (err) {
    return [name, 'fail', `cannot connect: ${err instanceof Error ? err.message : String(err)}`];
  } finally {
    redis.disconnect();
  }
}

/** Prints one line per check; returns the exit code (1 when a required check fails). */
export async function runDoctor(source: NodeJS.ProcessEnv, root: string): Promise<number> {
  const checks: TCheck[] = [];
  const add = (name: string, status: TStatus, detail: string) => checks.push({ name, status, detail });

  for (const name of REQUIRED) {
    const r = (envFields[name] as z.ZodType).safeParse(source[name]);
    add(
      `env ${name}`,
      r.success ? 'ok' : 'fail',
      r.success ? 'set' : source[name] ? `invalid: ${r.error.issues[0]?.message}` : 'missing',
    );
  }

  const dbUrl = source.DATABASE_URL;
  if (dbUrl) {
    const client = new pg.Client({ connectionString: dbUrl, connectionTimeoutMillis: 3_000 });
    try {
      await client.connect();
      add('postgres', 'ok', 'connected');
      const expected = readdirSync(path.join(root, 'prisma/migrations'))
        .filter((d) => /^\d+_/.test(d))
        .sort();
      const applied = await client
        .query<{ migration_name: string }>(
          'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
        )
        .then(
          (r) => new Set(r.rows.map((x) => x.migration_name)),
          () => new Set<string>(),
        );
      const missing = expected.filter((m) => !applied.has(m));
      add(
        'migrations',
        missing.length ? 'fail' : 'ok',
        missing.length
          ? `${missing.length} pending: run \`pnpm db:migrate\` (${missing.join(', ')})`
          : `${expected.length} applied`,
      );
    } catch (err) {
      add('postgres', 'fail', `cannot connect: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  const redisUrl = source.REDIS_URL;
  if (redisUrl) {
    const [name, status, detail] = await checkRedis(redisUrl, source);
    add(name, status, detail);
  }

  const platforms: [string, string][] = [
    ['telegram', envFields.TELEGRAM_API_ROOT.parse(source.TELEGRAM_API_ROOT)],
    ['slack', envFields.SLACK_API_URL.parse(source.SLACK_API_URL)],
    ['discord', envFields.DISCORD_API_URL.parse(source.DISCORD_API_URL)],
    ['openai', envFields.OPENAI_BASE_URL.parse(source.OPENAI_BASE_URL)],
    [
      'stripe',
      `${envFields.STRIPE_API_PROTOCOL.parse(source.STRIPE_API_PROTOCOL)}://${envFields.STRIPE_API_HOST.parse(source.STRIPE_API_HOST)}:${envFields.STRIPE_API_PORT.parse(source.STRIPE_API_PORT)}`,
    ],
  ];
  await Promise.all(
    platforms.map(async ([name, url]) => {
      try {
        add(`${name} API`, 'ok', `${url} ${await reachable(url)}`);
      } catch (err) {
        const cause =
          (err as { cause?: { code?: string } }).cause?.code ?? (err instanceof Error ? err.message : String(err));
        add(`${name} API`, 'warn', `${url} unreachable (${cause}); the ${name} features will not work until it is`);
      }
    }),
  );
  const smtp = new URL(envFields.SMTP_URL.parse(source.SMTP_URL));
  await tcp(smtp.hostname, Number(smtp.port || 25)).then(
    () => add('smtp', 'ok', `${smtp.host} accepts connections`),
    (err: unknown) =>
      add('smtp', 'warn', `${smtp.host} unreachable (${err instanceof Error ? err.message : String(err)})`),
  );

  const icon: Record<TStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };
  for (const c of checks) console.log(`${icon[c.status]}  ${c.name.padEnd(22)} ${c.detail}`);
  const failed = checks.filter((c) => c.status === 'fail').length;
  console.log(failed ? `\n${failed} required check(s) failed.` : '\nAll required checks passed.');
  return failed ? 1 : 0;
}
