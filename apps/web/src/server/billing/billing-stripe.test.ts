// Billing on Stripe end to end in-process: the web app's billing routes and Stripe webhook route, the worker's
// billing job on a real BullMQ queue, real Postgres and Redis, and the fake Stripe driven through the official SDK.
// The fake posts its signed events to a local server that hands them to the webhook route exactly as Next would.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@pocketping/core';
import { loadBillingState, recordStripeEvent } from '@pocketping/db';
import { TRIAL_DAYS, type TStripe } from '@pocketping/billing';
import { createStripeClient } from '@pocketping/billing/stripe';
import {
  signStripePayload,
  startFakeSmtp,
  startFakeStripe,
  TEST_REDIS_URL,
  waitFor,
  type TFakeSmtp,
  type TFakeStripe,
} from '@pocketping/testkit';
import { startBillingWorker } from '../../../../worker/src/billing/start-billing-worker';
import { processStripeEvent } from '../../../../worker/src/billing/process-stripe-event';
import { createUsageMailer } from '../../../../worker/src/usage/usage-mailer';
import { sweepOnce } from '../../../../worker/src/sweeper';
import { setupWebTestEnv, TEST_WEB_URL, type TWebTestEnv } from '../testing/web-test-env';
import * as webhookRoute from '../../app/api/webhooks/stripe/route';
import * as billingRoute from '../../app/api/app/orgs/[orgId]/billing/route';
import * as checkoutRoute from '../../app/api/app/orgs/[orgId]/billing/checkout/route';
import * as portalRoute from '../../app/api/app/orgs/[orgId]/billing/portal/route';

let env: TWebTestEnv;
let fake: TFakeStripe;
let relay: Server;
let worker: { close(): Promise<void> };
let stripe: TStripe;
let smtp: TFakeSmtp;
const webhookStatuses: number[] = [];

beforeAll(async () => {
  // The relay: what the fake posts is handed to the route handler untouched (same bytes, same headers).
  relay = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const request = new Request(`${TEST_WEB_URL}/api/webhooks/stripe`, {
        method: 'POST',
        headers,
        body: Buffer.concat(chunks),
      });
      webhookRoute.POST(request as never).then(
        async (r) => {
          webhookStatuses.push(r.status);
          res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text());
        },
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  fake = await startFakeStripe({
    webhookUrl: `http://127.0.0.1:${(relay.address() as AddressInfo).port}/`,
  });
  env = await setupWebTestEnv({
    STRIPE_SECRET_KEY: fake.secretKey,
    STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
    STRIPE_API_HOST: fake.host,
    STRIPE_API_PORT: String(fake.port),
    STRIPE_API_PROTOCOL: 'http',
  });
  const app = await env.app();
  stripe = createStripeClient({ secretKey: fake.secretKey, host: fake.host, port: fake.port, protocol: 'http' });
  smtp = await startFakeSmtp({ viewerPort: false });
  worker = await startBillingWorker({
    db: app.db,
    stripe,
    redisConfig: { url: TEST_REDIS_URL, prefix: app.env.REDIS_PREFIX },
    log: createLogger('worker', 'silent'),
    notices: { mailer: createUsageMailer(smtp.url, 'PocketPing <billing@test>'), webPublicUrl: TEST_WEB_URL },
  });
});
afterAll(async () => {
  await worker?.close();
  await fake?.close();
  await smtp?.close();
  await new Promise<void>((r) => (relay ? relay.close(() => r()) : r()));
  await env?.close();
});

async function ownerOrg(name = 'Acme') {
  const owner = await env.createUser({ email: `owner-${Math.random().toString(36).slice(2)}@example.test` });
  const org = await env.createOrg(owner.id, name);
  return { org, owner, cookie: await env.sessionCookie(owner.id) };
}

/** Every event the fake sent so far has been answered and its billing job has run. */
async function settled(): Promise<void> {
  await fake.flush();
  const { db } = await env.app();
  const ids = fake.events().map((e) => e.id);
  await waitFor(
    async () => (await db.stripeEvent.count({ where: { id: { in: ids }, processedAt: { not: null } } })) === ids.length,
    { what: 'every Stripe event processed', timeoutMs: 20_000 },
  );
}

