import type { Redis } from 'ioredis';

export interface TApiRateLimit {
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  reset: number;
  allowed: boolean;
}

/**
 * The per-key request budget of /api/v1: a fixed one-minute window in Redis (one MULTI: INCR + PEXPIRE; the window is in the key), so
 * every web node shares it. The budget is the organization's plan's `apiRequestsPerMinute`.
 */
export async function hitApiRateLimit(
  redis: Redis,
  prefix: string,
  apiKeyId: string,
  limit: number,
  now = Date.now(),
): Promise<TApiRateLimit> {
  const windowMs = 60_000;
  const window = Math.floor(now / windowMs);
  const key = `${prefix}:rl:api:${apiKeyId}:${window}`;
  const res =
    (await redis
      .multi()
      .incr(key)
      .pexpire(key, windowMs + 1_000)
      .exec()) ?? [];
  const count = Number(res[0]?.[1] ?? 0);
  const reset = Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000));
  return { limit, remaining: Math.max(0, limit - count), reset, allowed: count <= limit };
}

export function rateLimitHeaders(rl: TApiRateLimit, headers: Headers): void {
  headers.set('RateLimit-Limit', String(rl.limit));
  headers.set('RateLimit-Remaining', String(rl.remaining));
  headers.set('RateLimit-Reset', String(rl.reset));
  headers.set('RateLimit-Policy', `${rl.limit};w=60`);
  if (!rl.allowed) headers.set('Retry-After', String(rl.reset));
}
