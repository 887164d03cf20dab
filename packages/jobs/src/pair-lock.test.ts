import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { DELIVERY_LEASE_MS, createPairLock } from './pair-lock.js';

const redis = new Redis('redis://127.0.0.1:6379');
const prefix = `pptest_pl_${randomBytes(4).toString('hex')}`;
afterAll(() => redis.disconnect());

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await cond()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('delivery pair lease (real Redis)', () => {
  it('is short: a holder killed mid-drain (no renewal) frees its pair within DELIVERY_LEASE_MS', async () => {
    expect(DELIVERY_LEASE_MS).toBeLessThanOrEqual(5_000);
    const ttl = 600; // the same code path, scaled down so the test stays fast
    const lock = createPairLock(redis, prefix, ttl);
    const dead = await lock.acquireUnlessDone('c1:v1', 'ob_1');
    expect(typeof dead).toBe('string');
    // Another worker's job finds the pair held (and flags it)…
    expect(await lock.acquireUnlessDone('c1:v1', 'ob_2')).toBeNull();
    // …and takes it over once the dead holder's lease lapsed.
    let next: string | 'done' | null = null;
    const took = await waitFor(async () => (next = await lock.acquireUnlessDone('c1:v1', 'ob_2')) !== null, 5_000);
    expect(took).toBeLessThan(ttl + 500);
    expect(next).not.toBe(dead);
  });

  it('a live holder keeps it through a step longer than the TTL (keepAlive), then lets go', async () => {
    const ttl = 300;
    const lock = createPairLock(redis, prefix, ttl);
    const token = await lock.acquireUnlessDone('c2:v2', 'ob_1');
    if (token === null || token === 'done') throw new Error('expected the lease');
    const stop = lock.keepAlive('c2:v2', token);
    await new Promise((r) => setTimeout(r, ttl * 4)); // one long platform call
    expect(await lock.acquireUnlessDone('c2:v2', 'ob_2')).toBeNull();
    stop();
    // The flag set by that job outlives the short lease: the holder drains once more instead of dropping ob_2.
    expect(await lock.releaseIfClean('c2:v2', token)).toBe(false);
    expect(await lock.releaseIfClean('c2:v2', token)).toBe(true);
    expect(typeof (await lock.acquireUnlessDone('c2:v2', 'ob_3'))).toBe('string');
  });
});
