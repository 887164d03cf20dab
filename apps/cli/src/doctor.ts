import { readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { z } from 'zod';
import pg from 'pg';
import { Redis } from 'ioredis';
import { envFields } from '@pocketping/core';

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
    const redis = new Redis(redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      connectTimeout: 3_000,
      enableOfflineQueue: false,
    });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      add('redis', 'ok', `PING → ${await redis.ping()}`);
    } catch (err) {
      add('redis', 'fail', `cannot connect: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      redis.disconnect();
    }
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
