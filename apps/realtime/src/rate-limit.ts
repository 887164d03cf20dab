import type { Redis } from 'ioredis';

export interface TRateLimitHit {
  key: string;
  limit: number;
  windowSec: number;
}

export interface TRateLimiter {
  /** Counts one hit on `key`; false when more than `limit` hits happened in the current `windowSec` window. */
  hit(key: string, limit: number, windowSec: number): Promise<boolean>;
  /**
   * Counts one hit on each key in ONE Redis round trip; answers the index of the first exhausted one, or -1 when all
   * are within their limits. (Every key is counted, also those after an exhausted one.)
   */
  hitAll(hits: readonly TRateLimitHit[]): Promise<number>;
}

/**
 * Fixed-window counters in Redis, shared by every realtime node. If Redis is unreachable the limiter lets the
 * request through (a chat that stops working because the limiter is down is worse than a missed limit).
 */
export function createRateLimiter(redis: Redis, prefix: string, opts: { scale?: number } = {}): TRateLimiter {
  // `scale` multiplies every event limit: 1 in production; load tests raise it to measure raw capacity.
  const scale = opts.scale ?? 1;
  const keyOf = (key: string, windowSec: number) => `${prefix}:${key}:${Math.floor(Date.now() / 1000 / windowSec)}`;
  return {
    async hit(key, limit, windowSec) {
      return (await this.hitAll([{ key, limit, windowSec }])) === -1;
    },
    async hitAll(hits) {
      if (hits.length === 0) return -1;
      const multi = redis.multi();
      for (const h of hits) {
        const k = keyOf(h.key, h.windowSec);
        multi.incr(k).expire(k, h.windowSec + 1);
      }
      try {
        const res = await multi.exec();
        for (let i = 0; i < hits.length; i++) {
          const count = Number(res?.[i * 2]?.[1] ?? 0);
          if (count > hits[i]!.limit * scale) return i;
        }
        return -1;
      } catch {
        return -1;
      }
    },
  };
}
