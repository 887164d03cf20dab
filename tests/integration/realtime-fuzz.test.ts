// Property-based test of the widget socket: real socket.io clients against the real realtime server (Postgres,
// Redis) send fast-check-generated garbage for every widget event — random JSON, near-valid payloads with one spot
// made hostile, no ack, extra arguments — and hostile handshakes. The server answers every event with an ack (ok, or
// a documented error code, never `internal`), stores nothing for a refused one, keeps the sender connected unless
// the frame is over the size cap, and a bystander on the same project never notices.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { io } from 'socket.io-client';
import { waitFor } from '@pocketping/testkit';
import { fc, fuzzParams, hostileJson, hostileString, mutationsOf } from '@pocketping/testkit/fuzz';
import type { TSendAck } from '@pocketping/protocol';
import {
  clientId,
  connectWidget,
  startHarness,
  type THarness,
  type TTenant,
  type TWidgetClient,
} from './realtime-harness.js';

/** socket.io's maxHttpBufferSize on the realtime server: a bigger frame closes that one socket. */
const MAX_FRAME_BYTES = 64 * 1024;
/** Per-visitor limits are a handful per minute for some events: a fresh visitor (and address) every few calls. */
const CALLS_PER_VISITOR = 4;
const ERROR_CODES = ['bad_request', 'unauthorized', 'forbidden', 'not_found', 'payload_too_large', 'rate_limited'];

const SAMPLES: Record<string, unknown> = {
  'message:send': { clientId: 'c_fuzz_0000000001', body: 'Hello' },
  history: { afterSeq: 0, limit: 50 },
  'typing:update': { isTyping: true },
  read: { seq: 1 },
  identify: { id: 'user-1', email: 'ann@example.test', name: 'Ann', traits: { plan: 'pro', seats: 3 } },
  event: { name: 'plan.upgraded', data: { plan: 'pro', n: 2 } },
  prechat: { email: 'ann@example.test', name: 'Ann', fields: { company: 'Acme' } },
  csat: { score: 5, comment: 'great' },
  transcript: { email: 'ann@example.test' },
};
const EVENTS = Object.keys(SAMPLES);

let h: THarness;
let tenant: TTenant;
let bystander: TWidgetClient;
let ipCounter = 0;

const newVisitor = () =>
  connectWidget(h.url, {
    ...tenant,
    headers: { 'x-forwarded-for': `198.51.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}` },
  });

beforeAll(async () => {
  h = await startHarness({ trustProxyHops: 1, connectionLimits: { perIp: 1_000, perProject: 10_000 } });
  tenant = await h.tenant({
    withBridge: true,
    settings: {
      csatEnabled: true,
      preChat: { enabled: true, mode: 'after', fields: [{ name: 'company', label: 'Company' }] },
    },
  });
  bystander = await newVisitor();
  const first = await bystander.ack<TSendAck>('message:send', { clientId: clientId(), body: 'bystander here' });
  expect(first.ok).toBe(true);
}, 120_000);

afterAll(async () => {
  bystander?.close();
  await h?.close();
});

/**
 * What a visitor's events can write: the visitor row, its conversations, their messages and outbox rows. Scoped to
 * one visitor, so an event still running for another socket never shows up here.
 */
async function stored(visitorId: string): Promise<string> {
  const where = { organizationId: tenant.organizationId };
  const [visitor, conversations, messages, outbox] = await Promise.all([
    h.db.visitor.findFirst({
      where: { ...where, id: visitorId },
      select: { externalId: true, identityVerified: true, email: true, name: true, metadata: true },
    }),
    h.db.conversation.findMany({
      where: { ...where, visitorId },
      orderBy: { id: 'asc' },
      select: {
        id: true,
        status: true,
        nextSeq: true,
        visitorLastReadSeq: true,
        preChat: true,
        csatScore: true,
        csatComment: true,
      },
    }),
    h.db.message.count({ where: { ...where, conversation: { visitorId } } }),
    h.db.outboxEvent.count({ where: { ...where, message: { conversation: { visitorId } } } }),
  ]);
  return JSON.stringify({ visitor, conversations, messages, outbox });
}

