import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { hashTag } from './redis-keys.js';

/**
 * A lease on one (connection, conversation) pair: only its holder posts that pair's messages, so a conversation
 * never overtakes itself while different conversations run in parallel. The lease expires by itself, so a
 * worker killed mid-delivery blocks the pair for at most `ttlMs`.
 */
export interface TPairLock {
  acquire(key: string): Promise<string | null>;
  /**
   * One round trip for a delivery job: 'done' when `outboxId` was marked done (markDone); else the lease token; else
   * (the pair is being drained) null, AND the pair is flagged so that its holder drains once more before letting go
   * (releaseIfClean) — the caller can end at once, its row is the holder's job now.
   */
  acquireUnlessDone(key: string, outboxId: string): Promise<string | 'done' | null>;
  /**
   * Ends a drain: releases the lease unless a job flagged the pair meanwhile, in which case the lease is kept (and
   * refreshed), the flag cleared, and false returned: drain again. Atomic with acquireUnlessDone's flagging, so a row
   * committed after the holder's last read is never left behind.
   */
  releaseIfClean(key: string, token: string): Promise<boolean>;
  /** Remembers delivered rows of the pair for a while, so their own jobs end at once (a hint: the database stays the truth). */
  markDone(key: string, outboxIds: readonly string[]): Promise<void>;
  /**
   * Renews the lease every third of its TTL until the returned function is called: a holder busy with one long step
   * (a file download) keeps it, while a killed holder's lease lapses after one short TTL.
   */
  keepAlive(key: string, token: string): () => void;
  /**
   * Changes every time the Redis connection is (re)established. A Redis restart loses every lease, so a holder that
   * sees a new generation must re-check its lease (extend) before its next platform call.
   */
  generation(): number;
  extend(key: string, token: string): Promise<boolean>;
  release(key: string, token: string): Promise<void>;
  /**
   * "A post of this row is about to be sent" (kept a day). A worker killed during that call leaves it behind, so the
   * pair's next drain knows which post may exist unrecorded and can look for it on a platform that can be asked.
   */
  markPosting(key: string, outboxId: string, ref?: string): Promise<void>;
  /** The marker of the pair, if it names this row: when its post was started (ms since the epoch). */
  postingSince(key: string, outboxId: string): Promise<number | null>;
  /**
   * The same, with the platform's reference the post had been given before the call that could not be answered
   * (a Slack file id between the upload and its share), if any.
   */
  postingMark(key: string, outboxId: string): Promise<{ since: number; ref: string | null } | null>;
  clearPosting(key: string): Promise<void>;
}

const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const ACQUIRE_UNLESS_DONE = `if redis.call('exists', KEYS[2]) == 1 then return 'done' end
if redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return ARGV[1] end
redis.call('set', KEYS[3], '1', 'PX', ARGV[3])
return false`;
const RELEASE_IF_CLEAN = `if redis.call('get', KEYS[1]) ~= ARGV[1] then return 1 end
if redis.call('del', KEYS[2]) == 1 then redis.call('pexpire', KEYS[1], ARGV[2]) return 0 end
redis.call('del', KEYS[1])
return 1`;
const DONE_TTL_MS = 10 * 60_000;
/**
 * The "drain again" flag outlives the lease: a holder renewing a short lease through a long drain must still find,
 * when it lets go, a flag set at its start (a stale flag only costs one extra, empty drain).
 */
const FLAG_TTL_MS = 5 * 60_000;
/**
 * The delivery pair lease: short, renewed in the background by its holder (keepAlive), so a worker killed with -9
 * blocks its pairs for at most this long, however long one platform call takes.
 */
export const DELIVERY_LEASE_MS = 4_000;

/**
 * The keys of one pair's lease. The scripts read and write the lease, its flag and a row's "done" hint together, so
 * on Redis Cluster they must share a slot: the pair key is their hash tag (`{…}`, see redis-keys.ts).
 */
export function pairLockKeys(prefix: string) {
  return {
    lock: (key: string) => `${prefix}:lock:${hashTag(key)}`,
    flag: (key: string) => `${prefix}:lockflag:${hashTag(key)}`,
    done: (key: string, outboxId: string) => `${prefix}:obdone:${hashTag(key)}:${outboxId}`,
    posting: (key: string) => `${prefix}:posting:${hashTag(key)}`,
  };
}
const POSTING_TTL_MS = 24 * 3_600_000;

export function createPairLock(redis: Redis, prefix: string, ttlMs = 15_000): TPairLock {
  const keys = pairLockKeys(prefix);
  const { lock: k, flag: f, done: d, posting } = keys;
  const postingMark = async (key: string, outboxId: string): Promise<{ since: number; ref: string | null } | null> => {
    const v = await redis.get(posting(key));
    const [id, at, ...ref] = v?.split('|') ?? [];
    if (id !== outboxId || !at || !Number.isFinite(Number(at))) return null;
    return { since: Number(at), ref: ref.join('|') || null };
  };
  let gen = 0;
  redis.on('ready', () => {
    gen += 1;
  });
  return {
    generation: () => gen,
    async acquireUnlessDone(key, outboxId) {
      const token = randomBytes(12).toString('hex');
      const r = (await redis.eval(
        ACQUIRE_UNLESS_DONE,
        3,
        k(key),
        d(key, outboxId),
        f(key),
        token,
        String(ttlMs),
        String(FLAG_TTL_MS),
      )) as string | null;
      return r === null ? null : r;
    },
    async releaseIfClean(key, token) {
      return (await redis.eval(RELEASE_IF_CLEAN, 2, k(key), f(key), token, String(ttlMs))) === 1;
    },
    async markDone(key, outboxIds) {
      if (outboxIds.length === 0) return;
      const p = redis.pipeline();
      for (const id of outboxIds) p.set(d(key, id), '1', 'PX', DONE_TTL_MS);
      await p.exec();
    },
    keepAlive(key, token) {
      const timer = setInterval(
        () => void redis.eval(EXTEND, 1, k(key), token, String(ttlMs)).catch(() => undefined),
        Math.max(100, Math.floor(ttlMs / 3)),
      );
      timer.unref();
      return () => clearInterval(timer);
    },
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
    async markPosting(key, outboxId, ref) {
      await redis.set(posting(key), `${outboxId}|${Date.now()}|${ref ?? ''}`, 'PX', POSTING_TTL_MS);
    },
    async clearPosting(key) {
      await redis.del(posting(key));
    },
    async postingSince(key, outboxId) {
      return (await postingMark(key, outboxId))?.since ?? null;
    },
    postingMark,
  };
}
