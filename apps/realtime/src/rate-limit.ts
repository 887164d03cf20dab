import type { Redis } from 'ioredis';

export interface TRateLimiter {
  /** Counts one hit on `key`; false when more than `limit` hits happened in the current `windowSec` window. */
  hit(key: string, limit: number, windowSec: number): Promise<boolean>;
}

/**
 * Fixed-window counters in Redis, shared by every realtime node. If Redis is unreachable the limiter lets the
 * request through (a chat that stops working because the limiter is down is worse than a missed limit).
 */
export function createRateLimiter(redis: Redis, prefix: string, opts: { scale?: number } = {}): TRateLimiter {
  // `scale` multiplies every event limit: 1 in production; load tests raise it to measure raw capacity.
  const scale = opts.scale ?? 1;
  return {
    async hit(key, rawLimit, windowSec) {
      const limit = rawLimit * scale;
      const window = Math.floor(Date.now() / 1000 / windowSec);
      const k = `${prefix}:${key}:${window}`;
      try {
        const res = await redis.multi().incr(k).expire(k, windowSec + 1).exec();
        const count = Number(res?.[0]?.[1] ?? 0);
        return count <= limit;
      } catch {
        return true;
      }
    },
  };
}