/** The shapes a client can emit: a payload with an ack, a bare value, no ack at all, extra arguments. */
const emission = fc.record({
  event: fc.constantFrom(...EVENTS),
  shape: fc.constantFrom('ack', 'ack', 'ack', 'no-ack', 'extra-args'),
  random: fc.boolean(),
  seed: fc.nat(),
});

describe('widget socket under hostile payloads', () => {
  it('every event: an ack with a documented outcome, nothing stored when refused, sockets stay up', async () => {
    let socket: TWidgetClient | null = null;
    let calls = 0;
    const payloadFor = (event: string, random: boolean) => (random ? hostileJson() : mutationsOf(SAMPLES[event]));
    await fc.assert(
      fc.asyncProperty(
        emission.chain((e) => payloadFor(e.event, e.random).map((payload) => ({ ...e, payload }))),
        async ({ event, shape, payload }) => {
          if (!socket || calls++ % CALLS_PER_VISITOR === 0 || !socket.socket.connected) {
            socket?.close();
            socket = await newVisitor();
          }
          const s = socket;
          const visitorId = s.session.visitorId;
          const frameBytes = Buffer.byteLength(JSON.stringify([event, payload]) ?? '');
          if (frameBytes > MAX_FRAME_BYTES - 1_024) {
            // Over the cap: the server drops this socket (and only this one) before any handler runs.
            const before = await stored(visitorId);
            s.socket.emit(event, payload);
            await waitFor(() => !s.socket.connected, { what: 'oversize frame to close the socket' });
            expect(await stored(visitorId)).toBe(before);
            return;
          }
          if (shape === 'no-ack') {
            // Without an ack nothing comes back, and the handler may still be running when this returns: a throwaway
            // visitor, so its writes never overlap another call's check. A round trip after it proves the socket is served.
            const once = await newVisitor();
            once.socket.emit(event, payload);
            const probe = await once.ack<{ ok: boolean }>('history', { afterSeq: 0, limit: 1 });
            once.close();
            expect(probe).toHaveProperty('ok');
            return;
          }
          const before = await stored(visitorId);
          const ack =
            shape === 'extra-args'
              ? ((await s.socket.timeout(5_000).emitWithAck(event, payload, 'extra', { more: 1 })) as {
                  ok: boolean;
                  error?: { code: string };
                })
              : await s.ack<{ ok: boolean; error?: { code: string } }>(event, payload);
          if (ack.ok) return;
          expect(ERROR_CODES, `${event} answered ${JSON.stringify(ack).slice(0, 300)}`).toContain(ack.error?.code);
          expect(await stored(visitorId), `${event} refused (${JSON.stringify(ack.error)}) but stored something`).toBe(
            before,
          );
          expect(s.socket.connected).toBe(true);
        },
      ),
      fuzzParams(150),
    );
    (socket as TWidgetClient | null)?.close();
    // The bystander of the same project noticed nothing and is still served.
    expect(bystander.socket.connected).toBe(true);
    const after = await bystander.ack<TSendAck>('message:send', { clientId: clientId(), body: 'still here' });
    expect(after.ok).toBe(true);
  });

  it('hostile handshakes: connected, or refused with a documented code (never internal)', async () => {
    const auth = fc.oneof(
      hostileJson(),
      mutationsOf({
        projectKey: tenant.projectKey,
        visitorToken: `vt_${randomBytes(12).toString('hex')}`,
        pageUrl: 'https://a.test/',
        referrer: 'https://b.test/',
      }),
    );
    await fc.assert(
      fc.asyncProperty(auth, async (a) => {
        const socket = io(`${h.url}/widget`, {
          auth: (a && typeof a === 'object' && !Array.isArray(a) ? a : { projectKey: a }) as Record<string, unknown>,
          extraHeaders: { origin: tenant.origin, 'x-forwarded-for': `203.0.113.${++ipCounter % 250}` },
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
        });
        const outcome = await new Promise<{ ok: true } | { ok: false; code: string | undefined } | { ok: 'dropped' }>(
          (resolve) => {
            socket.once('session', () => resolve({ ok: true }));
            socket.once('connect_error', (err: Error & { data?: { code?: string } }) =>
              resolve({ ok: false, code: err.data?.code }),
            );
            socket.once('disconnect', () => resolve({ ok: 'dropped' }));
          },
        );
        socket.close();
        if (outcome.ok === 'dropped') {
          // Only a CONNECT frame over the size cap is dropped without an answer.
          expect(Buffer.byteLength(JSON.stringify(a) ?? '')).toBeGreaterThan(MAX_FRAME_BYTES - 1_024);
        } else if (!outcome.ok) expect(ERROR_CODES, `handshake refused with ${outcome.code}`).toContain(outcome.code);
      }),
      fuzzParams(60),
    );
    expect(bystander.socket.connected).toBe(true);
  });
});

