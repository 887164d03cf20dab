import { randomBytes } from 'node:crypto';
import type { ZodType } from 'zod';
import type { TWebContext } from '../context';

/**
 * Half-finished bridge setups (a Telegram token waiting for its /link code, a Slack token waiting for its channel)
 * live in Redis with a TTL, not in Postgres: nothing is connected until the last check passes, and an abandoned
 * setup disappears by itself. Tokens inside are sealed with the key ring like stored credentials.
 */
const key = (app: TWebContext, kind: string, id: string) => `${app.env.REDIS_PREFIX}:bridge-setup:${kind}:${id}`;

export const newSetupId = (): string => randomBytes(18).toString('base64url');

/** Readable one-time code: no 0/O/1/I so it survives being typed from a phone. */
export function newLinkCode(length = 8): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

export async function savePending(
  app: TWebContext,
  kind: string,
  id: string,
  value: unknown,
  ttlSeconds: number,
): Promise<void> {
  await app.producer.redis.set(key(app, kind, id), JSON.stringify(value), 'EX', ttlSeconds);
}

/** Rewrites a pending setup and keeps its remaining lifetime. */
export async function updatePending(app: TWebContext, kind: string, id: string, value: unknown): Promise<void> {
  await app.producer.redis.set(key(app, kind, id), JSON.stringify(value), 'KEEPTTL');
}

export async function loadPending<T>(
  app: TWebContext,
  kind: string,
  id: string,
  schema: ZodType<T>,
): Promise<{ value: T; ttlSeconds: number } | null> {
  if (!/^[A-Za-z0-9_-]{10,64}$/.test(id)) return null;
  const [[, raw], [, ttl]] = (await app.producer.redis
    .multi()
    .get(key(app, kind, id))
    .ttl(key(app, kind, id))
    .exec()) as [[null, string | null], [null, number]];
  if (!raw) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  const result = schema.safeParse(parsed);
  return result.success ? { value: result.data, ttlSeconds: Math.max(0, ttl) } : null;
}

export async function deletePending(app: TWebContext, kind: string, id: string): Promise<void> {
  await app.producer.redis.del(key(app, kind, id));
}

/** A short lock so two polls of the same setup (two tabs) never run getUpdates at once (Telegram answers 409). */
export async function withPendingLock<T>(
  app: TWebContext,
  kind: string,
  id: string,
  ms: number,
  fn: () => Promise<T>,
): Promise<T | null> {
  const lockKey = `${key(app, kind, id)}:lock`;
  const token = randomBytes(8).toString('hex');
  const ok = await app.producer.redis.set(lockKey, token, 'PX', ms, 'NX');
  if (ok !== 'OK') return null;
  try {
    return await fn();
  } finally {
    // Release only our own lock (it may have expired and been taken by another poll).
    await app.producer.redis.eval(
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
      1,
      lockKey,
      token,
    );
  }
}
