// Property-based tests of the inbound webhook routes, called in-process exactly as Next calls them, over the real
// Postgres and Redis: hostile bodies (malformed JSON, wrong types, near-valid updates with one spot made hostile,
// oversize, prototype keys) signed with the real secret or key so the parser is reached, and hostile or missing
// signatures. The answer is always 2xx or 4xx, never 5xx, and a refused delivery stores nothing.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptSecret, parseKeyRing, randomToken, sha256 } from '@pocketping/core';
import { createConnection, createProject, TOO_DEEP } from '@pocketping/db';
import { computeSlackSignature } from '@pocketping/bridges';
import { freePort, signStripePayload, testEncryptionKey } from '@pocketping/testkit';
import { fc, fuzzParams, hostileJson, hostileString, mutationsOf } from '@pocketping/testkit/fuzz';
import { setupWebTestEnv, TEST_AUTH_SECRET, TEST_WEB_URL, type TWebTestEnv } from './server/testing/web-test-env';

const RUNS = 100;

const SLACK_SIGNING_SECRET = randomBytes(16).toString('hex');
const STRIPE_WEBHOOK_SECRET = `whsec_${randomBytes(16).toString('hex')}`;
const discordKeys = generateKeyPairSync('ed25519');
// The raw 32 key bytes follow a 12-byte DER prefix in an Ed25519 SubjectPublicKeyInfo.
const DISCORD_PUBLIC_KEY = discordKeys.publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');

const TG_CHAT = -1001234567890;
const SLACK_TEAM = 'T0FUZZ01';
const SLACK_CHANNEL = 'C0FUZZ01';

let env: TWebTestEnv;
let telegram: { connectionId: string; secret: string };
let fuzzOrg: { organizationId: string; projectId: string; userId: string; cookie: string };
let routes: {
  telegram: (req: Request, ctx: { params: Promise<{ connectionId: string }> }) => Promise<Response>;
  slack: (req: Request) => Promise<Response>;
  discord: (req: Request) => Promise<Response>;
  stripe: (req: Request) => Promise<Response>;
};

beforeAll(async () => {
  // Every platform API points at a closed port: a callback that gets as far as a platform call fails fast.
  const closed = `http://127.0.0.1:${await freePort()}`;
  env = await setupWebTestEnv({
    SLACK_SIGNING_SECRET,
    DISCORD_PUBLIC_KEY,
    TELEGRAM_API_ROOT: closed,
    SLACK_API_URL: `${closed}/api/`,
    DISCORD_API_URL: `${closed}/api`,
    SLACK_CLIENT_ID: '1234567890.1234567890',
    SLACK_CLIENT_SECRET: randomBytes(16).toString('hex'),
    DISCORD_APPLICATION_ID: '123456789012345678',
    DISCORD_BOT_TOKEN: randomBytes(40).toString('base64url'),
    DISCORD_CLIENT_SECRET: 'discord-client-secret',
    // Stripe itself is never called by the webhook route (the worker re-reads); a closed port keeps it that way.
    STRIPE_SECRET_KEY: `sk_test_${randomBytes(12).toString('hex')}`,
    STRIPE_WEBHOOK_SECRET,
    STRIPE_API_HOST: '127.0.0.1',
    STRIPE_API_PORT: closed.split(':').pop()!,
    STRIPE_API_PROTOCOL: 'http',
  });
  const { db } = await env.app();
  const owner = await env.createUser();
  const org = await env.createOrg(owner.id, 'Fuzz');
  const project = await createProject(db, org.id, { name: 'Fuzz site', allowedOrigins: ['https://fuzz.test'] });
  const ring = parseKeyRing(testEncryptionKey());
  const secret = randomToken('', 32);
  const tg = await createConnection(db, org.id, {
    projectId: project.id,
    kind: 'telegram',
    sealedCredentials: encryptSecret(
      ring,
      JSON.stringify({ botToken: `123456789:${randomToken('', 27)}`, webhookSecret: secret }),
    ),
    webhookSecretHash: sha256(secret),
    targetId: String(TG_CHAT),
  });
  await createConnection(db, org.id, {
    projectId: project.id,
    kind: 'slack',
    sealedCredentials: encryptSecret(
      ring,
      JSON.stringify({ botToken: 'xoxb-1-2-abcdefghijkl', teamId: SLACK_TEAM, botUserId: 'U0BOT001' }),
    ),
    targetId: SLACK_CHANNEL,
    targetScope: SLACK_TEAM,
  });
  telegram = { connectionId: tg.id, secret };
  fuzzOrg = {
    organizationId: org.id,
    projectId: project.id,
    userId: owner.id,
    cookie: await env.sessionCookie(owner.id),
  };
  // The one catch-all webhook route, with the params Next gives it for each platform's URL.
  const { POST } = await import('./app/api/webhooks/[kind]/[[...path]]/route');
  const stripeRoute = await import('./app/api/webhooks/stripe/route');
  routes = {
    stripe: (req) => stripeRoute.POST(req as never),
    telegram: (req, { params }) =>
      POST(req as never, { params: params.then(({ connectionId }) => ({ kind: 'telegram', path: [connectionId] })) }),
    slack: (req) => POST(req as never, { params: Promise.resolve({ kind: 'slack' }) }),
    discord: (req) => POST(req as never, { params: Promise.resolve({ kind: 'discord' }) }),
  };
}, 180_000);

