import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A lease on one (connection, conversation) pair: only its holder posts that pair's messages, so a conversation
 * never overtakes itself while different conversations run in parallel. The lease expires by itself, so a
 * worker killed mid-delivery blocks the pair for at most `ttlMs`.
 */
export interface TPairLock {
  acquire(key: string): Promise<string | null>;
  extend(key: string, token: string): Promise<boolean>;
  release(key: string, token: string): Promise<void>;
}

const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export function createPairLock(redis: Redis, prefix: string, ttlMs = 10_000): TPairLock {
  const k = (key: string) => `${prefix}:lock:${key}`;
  return {
    async acquire(key) {
      const token = randomBytes(12).toString('hex');
      const ok = await redis.set(k(key), token, 'PX', ttlMs, 'NX');
      return ok === 'OK' ? token : null;
    },
    async extend(key, token) {
      return (await redis.eval(EXTEND, 1, k(key), token, String(ttlMs))) === 1;
    },
    async release(key, token) {
      await redis.eval(RELEASE, 1, k(key), token);
    },
  };
}
