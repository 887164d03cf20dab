// Redis Cluster readiness: every MULTI, Lua script and MGET of the code touches keys of ONE slot (a multi-slot call
// fails there with CROSSSLOT), because the keys used together carry the same hash tag. Slots are computed here the way
// Redis does (CRC16 of the tag, mod 16384) and checked against values Redis itself gives (CLUSTER KEYSLOT).
import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import {
  QUEUES,
  bullPrefix,
  clusterSlot,
  createPairLock,
  hashTag,
  operatorPresenceKey,
  pairLockKeys,
  visitorConnectionKeys,
} from '@pocketping/jobs';
import { limitsRedisKeys } from '@pocketping/billing';
import { createRateLimiter } from '../../apps/realtime/src/rate-limit.js';

const sameSlot = (keys: string[]) => new Set(keys.map(clusterSlot)).size === 1;

describe('Redis Cluster key layout', () => {
  it('computes slots like Redis (CLUSTER KEYSLOT), hash tags included', () => {
    expect(clusterSlot('foo')).toBe(12182);
    expect(clusterSlot('123456789')).toBe(12739);
    expect(clusterSlot('{user1000}.following')).toBe(clusterSlot('{user1000}.followers'));
    expect(clusterSlot('{}foo')).not.toBe(clusterSlot('foo')); // an empty tag: the whole key is hashed
    expect(hashTag('a{b}c')).toBe('{a_b_c}');
  });

  it("a delivery pair's lease, flag, done hints and posting marker share the pair's slot", () => {
    const k = pairLockKeys('pp');
    const pair = 'conn_1:conv_1';
    expect(sameSlot([k.lock(pair), k.flag(pair), k.done(pair, 'ob_1'), k.done(pair, 'ob_2'), k.posting(pair)])).toBe(
      true,
    );
    // …and different pairs spread over the cluster.
    const slots = new Set(Array.from({ length: 50 }, (_, i) => clusterSlot(k.lock(`conn_1:conv_${i}`))));
    expect(slots.size).toBeGreaterThan(40);
  });

  it('the lease scripts are given keys of one slot', async () => {
    const calls: string[][] = [];
    const redis = {
      on: () => undefined,
      eval: async (_script: string, n: number, ...rest: string[]) => {
        calls.push(rest.slice(0, n));
        return null;
      },
    } as unknown as Redis;
    const lock = createPairLock(redis, 'pp');
    await lock.acquireUnlessDone('conn_1:conv_1', 'ob_1');
    await lock.releaseIfClean('conn_1:conv_1', 'token');
    expect(calls).toHaveLength(2);
    for (const keys of calls) expect(sameSlot(keys)).toBe(true);
  });

  it("a visitor's connection count and generation share a slot; the node heartbeats (one EXISTS) share one", () => {
    const k = visitorConnectionKeys('pp');
    expect(sameSlot([k.counts('v_1'), k.generation('v_1')])).toBe(true);
    expect(sameSlot(['node-a', 'node-b', 'node-c'].map(k.node))).toBe(true);
  });

  it('operator presence keys (read with one MGET for many projects) share a slot', () => {
    expect(sameSlot(['p_1', 'p_2', 'p_3'].map((p) => operatorPresenceKey('pp', p)))).toBe(true);
  });

  it("an organization's billing state and monthly counters share its slot", () => {
    const k = limitsRedisKeys('pp');
    const period = { key: '2026-12' };
    expect(
      sameSlot([
        k.state('org_1'),
        k.counter('org_1', period, 'conversations'),
        k.counter('org_1', period, 'aiReplies'),
        k.counter('org_1', period, 'aiTokens'),
      ]),
    ).toBe(true);
  });

  it("realtime's all-or-nothing event limit counts address, visitor and project in one slot", async () => {
    const calls: string[][] = [];
    const redis = {
      eval: async (_script: string, n: number, ...rest: string[]) => {
        calls.push(rest.slice(0, n));
        return -1;
      },
    } as unknown as Redis;
    const limiter = createRateLimiter(redis, 'pp:rl');
    await limiter.hitAll([
      { key: 'ev:ip:203.0.113.9', limit: 10, windowSec: 10 },
      { key: 'message:send:visitor:v_1', limit: 10, windowSec: 60 },
      { key: 'message:send:project:p_1', limit: 10, windowSec: 60 },
    ]);
    expect(calls).toHaveLength(1);
    expect(sameSlot(calls[0]!)).toBe(true);
  });

  it('with REDIS_CLUSTER=on every key of a BullMQ queue shares one slot (the `{…}` prefix); off, the keys stay as they were', () => {
    const on = bullPrefix({ url: 'redis://x', prefix: 'pp', cluster: true });
    expect(on).toBe('{pp:bull}');
    expect(
      sameSlot(['wait', 'active', 'delayed', 'id', 'job-1', 'events'].map((s) => `${on}:${QUEUES.delivery}:${s}`)),
    ).toBe(true);
    expect(bullPrefix({ url: 'redis://x', prefix: 'pp' })).toBe('pp:bull');
  });
});