afterAll(async () => env?.close());

const storedRows = async () => {
  const { db } = await env.app();
  const [inbound, messages, outbox, stripeEvents, billing] = await Promise.all([
    db.inboundEvent.count(),
    db.message.count(),
    db.outboxEvent.count(),
    db.stripeEvent.count(),
    db.organizationBilling.count(),
  ]);
  return { inbound, messages, outbox, stripeEvents, billing };
};

/** A body as the platform would send it: mostly JSON, sometimes bytes that are not JSON at all. */
function bodies(samples: unknown[]): fc.Arbitrary<string> {
  const json = fc
    .oneof(
      { arbitrary: hostileJson(), weight: 1 },
      { arbitrary: fc.oneof(...samples.map((s) => mutationsOf(s))), weight: 3 },
    )
    .map((v) => JSON.stringify(v) ?? 'null');
  const broken = fc.oneof(
    hostileString(200),
    json.chain((s) => fc.nat({ max: Math.max(0, s.length - 1) }).map((n) => s.slice(0, n))), // truncated
    fc.constantFrom('{', '[', '{"update_id":', '\u0000', '{"a":1}{"a":2}', '\uFEFF{}', '{"__proto__":{"polluted":1}}'),
  );
  return fc.oneof({ arbitrary: json, weight: 4 }, { arbitrary: broken, weight: 1 });
}

/**
 * Calls a route and checks the two invariants; returns the status for further checks. `platformCalls`: the route may
 * reach a chat platform (here a closed port), and a 503 `unavailable` saying so is an answer, not a crash.
 */
