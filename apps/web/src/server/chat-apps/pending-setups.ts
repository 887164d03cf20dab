import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { TPendingSetups } from '@pocketping/bridges';

/**
 * Half-finished chat-app setups (a Telegram token waiting for its /link code, a Slack token waiting for its channel,
 * a Discord server grant) live in Redis with a TTL, not in Postgres: nothing is connected until the last check
 * passes, and an abandoned setup disappears by itself. Tokens inside are sealed with the key ring by the chat app.
 */
export function createPendingSetups(redis: Redis, prefix: string): TPendingSetups {
  const key = (kind: string, id: string) => `${prefix}:bridge-setup:${kind}:${id}`;
  return {
    async save(kind, id, value, ttlSeconds) {
      await redis.set(key(kind, id), JSON.stringify(value), 'EX', ttlSeconds);
    },

    async update(kind, id, value) {
      await redis.set(key(kind, id), JSON.stringify(value), 'KEEPTTL');
    },

    async load(kind, id, schema) {
      if (!/^[A-Za-z0-9_-]{10,64}$/.test(id)) return null;
      const [[, raw], [, ttl]] = (await redis.multi().get(key(kind, id)).ttl(key(kind, id)).exec()) as [
        [null, string | null],
        [null, number],
      ];
      if (!raw) return null;
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        return null;
      }
      const result = schema.safeParse(parsed);
      return result.success ? { value: result.data, ttlSeconds: Math.max(0, ttl) } : null;
    },

    async delete(kind, id) {
      await redis.del(key(kind, id));
    },

    /** A short lock so two polls of the same setup (two tabs) never run getUpdates at once (Telegram answers 409). */
    async withLock(kind, id, ms, fn) {
      const lockKey = `${key(kind, id)}:lock`;
      const token = randomBytes(8).toString('hex');
      const ok = await redis.set(lockKey, token, 'PX', ms, 'NX');
      if (ok !== 'OK') return null;
      try {
        return await fn();
      } finally {
        // Release only our own lock (it may have expired and been taken by another poll).
        await redis.eval(
          "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
          1,
          lockKey,
          token,
        );
      }
    },
  };
}