async function buy(
  t: Awaited<ReturnType<typeof ownerOrg>>,
  plan: 'starter' | 'pro' | 'business',
  interval = 'monthly',
) {
  const res = await env.call(checkoutRoute.POST, {
    params: { orgId: t.org.id },
    body: { plan, interval },
    cookie: t.cookie,
  });
  expect(res.status).toBe(200);
  const sessionId = String(res.json.url).split('/checkout/')[1]!;
  expect(await fake.completeCheckout(sessionId)).toBe('paid');
  await settled();
  return sessionId;
}

async function row(orgId: string) {
  const { db } = await env.app();
  return db.organizationBilling.findUniqueOrThrow({ where: { organizationId: orgId } });
}

describe('billing state without Stripe', () => {
  it('a new organization is on the card-less Pro trial until createdAt + TRIAL_DAYS', async () => {
    const t = await ownerOrg();
    const { db } = await env.app();
    const org = await db.organization.findUniqueOrThrow({ where: { id: t.org.id } });
    const state = await loadBillingState(db, t.org.id);
    expect(state).toMatchObject({ plan: 'pro', status: 'trialing', interval: null });
    expect(state!.trialEndsAt!.getTime()).toBe(org.createdAt.getTime() + TRIAL_DAYS * 86_400_000);
    expect(await loadBillingState(db, 'no-such-org')).toBeNull();
  });
});

