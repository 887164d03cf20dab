import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { createRateLimiter } from './rate-limiter.js';

const redis = new Redis('redis://127.0.0.1:6379');
const prefix = `pptest_rl_${randomBytes(4).toString('hex')}`;
afterAll(() => redis.disconnect());

describe('rate limiter (token bucket in the real Redis)', () => {
  it('allows `capacity` posts at once, then says how long until the next token, and flags the waiting pair', async () => {
    const rl = createRateLimiter(redis, prefix);
    const rule = { capacity: 3, perMs: 3_000 };
    for (let i = 0; i < 3; i++)
      expect(await rl.take('chat-1', 'pair-a', rule)).toEqual({ ok: true, pairWaited: false });
    const empty = await rl.take('chat-1', 'pair-a', rule);
    expect(empty.ok).toBe(false);
    if (!empty.ok) expect(empty.waitMs).toBeGreaterThan(500);
    // Another target has its own bucket.
    expect((await rl.take('chat-2', 'pair-b', rule)).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 1_050));
    // One token refilled; the pair that waited learns it waited (→ it coalesces its backlog).
    expect(await rl.take('chat-1', 'pair-a', rule)).toEqual({ ok: true, pairWaited: true });
    await rl.clearWait('pair-a');
    expect((await rl.take('chat-1', 'pair-a', rule)).ok).toBe(false);
  });

  it('block() empties the bucket for the time a 429 asked for', async () => {
    const rl = createRateLimiter(redis, prefix);
    const rule = { capacity: 100, perMs: 1_000 };
    expect((await rl.take('chat-3', 'p', rule)).ok).toBe(true);
    await rl.block('chat-3', 'p', rule, 400);
    const r = await rl.take('chat-3', 'p', rule);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.waitMs).toBeGreaterThanOrEqual(300);
    await new Promise((res) => setTimeout(res, 450));
    expect(await rl.take('chat-3', 'p', rule)).toEqual({ ok: true, pairWaited: true });
  });
});