async function expectHandled(call: () => Promise<Response>, what: string, platformCalls = false): Promise<number> {
  const before = await storedRows();
  const res = await call();
  const text = await res.text();
  const platformDown =
    platformCalls &&
    res.status === 503 &&
    (JSON.parse(text) as { error?: { code?: string } }).error?.code === 'unavailable';
  if (!platformDown) expect(res.status, `${what} answered ${res.status}: ${text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400)
    expect(await storedRows(), `${what} refused (${res.status}) but stored something`).toEqual(before);
  expect(Object.prototype).not.toHaveProperty('polluted');
  return res.status;
}

const tgMessage = {
  message_id: 7,
  message_thread_id: 42,
  is_topic_message: true,
  from: { id: 1001, is_bot: false, first_name: 'Sarah' },
  chat: { id: TG_CHAT, type: 'supergroup', is_forum: true },
  date: 1_764_000_000,
  text: 'Hello from Telegram',
  photo: [{ file_id: 'ph1', file_size: 10, width: 90, height: 90 }],
};
const telegramSamples = [
  { update_id: 1, message: tgMessage },
  { update_id: 2, edited_message: tgMessage },
];

describe('POST /api/webhooks/telegram/:connectionId', () => {
  const post = (body: string, headers: Record<string, string>, connectionId = telegram.connectionId) =>
    // The hostile id goes where Next puts the decoded path segment: the params.
    routes.telegram(
      new Request(`${TEST_WEB_URL}/api/webhooks/telegram/id`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      }),
      {
        params: Promise.resolve({ connectionId }),
      },
    );

  it('with the right secret: any body is answered 2xx/4xx, a refused one stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(bodies(telegramSamples), async (body) => {
        await expectHandled(() => post(body, { 'x-telegram-bot-api-secret-token': telegram.secret }), 'telegram');
      }),
      fuzzParams(RUNS),
    );
  });

  it('with a hostile secret header or connection id: never 5xx, never stored', async () => {
    const header = fc.option(fc.string({ maxLength: 300 }), { nil: undefined });
    const connectionId = fc.oneof(
      fc.constant('CONN'),
      hostileString(60).filter((s) => s.length > 0),
    );
    await fc.assert(
      fc.asyncProperty(header, connectionId, fc.constantFrom(...telegramSamples), async (secret, id, sample) => {
        const status = await expectHandled(
          () =>
            post(
              JSON.stringify(sample),
              secret === undefined ? {} : { 'x-telegram-bot-api-secret-token': secret },
              id === 'CONN' ? telegram.connectionId : id,
            ),
          'telegram (hostile secret)',
        );
        expect([401, 404]).toContain(status);
      }),
      fuzzParams(50),
    );
  });
});

const slackMessage = {
  type: 'message',
  channel: SLACK_CHANNEL,
  user: 'U0OPER01',
  ts: '1700000001.000200',
  thread_ts: '1700000000.000100',
  text: 'Hi',
  user_profile: { display_name: 'Sam' },
};
const slackSamples = [
  { type: 'event_callback', team_id: SLACK_TEAM, event_id: 'Ev0001', event_time: 1_700_000_000, event: slackMessage },
  { type: 'event_callback', team_id: SLACK_TEAM, event_id: 'Ev0002', event: { type: 'app_uninstalled' } },
  { type: 'url_verification', challenge: 'abc' },
];

describe('POST /api/webhooks/slack', () => {
  const post = (body: string, headers: Record<string, string>) =>
    routes.slack(
      new Request(`${TEST_WEB_URL}/api/webhooks/slack`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      }),
    );
  const signed = (body: string) => {
    const ts = String(Math.floor(Date.now() / 1000));
    return {
      'x-slack-request-timestamp': ts,
      'x-slack-signature': computeSlackSignature(SLACK_SIGNING_SECRET, ts, body),
    };
  };

  it('validly signed: any body is answered 2xx/4xx, a refused one stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(bodies(slackSamples), async (body) => {
        await expectHandled(() => post(body, signed(body)), 'slack');
      }),
      fuzzParams(RUNS),
    );
  });

  it('hostile signature headers: 401, nothing stored', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...slackSamples),
        fc.option(fc.string({ maxLength: 100 })),
        fc.option(fc.string({ maxLength: 100 })),
        async (sample, ts, sig) => {
          const headers: Record<string, string> = {};
          if (ts !== null) headers['x-slack-request-timestamp'] = ts;
          if (sig !== null) headers['x-slack-signature'] = sig;
          expect(await expectHandled(() => post(JSON.stringify(sample), headers), 'slack (hostile signature)')).toBe(
            401,
          );
        },
      ),
      fuzzParams(50),
    );
  });
});

const discordSamples = [
  { type: 1 },
  { type: 2, id: '123456789012345678', data: { name: 'x' } },
  { type: 3, id: '1', data: { custom_id: 'c' } },
];

describe('POST /api/webhooks/discord', () => {
  const post = (body: string, headers: Record<string, string>) =>
    routes.discord(
      new Request(`${TEST_WEB_URL}/api/webhooks/discord`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      }),
    );
  const signed = (body: string) => {
    const ts = String(Math.floor(Date.now() / 1000));
    return {
      'x-signature-timestamp': ts,
      'x-signature-ed25519': sign(null, Buffer.from(ts + body, 'utf8'), discordKeys.privateKey).toString('hex'),
    };
  };

  it('validly signed: any body is answered 2xx/4xx and nothing is stored', async () => {
    await fc.assert(
      fc.asyncProperty(bodies(discordSamples), async (body) => {
        const before = await storedRows();
        await expectHandled(() => post(body, signed(body)), 'discord');
        expect(await storedRows()).toEqual(before);
      }),
      fuzzParams(RUNS),
    );
  });

  it('hostile signature headers: 401', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...discordSamples),
        fc.option(fc.string({ maxLength: 140 })),
        fc.option(fc.string({ maxLength: 20 })),
        async (sample, sig, ts) => {
          const headers: Record<string, string> = {};
          if (sig !== null) headers['x-signature-ed25519'] = sig;
          if (ts !== null) headers['x-signature-timestamp'] = ts;
          expect(await expectHandled(() => post(JSON.stringify(sample), headers), 'discord (hostile signature)')).toBe(
            401,
          );
        },
      ),
      fuzzParams(50),
    );
  });
});

const stripeSamples = [
  {
    id: 'evt_1Fuzz0001',
    object: 'event',
    type: 'customer.subscription.updated',
    created: 1_764_000_000,
    livemode: false,
    data: { object: { id: 'sub_fuzz1', object: 'subscription', customer: 'cus_fuzz1', status: 'active' } },
  },
  {
    id: 'evt_1Fuzz0002',
    object: 'event',
    type: 'invoice.payment_failed',
    created: 1_764_000_000,
    data: { object: { id: 'in_fuzz1', object: 'invoice', customer: 'cus_fuzz1' } },
  },
  {
    id: 'evt_1Fuzz0003',
    object: 'event',
    type: 'checkout.session.completed',
    created: 1_764_000_000,
    data: { object: { id: 'cs_fuzz1', object: 'checkout.session', customer: 'cus_fuzz1', metadata: {} } },
  },
];

describe('POST /api/webhooks/stripe', () => {
  const post = (body: string, headers: Record<string, string>) =>
    routes.stripe(
      new Request(`${TEST_WEB_URL}/api/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      }),
    );
  const now = () => Math.floor(Date.now() / 1000);
  const signed = (body: string, at = now()) => ({
    'stripe-signature': signStripePayload(body, STRIPE_WEBHOOK_SECRET, at),
  });
  /** A well-formed event with a fresh id (the samples' ids are taken by the property runs). */
  const freshEvent = () =>
    JSON.stringify({ ...stripeSamples[0], id: `evt_${randomBytes(10).toString('hex')}`, created: now() });

  it('validly signed: any body is answered 2xx/4xx, a refused one stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(bodies(stripeSamples), async (body) => {
        await expectHandled(() => post(body, signed(body)), 'stripe');
      }),
      fuzzParams(RUNS),
    );
  });

  it('hostile signature headers: 400, nothing stored', async () => {
    await fc.assert(
      fc.asyncProperty(fc.option(fc.string({ maxLength: 200 })), async (sig) => {
        const body = freshEvent();
        const res = await expectHandled(
          () => post(body, sig === null ? {} : { 'stripe-signature': sig }),
          'stripe (hostile signature)',
        );
        expect(res).toBe(400);
      }),
      fuzzParams(50),
    );
    // Near misses: the right scheme with another secret, another body, or a v0 signature only.
    const body = freshEvent();
    const t = now();
    const near = [
      signStripePayload(body, 'whsec_not_the_secret', t),
      signStripePayload(`${body} `, STRIPE_WEBHOOK_SECRET, t),
      signStripePayload(body, STRIPE_WEBHOOK_SECRET, t).replace('v1=', 'v0='),
      `t=${t}`,
    ];
    for (const sig of near)
      expect(await expectHandled(() => post(body, { 'stripe-signature': sig }), 'stripe (near miss)')).toBe(400);
  });

  it('oversized (even when signed): 413, nothing stored', async () => {
    const body = JSON.stringify({ ...JSON.parse(freshEvent()), pad: 'x'.repeat(600 * 1024) });
    expect(await expectHandled(() => post(body, signed(body)), 'stripe (oversized)')).toBe(413);
  });

  it('replays: the same delivery again is stored once; a replay outside the tolerance is refused', async () => {
    const { db } = await env.app();
    const body = freshEvent();
    const id = (JSON.parse(body) as { id: string }).id;
    const headers = signed(body);
    expect(await expectHandled(() => post(body, headers), 'stripe (first)')).toBe(200);
    const before = await storedRows();
    const again = await post(body, headers);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ received: true, duplicate: true });
    expect(await storedRows()).toEqual(before);
    expect(await db.stripeEvent.count({ where: { id } })).toBe(1);
    // Captured and replayed later (its signature's timestamp an hour old), with a new id: refused, not stored.
    const late = freshEvent();
    const res = await post(late, signed(late, now() - 3600));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe(
      'stale_timestamp',
    );
    expect(await storedRows()).toEqual(before);
  });
});

