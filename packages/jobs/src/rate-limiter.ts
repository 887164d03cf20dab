import type { Redis } from 'ioredis';

/**
 * Token buckets in Redis, one per posting target (Telegram group, Slack channel), shared by every worker process:
 * a post takes a token; an empty bucket answers how long until the next one, and the caller moves its job to
 * delayed for that long (no sleeping in the worker). A failed take also flags the waiting (connection,
 * conversation) pair, so the pair knows to coalesce its backlog into one post once it gets a token.
 * Time comes from the Redis server (TIME), so clocks of worker machines do not matter.
 */
export interface TRateRule {
  capacity: number;
  perMs: number;
}

export type TTakeResult = { ok: true; pairWaited: boolean } | { ok: false; waitMs: number };

export interface TRateLimiter {
  take(bucket: string, pair: string, rule: TRateRule): Promise<TTakeResult>;
  /** The platform answered 429: empty the bucket for `ms` (our estimate was too generous) and flag the pair. */
  block(bucket: string, pair: string, rule: TRateRule, ms: number): Promise<void>;
  /** The pair's backlog is gone: stop coalescing it. */
  clearWait(pair: string): Promise<void>;
}

// KEYS: bucket. ARGV: capacity, perMs. Returns {1, 0} or {0, waitMs}. Only the bucket: a pair's flag lives in another
// slot on Redis Cluster, and is set or read by the pair's own drain (its lease serialises it), so not atomically.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cap = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(s[1])
local ts = tonumber(s[2])
if tokens == nil then tokens = cap; ts = now end
if now < ts then return {0, ts - now} end
if now > ts then tokens = math.min(cap, tokens + (now - ts) * cap / per); ts = now end
if tokens >= 1 then
  redis.call('HSET', KEYS[1], 'tokens', tokens - 1, 'ts', ts)
  redis.call('PEXPIRE', KEYS[1], per * 2)
  return {1, 0}
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', ts)
redis.call('PEXPIRE', KEYS[1], per * 2)
return {0, math.ceil((1 - tokens) * per / cap)}
`;

// KEYS: bucket. ARGV: perMs, block ms. A ts in the future means "closed until then"; one
// token is waiting at that time, as the platform said a retry is fine then.
const BLOCK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], 'tokens', 1, 'ts', now + tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2 + tonumber(ARGV[2]))
return 1
`;

const FLAG_TTL_MS = 15 * 60_000;

export function createRateLimiter(redis: Redis, prefix: string): TRateLimiter {
  const bucketKey = (b: string) => `${prefix}:rl:${b}`;
  const flagKey = (p: string) => `${prefix}:rlwait:${p}`;
  return {
    async take(bucket, pair, rule) {
      const r = (await redis.eval(TAKE, 1, bucketKey(bucket), String(rule.capacity), String(rule.perMs))) as [
        number,
        number,
      ];
      if (r[0] === 1) return { ok: true, pairWaited: (await redis.exists(flagKey(pair))) === 1 };
      await redis.set(flagKey(pair), '1', 'PX', FLAG_TTL_MS);
      return { ok: false, waitMs: Math.max(1, r[1]) };
    },
    async block(bucket, pair, rule, ms) {
      await redis.eval(BLOCK, 1, bucketKey(bucket), String(rule.perMs), String(Math.max(0, Math.round(ms))));
      await redis.set(flagKey(pair), '1', 'PX', FLAG_TTL_MS);
    },
    async clearWait(pair) {
      await redis.del(flagKey(pair));
    },
  };
}
