// Abuse limits that must not turn into a lockout of everyone else: one abuser exhausts only their own budget.
import { afterEach, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { createRedis } from '@pocketping/jobs';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '@pocketping/testkit';
import type { TOkAck, TSendAck } from '@pocketping/protocol';
import { createRateLimiter } from '../../apps/realtime/src/rate-limit.js';
import { enforceLimits } from '../../apps/realtime/src/widget/handle.js';
import { clientId, connectWidget, startHarness, type THarness } from './realtime-harness.js';

let h: THarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The limits are fixed one-minute windows: start a burst well inside one so it cannot straddle two. */
async function insideOneWindow(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 10_000) await new Promise((r) => setTimeout(r, left + 50));
}

const outcome = (p: Promise<{ close(): void }>) =>
  p.then(
    (c) => (c.close(), 'connected'),
    (err: { data?: { code?: string } }) => err.data?.code ?? 'error',
  );

describe('limits key on the abuser, not on everyone', () => {
  it('a refused attempt spends nobody else’s budget (all-or-nothing counters)', async () => {
    const redis = createRedis(TEST_REDIS_URL, 'worker');
    try {
      const limiter = createRateLimiter(redis, uniqueRedisPrefix());
      await insideOneWindow();
      const shared = { key: 'project:p1', limit: 5, windowSec: 60 };
      const results: number[] = [];
      for (let i = 0; i < 20; i++)
        results.push(await limiter.hitAll([{ key: 'visitor:abuser', limit: 2, windowSec: 60 }, shared]));
      expect(results.filter((r) => r === -1)).toHaveLength(2);
      expect(results.filter((r) => r === 0)).toHaveLength(18);
      // The project's budget holds the abuser's 2 accepted hits only: others still have 3.
      for (const v of ['a', 'b', 'c'])
        expect(await limiter.hitAll([{ key: `visitor:${v}`, limit: 2, windowSec: 60 }, shared])).toBe(-1);
      expect(await limiter.hitAll([{ key: 'visitor:d', limit: 2, windowSec: 60 }, shared])).toBe(1);
    } finally {
      redis.disconnect();
    }
  });

  it('the project cap on events counts only visitors without a conversation: ongoing conversations keep working', async () => {
    const redis = createRedis(TEST_REDIS_URL, 'worker');
    try {
      const limiter = createRateLimiter(redis, uniqueRedisPrefix());
      await insideOneWindow();
      const limits = { visitor: [20, 10], project: [3, 60] } as const;
      const send = (visitorId: string, established: boolean) =>
        enforceLimits(limiter, 'message:send', limits, {
          visitorId,
          projectId: 'p1',
          ip: `203.0.113.${visitorId.length}`,
          established,
        }).then(
          () => 'ok',
          (e: { code?: string }) => e.code ?? 'error',
        );
      // A flood of fresh visitors trips the breaker…
      const fresh = [];
      for (let i = 0; i < 6; i++) fresh.push(await send(`new-${i}`, false));
      expect(fresh).toEqual(['ok', 'ok', 'ok', 'rate_limited', 'rate_limited', 'rate_limited']);
      // …while a visitor already in a conversation still sends (their own budget only).
      for (let i = 0; i < 5; i++) expect(await send('talking', true)).toBe('ok');
    } finally {
      redis.disconnect();
    }
  });

  it('IPv6 addresses of one /64 share one connection budget; other visitors of the project still connect', async () => {
    h = await startHarness({ connectionLimits: { perIp: 3, perProject: 6 }, trustProxyHops: 1 });
    const t = await h.tenant();
    await insideOneWindow();
    const from = (ip: string) => outcome(connectWidget(h!.url, { ...t, headers: { 'x-forwarded-for': ip } }));
    // The abuser rotates through addresses of their /64.
    const abuser: string[] = [];
    for (let i = 1; i <= 12; i++) abuser.push(await from(`2001:db8:66:1::${i.toString(16)}`));
    expect(abuser.filter((r) => r === 'connected')).toHaveLength(3);
    expect(abuser.filter((r) => r === 'rate_limited')).toHaveLength(9);
    // Visitors elsewhere are unaffected: the project's budget was spent by 3 accepted connections only.
    expect(await from('2001:db8:77:1::1')).toBe('connected');
    expect(await from('203.0.113.20')).toBe('connected');
    expect(await from('203.0.113.21')).toBe('connected');
  });

  it('the project breaker refuses new visitors only: a returning visitor reconnects and keeps chatting', async () => {
    h = await startHarness({ connectionLimits: { perIp: 100, perProject: 3 }, trustProxyHops: 1 });
    const t = await h.tenant();
    await insideOneWindow();
    const first = await connectWidget(h.url, { ...t, headers: { 'x-forwarded-for': '203.0.113.1' } });
    const sent = await first.ack<TSendAck>('message:send', { clientId: clientId(), body: 'hello before the flood' });
    expect(sent.ok).toBe(true);
    first.close();
    // A flood of fresh visitors from many addresses trips the breaker.
    const flood: string[] = [];
    for (let i = 2; i <= 10; i++)
      flood.push(await outcome(connectWidget(h.url, { ...t, headers: { 'x-forwarded-for': `198.51.100.${i}` } })));
    expect(flood.filter((r) => r === 'connected')).toHaveLength(2);
    expect(flood.slice(-1)).toEqual(['rate_limited']);
    // The visitor who was already talking comes back (new tab, reconnect) and sends.
    const again = await connectWidget(h.url, {
      ...t,
      visitorToken: first.session.visitorToken!,
      headers: { 'x-forwarded-for': '203.0.113.1' },
    });
    expect(again.session.conversationId).toBe(sent.ok ? sent.message.conversationId : null);
    const more = await again.ack<TSendAck>('message:send', { clientId: clientId(), body: 'still here' });
    expect(more.ok).toBe(true);
    again.close();
  });

  it('a trigger() / pre-chat note is capped to one post; records with too many entries are refused', async () => {
    h = await startHarness();
    const t = await h.tenant({ withBridge: true });
    const c = await connectWidget(h.url, t);
    const big = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key${i}`, 'x'.repeat(500)]));
    expect(await c.ack<TOkAck>('event', { name: 'flood', data: big })).toEqual({ ok: true });
    expect(
      await c.ack<TOkAck>('prechat', {
        name: 'Eve',
        fields: Object.fromEntries(Object.entries(big).map(([k, v]) => [k, v + v])),
      }),
    ).toEqual({ ok: true });
    const notes = await h.db.message.findMany({
      where: { organizationId: t.organizationId, visibility: 'internal' },
      orderBy: { seq: 'asc' },
    });
    expect(notes).toHaveLength(2);
    for (const n of notes) {
      expect(n.body.length).toBeLessThanOrEqual(1_500);
      expect(n.body.endsWith('… (cut)')).toBe(true);
    }
    expect(notes[0]!.body.startsWith('Event: flood\nkey0: xxx')).toBe(true);
    // The pre-chat answers themselves are kept in full on the conversation.
    const conversation = await h.db.conversation.findFirstOrThrow({ where: { organizationId: t.organizationId } });
    expect(Object.keys((conversation.preChat as { fields: Record<string, string> }).fields)).toHaveLength(50);
    const tooMany = { ...big, key50: 'one more' };
    expect(await c.ack<TOkAck>('event', { name: 'flood', data: tooMany })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    c.close();
  });

  it('transport handshakes that never reach a namespace are limited per address (/64) too', async () => {
    h = await startHarness({ trustProxyHops: 1 });
    await insideOneWindow();
    const handshake = (ip: string) =>
      fetch(`${h!.url}/socket.io/?EIO=4&transport=polling`, { headers: { 'x-forwarded-for': ip } }).then(
        async (r) => (await r.arrayBuffer(), r.status),
      );
    const statuses: number[] = [];
    // 240 a minute per address (twice the widget's per-address connection limit, at least 240).
    for (let i = 0; i < 245; i++) statuses.push(await handshake(`2001:db8:99:1::${(i + 1).toString(16)}`));
    expect(statuses.slice(0, 240).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(240).every((s) => s === 403)).toBe(true);
    // Another address is not affected.
    expect(await handshake('203.0.113.99')).toBe(200);
  });

  it('the root namespace refuses every connection', async () => {
    h = await startHarness();
    const socket = io(`${h.url}/`, { transports: ['websocket'], reconnection: false, forceNew: true });
    const err = await new Promise<{ data?: { code?: string } }>((resolve, reject) => {
      socket.once('connect', () => reject(new Error('the root namespace accepted a connection')));
      socket.once('connect_error', resolve);
    });
    socket.close();
    expect(err.data?.code).toBe('forbidden');
  });
});