describe('loader boot route under hostile input', () => {
  it('GET /widget/boot?key=…: any key and origin get 2xx/4xx, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(hostileString(120), fc.constant(tenant.projectKey)),
        fc.option(fc.string({ maxLength: 80 })),
        async (key, origin) => {
          const headers: Record<string, string> = { 'x-forwarded-for': `192.0.2.${++ipCounter % 250}` };
          if (origin !== null) headers.origin = origin;
          const res = await fetch(
            `${h.url}/widget/boot?key=${encodeURIComponent(key.replace(/[\uD800-\uDFFF]/g, ''))}`,
            { headers },
          );
          expect(res.status, `boot answered ${res.status}: ${await res.text()}`).toBeLessThan(500);
        },
      ),
      fuzzParams(100),
    );
  });
});

// Counterexamples the fuzzers found, kept as plain regression tests.
describe('regressions found by fuzzing', () => {
  it('text Postgres cannot store (NUL, a lone surrogate) is a bad_request naming the field, never internal, and stores nothing', async () => {
    const v = await newVisitor();
    const before = await stored(v.session.visitorId);
    const send = await v.ack<{ ok: false; error: { code: string; details: { path: string }[] } }>('message:send', {
      clientId: clientId(),
      body: 'a\u0000b',
    });
    expect(send.error.code).toBe('bad_request');
    expect(send.error.details[0]?.path).toBe('body');
    const identify = await v.ack<{ ok: false; error: { code: string; details: { path: string }[] } }>('identify', {
      id: 'user-1',
      traits: { plan: 'x\uD800' },
    });
    expect(identify.error.code).toBe('bad_request');
    expect(identify.error.details[0]?.path).toBe('traits.plan');
    const prechat = await v.ack<{ ok: false; error: { code: string } }>('prechat', { fields: { ['k\u0000']: 'v' } });
    expect(prechat.error.code).toBe('bad_request');
    expect(await stored(v.session.visitorId)).toBe(before);
    v.close();
  });

  it('a handshake whose pageUrl holds NUL is refused as bad_request, not internal', async () => {
    await expect(
      connectWidget(h.url, {
        ...tenant,
        headers: { 'x-forwarded-for': '192.0.2.77' },
        auth: { pageUrl: 'https://a.test/\u0000' },
      }),
    ).rejects.toMatchObject({ data: { code: 'bad_request' } });
  });

  it('an event sent with extra arguments is still answered (the ack is the last argument)', async () => {
    const v = await newVisitor();
    const ack = (await v.socket.timeout(5_000).emitWithAck('history', { afterSeq: 0, limit: 1 }, 'extra')) as {
      ok: boolean;
    };
    expect(ack.ok).toBe(true);
    v.close();
  });

  it('GET /widget/boot with a NUL in the key is a 400, not a 500', async () => {
    const res = await fetch(
      `${h.url}/widget/boot?key=${encodeURIComponent('pk_\u0000\u0000\u0000\u0000\u0000\u0000')}`,
      { headers: { origin: tenant.origin } },
    );
    expect(res.status).toBe(400);
  });
});