describe('OAuth callbacks (Slack, Discord) under hostile query strings', () => {
  it('any code/state/error: an answer or a redirect, never 5xx, nothing stored', async () => {
    const { NextRequest } = await import('next/server');
    const { GET } = await import('./app/api/integrations/[kind]/[...action]/route');
    const slack = (req: Parameters<typeof GET>[0]) =>
      GET(req, { params: Promise.resolve({ kind: 'slack', action: ['callback'] }) });
    const discord = (req: Parameters<typeof GET>[0]) =>
      GET(req, { params: Promise.resolve({ kind: 'discord', action: ['callback'] }) });
    const { signInstallState, signDiscordState } = await import('@pocketping/bridges');
    const { signState } = await import('./server/signed-state');
    // The chat apps sign their OAuth state through the web app's port: AUTH_SECRET's signed state.
    const signer = {
      signState: (purpose: string, fields: Record<string, unknown>, ttl: number, nowMs?: number) =>
        signState(TEST_AUTH_SECRET, purpose, fields, ttl, nowMs),
    };
    // Validly signed states too, so the flows get past the state check and meet the hostile code.
    const signed = [
      signInstallState(signer, {
        organizationId: fuzzOrg.organizationId,
        projectId: fuzzOrg.projectId,
        channelId: null,
      }),
      signInstallState(signer, {
        organizationId: fuzzOrg.organizationId,
        projectId: fuzzOrg.projectId,
        channelId: SLACK_CHANNEL,
        userId: fuzzOrg.userId,
      }),
      signDiscordState(signer, {
        organizationId: fuzzOrg.organizationId,
        projectId: fuzzOrg.projectId,
        userId: fuzzOrg.userId,
      }),
    ];
    const param = fc.option(fc.oneof(hostileString(200), fc.constant('x'.repeat(5_000))), { nil: undefined });
    const stateParam = fc.oneof(param, fc.constantFrom(...signed));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('slack', 'discord'),
        param,
        stateParam,
        param,
        async (which, code, state, error) => {
          const url = new URL(`${TEST_WEB_URL}/api/integrations/${which}/callback`);
          // URLSearchParams cannot carry a lone surrogate; the browser would have percent-encoded bytes instead.
          for (const [k, v] of Object.entries({ code, state, error }))
            if (v !== undefined) url.searchParams.set(k, v.replace(/[\uD800-\uDFFF]/g, '\uFFFD'));
          await expectHandled(
            () => (which === 'slack' ? slack : discord)(new NextRequest(url, { headers: { cookie: fuzzOrg.cookie } })),
            `${which} callback`,
            true,
          );
        },
      ),
      fuzzParams(60),
    );
  });
});

