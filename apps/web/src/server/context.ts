import { createLogger, parseKeyRing, type TKeyRing, type TLogger } from '@pocketping/core';
import { createDb, createLimitsStore, type TDb } from '@pocketping/db';
import { createLimits, type TLimits } from '@pocketping/billing';
import { createProducer, type TProducer, redisConfigFromEnv } from '@pocketping/jobs';
import { createBridgeRegistry, type TBridgeRegistry } from '@pocketping/bridges';
import { createStorageFromConfig, type TStorage } from '@pocketping/storage';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { getEnv, type TWebEnv } from '../env';
import { createMailer, type TMailer } from './mail/mailer';

/** Everything a request handler may need. Built once per process, on first use, never at build time. */
export interface TWebContext {
  env: TWebEnv;
  log: TLogger;
  db: TDb;
  producer: TProducer;
  keyRing: TKeyRing;
  bridges: TBridgeRegistry;
  mailer: TMailer;
  /** Attachment bytes (local folder or S3), read by the inbox's download route. */
  storage: TStorage;
  /** What each organization may do (plan + billing state + usage): asked before creating what a plan limits. */
  limits: TLimits;
}

// Kept on globalThis: `next dev` re-evaluates modules on every edit, and each evaluation would otherwise open
// another Postgres pool and Redis connection.
const holder = globalThis as typeof globalThis & { __pocketpingWebContext?: TWebContext };

/**
 * The checkout's root (the folder with pnpm-workspace.yaml), found from the working directory: `next start` runs in
 * apps/web, tests at the root, and a bundled server file has no stable import.meta.url to start from.
 */
function repoRoot(): string {
  let dir = process.cwd();
  for (;;) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export function getContext(): TWebContext {
  if (holder.__pocketpingWebContext) return holder.__pocketpingWebContext;
  const env = getEnv();
  const log = createLogger('web', env.LOG_LEVEL);
  const producer = createProducer(redisConfigFromEnv(env));
  // ioredis reconnects by itself; without a listener every failed attempt would be an unhandled 'error' event.
  producer.redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection error'));
  const db = createDb(env.DATABASE_URL);
  const ctx: TWebContext = {
    env,
    log,
    db,
    producer,
    keyRing: parseKeyRing(env.ENCRYPTION_KEY),
    bridges: createBridgeRegistry({
      telegram: { apiRoot: env.TELEGRAM_API_ROOT },
      slack: { apiUrl: env.SLACK_API_URL },
    }),
    mailer: createMailer(env.SMTP_URL, env.MAIL_FROM),
    storage: createStorageFromConfig(env, path.join(repoRoot(), '.data/uploads'), 'web'),
    limits: createLimits({ store: createLimitsStore(db), redis: producer.redis, prefix: env.REDIS_PREFIX }),
  };
  holder.__pocketpingWebContext = ctx;
  return ctx;
}