describe('checkout → webhook → plan', () => {
  it('applies the plan once; the customer is created once and reused; duplicated events change nothing', async () => {
    const t = await ownerOrg('Buyer');
    const customersBefore = fake.calls.filter((c) => c.method === 'POST' && c.path === '/v1/customers').length;
    const sessionId = await buy(t, 'pro');
    const after = await row(t.org.id);
    expect(after).toMatchObject({ plan: 'pro', interval: 'monthly', status: 'active', pastDueSince: null });
    expect(after.currentPeriodEnd!.getTime()).toBeGreaterThan(Date.now());

    // The session carried the organization; the customer too (and every create had an idempotency key).
    const session = await stripe.checkout.sessions.retrieve(sessionId);
    expect(session.metadata).toEqual({ organizationId: t.org.id });
    const customer = await stripe.customers.retrieve(String(session.customer));
    expect((customer as { metadata: Record<string, string> }).metadata).toEqual({ organizationId: t.org.id });
    const creates = fake.calls.filter((c) => c.method === 'POST' && c.status === 200);
    expect(creates.every((c) => c.idempotencyKey !== null)).toBe(true);

    // A second checkout (upgrade) reuses the customer.
    const again = await env.call(checkoutRoute.POST, {
      params: { orgId: t.org.id },
      body: { plan: 'business', interval: 'yearly' },
      cookie: t.cookie,
    });
    expect(again.status).toBe(200);
    expect(fake.calls.filter((c) => c.method === 'POST' && c.path === '/v1/customers').length).toBe(
      customersBefore + 1,
    );
    const second = await stripe.checkout.sessions.retrieve(String(again.json.url).split('/checkout/')[1]!);
    expect(second.customer).toBe(session.customer);

    // Stripe redelivers: every event of this customer again. Stored once, processed once, nothing rewritten.
    const { db } = await env.app();
    const mine = fake.events().filter((e) => {
      const o = e.data.object as { id: string; customer?: string };
      return o.customer === session.customer || o.id === session.customer;
    });
    expect(mine.map((e) => e.type)).toContain('checkout.session.completed');
    const storedBefore = await db.stripeEvent.count();
    const audits = () =>
      db.auditLog.count({ where: { organizationId: t.org.id, action: 'billing.checkout_completed' } });
    expect(await audits()).toBe(1);
    for (const e of mine) expect(await fake.resend(e.id)).toBe(200);
    await fake.flush();
    expect(await db.stripeEvent.count()).toBe(storedBefore);
    expect(await audits()).toBe(1);
    expect((await row(t.org.id)).updatedAt).toEqual(after.updatedAt);
  });

  it('events out of order: the older one arriving last is stale and the newest state stays', async () => {
    const t = await ownerOrg('Reorder');
    await buy(t, 'starter');
    const sub = (await stripe.subscriptions.list({ customer: (await row(t.org.id)).stripeCustomerId! })).data[0]!;
    const price = async (key: string) => (await stripe.prices.list({ lookup_keys: [key] })).data[0]!.id;

    fake.holdDeliveries();
    const first = fake.events().length;
    await stripe.subscriptions.update(sub.id, {
      items: [{ id: sub.items.data[0]!.id, price: await price('pro_monthly') }],
    });
    await fake.advanceClock(10);
    await stripe.subscriptions.update(sub.id, {
      items: [{ id: sub.items.data[0]!.id, price: await price('business_monthly') }],
    });
    const [older, newer] = fake.events().slice(first);
    expect(older!.created).toBeLessThan(newer!.created);
    await fake.releaseDeliveries('reversed');
    await settled();

    const { db } = await env.app();
    const outcomes = await db.stripeEvent.findMany({ where: { id: { in: [older!.id, newer!.id] } } });
    expect(Object.fromEntries(outcomes.map((o) => [o.id, o.outcome]))).toEqual({
      [newer!.id]: 'applied',
      [older!.id]: 'stale',
    });
    const r = await row(t.org.id);
    expect(r.plan).toBe('business');
    expect(r.stripeEventCreatedAt!.getTime()).toBe(newer!.created * 1000);
  });

  it('a failed renewal → past_due with the plan kept and pastDueSince set; paying again clears it', async () => {
    const t = await ownerOrg('Late payer');
    await buy(t, 'pro');
    const customerId = (await row(t.org.id)).stripeCustomerId!;
    fake.setCardFailing(customerId, true);
    await fake.advanceClock(31 * 86_400);
    await settled();
    const r = await row(t.org.id);
    expect(r).toMatchObject({ plan: 'pro', status: 'past_due' });
    expect(r.pastDueSince).not.toBeNull();
    const { db } = await env.app();
    expect(await loadBillingState(db, t.org.id)).toMatchObject({ plan: 'pro', status: 'past_due' });
    expect(
      await db.auditLog.count({ where: { organizationId: t.org.id, action: 'billing.payment_failed' } }),
    ).toBeGreaterThan(0);
    // The owner is told once, with the link that opens the portal (Stripe keeps retrying: still one email).
    const failedMails = () =>
      smtp.mails().filter((m) => m.to.includes(t.owner.email) && m.subject.startsWith('Payment failed'));
    const mail = await smtp.waitForMail(t.owner.email, (m) => m.subject.startsWith('Payment failed'));
    expect(mail.subject).toBe('Payment failed for Late payer');
    expect(mail.text).toContain(`${TEST_WEB_URL}/app/o/${t.org.id}/billing?manage=1`);
    expect(mail.text).toContain("Late payer's Pro plan");
    expect(mail.text).toMatch(/stays active until \d{4}-\d{2}-\d{2}/);
    await fake.advanceClock(3 * 86_400);
    await settled();
    expect((await row(t.org.id)).status).toBe('past_due');
    for (const e of fake.events().filter((x) => x.type === 'invoice.payment_failed'))
      expect(await fake.resend(e.id)).toBe(200);
    await settled();
    expect(failedMails()).toHaveLength(1);
    expect(await db.billingNotice.count({ where: { organizationId: t.org.id, kind: 'payment_failed' } })).toBe(1);

    fake.setCardFailing(customerId, false);
    await fake.advanceClock(86_400);
    await settled();
    expect(await row(t.org.id)).toMatchObject({ plan: 'pro', status: 'active', pastDueSince: null });
  });

  it('a deleted subscription → Free', async () => {
    const t = await ownerOrg('Leaver');
    await buy(t, 'starter');
    const sub = (await stripe.subscriptions.list({ customer: (await row(t.org.id)).stripeCustomerId! })).data[0]!;
    await stripe.subscriptions.cancel(sub.id);
    await settled();
    expect(await row(t.org.id)).toMatchObject({ plan: 'free', interval: null, status: 'canceled' });
    const { db } = await env.app();
    expect(await loadBillingState(db, t.org.id)).toMatchObject({ plan: 'free', status: 'canceled' });
  });

  it('trial_will_end is processed (audited) and the trial end date is kept', async () => {
    const t = await ownerOrg('Trialist');
    // The organization's customer, then a Stripe trial on it (as a sales-led trial would be set up).
    await env.call(checkoutRoute.POST, {
      params: { orgId: t.org.id },
      body: { plan: 'pro', interval: 'monthly' },
      cookie: t.cookie,
    });
    const customerId = (await row(t.org.id)).stripeCustomerId!;
    // A checkout started but not paid leaves the card-less trial as it was.
    expect(await loadBillingState((await env.app()).db, t.org.id)).toMatchObject({
      plan: 'pro',
      status: 'trialing',
      interval: null,
    });
    const price = (await stripe.prices.list({ lookup_keys: ['pro_monthly'] })).data[0]!;
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customerId,
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: `${TEST_WEB_URL}/ok`,
      subscription_data: { trial_period_days: 14, metadata: { organizationId: t.org.id } },
    });
    await fake.completeCheckout(session.id);
    await settled();
    const r = await row(t.org.id);
    expect(r).toMatchObject({ plan: 'pro', status: 'trialing' });
    expect(r.trialEndsAt!.getTime()).toBeGreaterThan(Date.now());
    await fake.advanceClock(12 * 86_400);
    await settled();
    const { db } = await env.app();
    expect(await db.auditLog.count({ where: { organizationId: t.org.id, action: 'billing.trial_will_end' } })).toBe(1);
    expect((await row(t.org.id)).status).toBe('trialing');
    // One email to the owner, three days ahead, with the portal link (this customer has a card on file).
    const mail = await smtp.waitForMail(t.owner.email, (m) => m.subject.includes('trial ends'));
    expect(mail.subject).toBe(`Trialist's Pro trial ends on ${r.trialEndsAt!.toISOString().slice(0, 10)}`);
    expect(mail.text).toContain(`${TEST_WEB_URL}/app/o/${t.org.id}/billing?manage=1`);
    const willEnd = fake.events().find((e) => e.type === 'customer.subscription.trial_will_end')!;
    expect(await fake.resend(willEnd.id)).toBe(200);
    await settled();
    expect(smtp.mails().filter((m) => m.to.includes(t.owner.email) && m.subject.includes('trial ends'))).toHaveLength(
      1,
    );
  });
});