// Counterexamples the fuzzers found, kept as plain regression tests.
describe('regressions found by fuzzing', () => {
  it('a signed Slack event nested a thousand levels deep is stored (cut at the depth limit), not a 500', async () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 1_000; i++) deep = i % 2 ? { a: deep } : [deep];
    const body = JSON.stringify({ ...slackSamples[1], event_id: 'EvDeep1', prototype: deep });
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await routes.slack(
      new Request(`${TEST_WEB_URL}/api/webhooks/slack`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-slack-request-timestamp': ts,
          'x-slack-signature': computeSlackSignature(SLACK_SIGNING_SECRET, ts, body),
        },
        body,
      }),
    );
    expect(res.status).toBe(200);
    const { db } = await env.app();
    const row = await db.inboundEvent.findFirstOrThrow({ where: { externalId: 'EvDeep1' } });
    expect(JSON.stringify(row.payload)).toContain(TOO_DEEP);
  });

  it('a Telegram update whose text holds NUL and a lone surrogate is stored with U+FFFD instead, not a 500', async () => {
    const body = JSON.stringify({
      update_id: 777_001,
      message: { ...tgMessage, text: 'a\u0000b\uD800c', from: { ...tgMessage.from, first_name: 'x\uDC00' } },
    });
    const res = await routes.telegram(
      new Request(`${TEST_WEB_URL}/api/webhooks/telegram/id`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': telegram.secret },
        body,
      }),
      { params: Promise.resolve({ connectionId: telegram.connectionId }) },
    );
    expect(res.status).toBe(200);
    const { db } = await env.app();
    const row = await db.inboundEvent.findFirstOrThrow({ where: { externalId: '777001' } });
    expect((row.payload as { message: { text: string } }).message.text).toBe('a\uFFFDb\uFFFDc');
  });

  it('a signed Slack event whose team_id is a lone surrogate or holds NUL is answered 200 (no such workspace), not a 500', async () => {
    for (const teamId of ['\uD800', 'T\u0000']) {
      const body = JSON.stringify({ ...slackSamples[1], team_id: teamId, event_id: `EvBadTeam${teamId.length}` });
      const ts = String(Math.floor(Date.now() / 1000));
      const res = await routes.slack(
        new Request(`${TEST_WEB_URL}/api/webhooks/slack`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-slack-request-timestamp': ts,
            'x-slack-signature': computeSlackSignature(SLACK_SIGNING_SECRET, ts, body),
          },
          body,
        }),
      );
      expect(res.status).toBe(200);
    }
  });
});
