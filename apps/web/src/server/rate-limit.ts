import { AppError } from '@pocketping/core';
import { getContext } from './context';

/**
 * Fixed-window counters in Redis for the abuse-prone entry points (login, signup, password reset, invitations).
 * Each call names its bucket and key; exceeding the limit throws `rate_limited` with the seconds to wait.
 */
export async function hitRateLimit(bucket: string, key: string, limit: number, windowSeconds: number): Promise<void> {
  const { producer, env } = getContext();
  await whenReady(producer.redis);
  const redisKey = `${env.REDIS_PREFIX}:rl:web:${bucket}:${key.toLowerCase().slice(0, 200)}`;
  const [[, count], [, ttl]] = (await producer.redis.multi().incr(redisKey).ttl(redisKey).exec()) as [
    [null, number],
    [null, number],
  ];
  if (ttl < 0) await producer.redis.expire(redisKey, windowSeconds);
  if (count > limit) {
    const wait = ttl > 0 ? ttl : windowSeconds;
    throw new AppError(
      'rate_limited',
      `Too many attempts. Try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? 's' : ''}.`,
      { retryAfterSeconds: wait },
    );
  }
}

/**
 * The producer connection has no offline queue (an enqueue must fail fast), so the first request of a fresh process
 * would fail while it is still connecting: wait for it, briefly.
 */
export async function whenReady(
  redis: ReturnType<typeof getContext>['producer']['redis'],
  timeoutMs = 3_000,
): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new AppError('unavailable', 'Rate limiter unavailable; try again in a moment.'));
    }, timeoutMs);
    redis.once('ready', onReady);
  });
}

/**
 * The client address as the web app sees it. `next start` fills X-Forwarded-For with the socket address only when
 * the request has none (it does not append), so: behind TRUST_PROXY_HOPS proxies of ours, the client is the entry
 * our outermost proxy appended (`hops` from the right); with 0 hops it is the last entry — the socket address,
 * unless the client sent the header itself. Route handlers see no socket, so without a proxy the per-IP limits are
 * best effort; the per-email limits (login, reset, resend, magic link) do not depend on the address.
 */
export function clientIp(headers: Headers): string {
  const chain = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const hops = getContext().env.TRUST_PROXY_HOPS;
  const picked = chain[Math.max(0, chain.length - Math.max(1, hops))] ?? headers.get('x-real-ip') ?? 'local';
  return picked.slice(0, 64);
}
