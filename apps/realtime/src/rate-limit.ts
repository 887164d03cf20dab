import type { Redis } from 'ioredis';
import { hashTag } from '@pocketping/jobs';

export interface TRateLimitHit {
  key: string;
  limit: number;
  windowSec: number;
}

export interface TRateLimiter {
  /** Counts one hit on `key`; false (and nothing counted) when `limit` hits already happened in the current window. */
  hit(key: string, limit: number, windowSec: number): Promise<boolean>;
  /**
   * All or nothing, in ONE atomic Redis call: when every key is below its limit, one hit is counted on each and the
   * answer is -1; otherwise NOTHING is counted and the answer is the index of the first exhausted key. A refused
   * attempt therefore never spends a budget it shares with others (a project's, an address's): an abuser who
   * exhausted their own visitor or address budget cannot drain the project's by hammering on.
   */
  hitAll(hits: readonly TRateLimitHit[]): Promise<number>;
}

// KEYS: the counters. ARGV: limit, ttl (s) per key, in order.
const HIT_ALL = `
for i = 1, #KEYS do
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  if count >= tonumber(ARGV[i * 2 - 1]) then return i - 1 end
end
for i = 1, #KEYS do
  redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], tonumber(ARGV[i * 2]))
end
return -1
`;

/**
 * Fixed-window counters in Redis, shared by every realtime node. If Redis is unreachable the limiter lets the
 * request through (a chat that stops working because the limiter is down is worse than a missed limit).
 */
export function createRateLimiter(redis: Redis, prefix: string, opts: { scale?: number } = {}): TRateLimiter {
  // `scale` multiplies every event limit: 1 in production; load tests raise it to measure raw capacity.
  const scale = opts.scale ?? 1;
  // One atomic call counts an address, a visitor and a project together, so on Redis Cluster every counter of this
  // limiter shares one slot (its prefix is the hash tag): the price of all-or-nothing, a few small keys per event.
  const keyOf = (key: string, windowSec: number) =>
    `${hashTag(prefix)}:${key}:${Math.floor(Date.now() / 1000 / windowSec)}`;
  return {
    async hit(key, limit, windowSec) {
      return (await this.hitAll([{ key, limit, windowSec }])) === -1;
    },
    async hitAll(hits) {
      if (hits.length === 0) return -1;
      const keys = hits.map((h) => keyOf(h.key, h.windowSec));
      const args = hits.flatMap((h) => [String(h.limit * scale), String(h.windowSec + 1)]);
      try {
        return Number(await redis.eval(HIT_ALL, keys.length, ...keys, ...args));
      } catch {
        return -1;
      }
    },
  };
}