describe('two billing jobs of one organization in two processes', () => {
  /** A Stripe client whose subscription reads run `afterRead` between reading and handing the result back. */
  function gatedStripe(afterRead: () => Promise<void>): TStripe {
    const list = (params: Parameters<TStripe['subscriptions']['list']>[0]) =>
      (async function* () {
        const read = [];
        for await (const sub of stripe.subscriptions.list(params)) read.push(sub);
        await afterRead();
        yield* read;
      })();
    return Object.create(stripe, { subscriptions: { value: { list } } }) as TStripe;
  }

  it('the job that read Stripe last writes last: an earlier read never overwrites a later one', async () => {
    const t = await ownerOrg('Racer');
    await buy(t, 'starter');
    const { db } = await env.app();
    const customerId = (await row(t.org.id)).stripeCustomerId!;
    const sub = (await stripe.subscriptions.list({ customer: customerId })).data[0]!;
    const business = (await stripe.prices.list({ lookup_keys: ['business_monthly'] })).data[0]!.id;
    // Two stored events of this customer, the newer one first in line (as two processes may take them).
    const base = fake.now() + 100;
    const newer = `evt_racenew${Date.now()}`;
    const older = `evt_raceold${Date.now()}`;
    for (const [id, at] of [
      [newer, base + 20],
      [older, base + 10],
    ] as const)
      await recordStripeEvent(db, {
        id,
        type: 'customer.subscription.updated',
        eventCreatedAt: new Date(at * 1000),
        customerId,
        subscriptionId: sub.id,
      });
    const silent = createLogger('worker', 'silent');
    const otherProcessWaitingOrDone = async (done: () => boolean) =>
      done() ||
      (
        await db.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND NOT granted
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`
      )[0]!.n > 0;

    // Process A reads Stripe (Starter); before A writes, the plan changes on Stripe (its events held back, so only
    // these two jobs decide) and process B takes the older event, reads (Business) and tries to write.
    fake.holdDeliveries();
    try {
      let second: Promise<unknown> | null = null;
      let secondDone = false;
      const first = processStripeEvent(
        {
          db,
          log: silent,
          stripe: gatedStripe(async () => {
            if (second) return;
            await stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0]!.id, price: business }] });
            second = processStripeEvent({ db, log: silent, stripe }, { data: { stripeEventId: older } }).finally(
              () => (secondDone = true),
            );
            await waitFor(() => otherProcessWaitingOrDone(() => secondDone), {
              what: 'the other process done or waiting for the lock',
            });
          }),
        },
        { data: { stripeEventId: newer } },
      );
      expect(await first).toBe('applied');
      expect(await second).toBe('stale');
      // Stripe says Business now; so must we, without waiting for another event.
      expect((await stripe.subscriptions.retrieve(sub.id)).items.data[0]!.price.lookup_key).toBe('business_monthly');
      const r = await row(t.org.id);
      expect(r.plan).toBe('business');
      expect(r.stripeEventCreatedAt!.getTime()).toBe((base + 20) * 1000);
    } finally {
      await fake.releaseDeliveries();
    }
    await settled();
  });

  it('the same event run twice at once (a re-queued job) is applied and audited once', async () => {
    const t = await ownerOrg('Twice');
    await buy(t, 'pro');
    const { db } = await env.app();
    const customerId = (await row(t.org.id)).stripeCustomerId!;
    const id = `evt_twice${Date.now()}`;
    await recordStripeEvent(db, {
      id,
      type: 'invoice.payment_failed',
      eventCreatedAt: new Date((fake.now() + 200) * 1000),
      customerId,
      subscriptionId: null,
    });
    const silent = createLogger('worker', 'silent');
    const outcomes = await Promise.all([
      processStripeEvent({ db, log: silent, stripe }, { data: { stripeEventId: id } }),
      processStripeEvent({ db, log: silent, stripe }, { data: { stripeEventId: id } }),
    ]);
    expect(outcomes.sort()).toEqual(['already_processed', 'applied']);
    expect(
      await db.auditLog.count({ where: { organizationId: t.org.id, action: 'billing.payment_failed', targetId: id } }),
    ).toBe(1);
  });
});

describe('lost jobs', () => {
  it('an event stored but never queued (crash, Redis down) is picked up by the worker’s sweeper', async () => {
    const t = await ownerOrg('Swept');
    await buy(t, 'pro');
    const { db, producer } = await env.app();
    const customerId = (await row(t.org.id)).stripeCustomerId!;
    await stripe.subscriptions.cancel((await stripe.subscriptions.list({ customer: customerId })).data[0]!.id);
    await settled();
    // Put the organization back on Pro by hand, then let a stored-but-unqueued event bring Stripe's truth back.
    await db.organizationBilling.update({
      where: { organizationId: t.org.id },
      data: { plan: 'pro', status: 'active', stripeEventCreatedAt: new Date(0) },
    });
    const id = `evt_lost${Date.now()}`;
    await recordStripeEvent(db, {
      id,
      type: 'customer.subscription.updated',
      eventCreatedAt: new Date(),
      customerId,
      subscriptionId: null,
    });
    await db.stripeEvent.update({ where: { id }, data: { receivedAt: new Date(Date.now() - 5 * 60_000) } });
    const swept = await sweepOnce({ db, producer } as never, 5_000);
    expect(swept.billing).toBeGreaterThanOrEqual(1);
    await waitFor(async () => (await db.stripeEvent.findUnique({ where: { id } }))?.processedAt, {
      what: 'swept event',
    });
    expect(await row(t.org.id)).toMatchObject({ plan: 'free', status: 'canceled' });
  });
});

describe('webhook refusals', () => {
  const event = (id: string) =>
    JSON.stringify({
      id,
      object: 'event',
      type: 'customer.updated',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: 'cus_nobody', object: 'customer' } },
    });
  const post = (body: string, signature?: string) =>
    env.call(webhookRoute.POST as never, {
      path: '/api/webhooks/stripe',
      body,
      headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) },
    });

  it('a missing, wrong or stale signature is a 400 and nothing is stored or queued', async () => {
    const { db } = await env.app();
    const now = Math.floor(Date.now() / 1000);
    const body = event('evt_refused1');
    const cases = [
      await post(body),
      await post(body, signStripePayload(body, 'whsec_notthesecret123', now)),
      await post(body, signStripePayload(body, fake.webhookSecret, now - 3600)),
      await post(event('evt_refused2'), signStripePayload(body, fake.webhookSecret, now)),
      await post('{"id": "evt_', signStripePayload('{"id": "evt_', fake.webhookSecret, now)),
    ];
    expect(cases.map((c) => c.status)).toEqual([400, 400, 400, 400, 400]);
    expect(cases.map((c) => c.json.error.details.reason)).toEqual([
      'missing_signature',
      'bad_signature',
      'stale_timestamp',
      'bad_signature',
      'malformed',
    ]);
    expect(await db.stripeEvent.count({ where: { id: { in: ['evt_refused1', 'evt_refused2'] } } })).toBe(0);
    const huge = `{"pad":"${'x'.repeat(600 * 1024)}"}`;
    expect((await post(huge, signStripePayload(huge, fake.webhookSecret, now))).status).toBe(413);
  });

  it('hostile but signed bodies: malformed shapes are 400, other event types are stored as ignored', async () => {
    const now = Math.floor(Date.now() / 1000);
    const signed = (body: string) => post(body, signStripePayload(body, fake.webhookSecret, now));
    const shapes = [
      { id: 'evt_bad1', object: 'event', type: 'customer.updated', created: 'yesterday', data: { object: {} } },
      { id: 'evt_../../x', object: 'event', type: 'customer.updated', created: now, data: { object: {} } },
      { id: 'evt_bad2', object: 'event', type: 'customer.updated', created: now, data: 'nope' },
      { id: `evt_${'a'.repeat(300)}`, object: 'event', type: 'customer.updated', created: now, data: { object: {} } },
      ['not', 'an', 'event'],
    ];
    for (const shape of shapes) expect((await signed(JSON.stringify(shape))).status).toBe(400);
    const other = await signed(
      JSON.stringify({
        id: 'evt_other1',
        object: 'event',
        type: 'charge.succeeded',
        created: now,
        data: { object: {} },
      }),
    );
    expect(other.status).toBe(200);
    const { db } = await env.app();
    expect(await db.stripeEvent.findUnique({ where: { id: 'evt_other1' } })).toMatchObject({ outcome: 'ignored' });
    expect(await db.stripeEvent.count({ where: { id: { in: ['evt_bad1', 'evt_bad2'] } } })).toBe(0);
  });

  it('an event about a customer of no organization is acknowledged and changes nothing', async () => {
    const body = event('evt_stranger1');
    const res = await post(body, signStripePayload(body, fake.webhookSecret, Math.floor(Date.now() / 1000)));
    expect(res.status).toBe(200);
    const { db } = await env.app();
    await waitFor(async () => (await db.stripeEvent.findUnique({ where: { id: 'evt_stranger1' } }))?.processedAt, {
      what: 'stranger event processed',
    });
    expect(await db.stripeEvent.findUnique({ where: { id: 'evt_stranger1' } })).toMatchObject({
      outcome: 'ignored',
      organizationId: null,
    });
  });
});

describe('tenancy', () => {
  it('another organization’s member gets 404, an admin 403, and nobody sees or changes another’s billing', async () => {
    const a = await ownerOrg('Tenant A');
    await buy(a, 'starter');
    const b = await ownerOrg('Tenant B');
    const admin = await env.createUser();
    await env.addMember(a.org.id, admin.id, 'admin');
    const adminCookie = await env.sessionCookie(admin.id);

    for (const [route, method] of [
      [billingRoute.GET, 'GET'],
      [checkoutRoute.POST, 'POST'],
      [portalRoute.POST, 'POST'],
    ] as const) {
      const body = method === 'POST' ? { plan: 'pro', interval: 'monthly' } : undefined;
      const foreign = await env.call(route, { method, params: { orgId: a.org.id }, body, cookie: b.cookie });
      expect(foreign.status).toBe(404);
      const lower = await env.call(route, { method, params: { orgId: a.org.id }, body, cookie: adminCookie });
      expect(lower.status).toBe(403);
    }
    const mine = await env.call(billingRoute.GET, { params: { orgId: a.org.id }, cookie: a.cookie });
    expect(mine.status).toBe(200);
    expect(mine.json.billing).toMatchObject({ plan: 'starter', status: 'active' });
    expect(mine.json.invoices.length).toBeGreaterThan(0);
    expect(mine.json.invoices[0].hostedInvoiceUrl).toMatch(/\/invoice\/in_/);
    const theirs = await env.call(billingRoute.GET, { params: { orgId: b.org.id }, cookie: b.cookie });
    expect(theirs.json).toMatchObject({ hasCustomer: false, invoices: [] });
    expect(theirs.json.billing).toMatchObject({ plan: 'pro', status: 'trialing' });
    // B has no customer yet: the portal is refused with a clear 409, not someone else's portal.
    expect((await env.call(portalRoute.POST, { params: { orgId: b.org.id }, body: {}, cookie: b.cookie })).status).toBe(
      409,
    );
    const portal = await env.call(portalRoute.POST, { params: { orgId: a.org.id }, body: {}, cookie: a.cookie });
    expect(portal.status).toBe(200);
    expect(portal.json.url).toMatch(/\/portal\/bps_/);
    // Bad input is a 400 naming the field.
    const bad = await env.call(checkoutRoute.POST, {
      params: { orgId: a.org.id },
      body: { plan: 'free', interval: 'monthly' },
      cookie: a.cookie,
    });
    expect(bad.status).toBe(400);
  });
});
