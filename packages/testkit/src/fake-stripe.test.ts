// The fake Stripe against the official `stripe` SDK (23.x, API version pinned): the SDK's own encoding, auth,
// idempotency, errors, lists and webhook verification must all work against it unchanged.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STRIPE_API_VERSION } from '@pocketping/billing/stripe';
import { parseStripeForm, signStripePayload, startFakeStripe, type TFakeStripe } from './fake-stripe.js';

let fake: TFakeStripe;
let stripe: Stripe;
let receiver: Server;
const received: Array<{ body: string; signature: string }> = [];

function sdk(key: string): Stripe {
  return new Stripe(key, {
    apiVersion: STRIPE_API_VERSION,
    host: fake.host,
    port: fake.port,
    protocol: fake.protocol,
    maxNetworkRetries: 0,
    telemetry: false,
  });
}

/** Events the receiver got, verified with the SDK exactly like the web app verifies them. */
function verifiedEvents(): Stripe.Event[] {
  return received.map((r) => stripe.webhooks.constructEvent(r.body, r.signature, fake.webhookSecret));
}

async function checkout(customer: string, lookupKey: string, extra: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
  const price = (await stripe.prices.list({ lookup_keys: [lookupKey] })).data[0]!;
  return stripe.checkout.sessions.create({
    mode: 'subscription',
    customer,
    line_items: [{ price: price.id, quantity: 1 }],
    success_url: 'http://app.test/billing?session={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://app.test/billing',
    metadata: { organizationId: 'org_1' },
    ...extra,
  });
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ body, signature: String(req.headers['stripe-signature'] ?? '') });
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  fake = await startFakeStripe({
    webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
  });
  stripe = sdk(fake.secretKey);
});
afterAll(async () => {
  await fake.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});
beforeEach(async () => {
  await fake.flush();
  received.length = 0;
});

/** The verified events about one customer (the clock is shared: other tests' subscriptions renew too). */
function eventsOf(customerId: string): string[] {
  return verifiedEvents()
    .filter((e) => {
      const o = e.data.object as unknown as { object: string; id: string; customer?: string };
      return o.object === 'customer' ? o.id === customerId : o.customer === customerId;
    })
    .map((e) => e.type);
}

describe('fake Stripe wire format', () => {
  it('parses bracketed form keys into objects and arrays', () => {
    expect(
      parseStripeForm(
        'mode=subscription&line_items[0][price]=price_1&line_items[0][quantity]=2&metadata[org]=o1&expand[]=a&expand[]=b',
      ),
    ).toEqual({
      mode: 'subscription',
      line_items: [{ price: 'price_1', quantity: '2' }],
      metadata: { org: 'o1' },
      expand: ['a', 'b'],
    });
  });

  it('finds the plan prices by lookup_key', async () => {
    const prices = await stripe.prices.list({ lookup_keys: ['pro_monthly', 'business_yearly'], active: true });
    expect(prices.object).toBe('list');
    expect(prices.data.map((p) => [p.lookup_key, p.unit_amount, p.recurring?.interval]).sort()).toEqual([
      ['business_yearly', 149000, 'year'],
      ['pro_monthly', 4900, 'month'],
    ]);
  });

  it('refuses a missing or wrong key with Stripe’s authentication error', async () => {
    await expect(sdk('sk_test_wrong').customers.create({})).rejects.toMatchObject({
      type: 'StripeAuthenticationError',
      statusCode: 401,
    });
    const res = await fetch(`${fake.baseUrl}/v1/customers`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect((await res.json()) as unknown).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('replays an idempotent create and refuses the same key with other parameters', async () => {
    const key = `idem-${Date.now()}`;
    const a = await stripe.customers.create(
      { name: 'Acme', metadata: { organizationId: 'org_a' } },
      { idempotencyKey: key },
    );
    const b = await stripe.customers.create(
      { name: 'Acme', metadata: { organizationId: 'org_a' } },
      { idempotencyKey: key },
    );
    expect(b.id).toBe(a.id);
    expect(b.metadata).toEqual({ organizationId: 'org_a' });
    await expect(stripe.customers.create({ name: 'Other' }, { idempotencyKey: key })).rejects.toMatchObject({
      type: 'StripeIdempotencyError',
      statusCode: 400,
    });
    const replays = fake.calls.filter((c) => c.idempotencyKey === key);
    expect(replays.map((c) => c.status)).toEqual([200, 200, 400]);
  });

  it('answers unknown parameters and unknown ids like Stripe', async () => {
    await expect(
      stripe.customers.create({ nonsense: 'x' } as unknown as Stripe.CustomerCreateParams),
    ).rejects.toMatchObject({ type: 'StripeInvalidRequestError', param: 'nonsense', code: 'parameter_unknown' });
    await expect(stripe.customers.retrieve('cus_missing')).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });

  it('paginates lists (the SDK’s auto-pagination walks every page)', async () => {
    const email = `page-${Date.now()}@example.test`;
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await stripe.customers.create({ email })).id);
    const first = await stripe.customers.list({ email, limit: 2 });
    expect(first.has_more).toBe(true);
    expect(first.data.map((c) => c.id)).toEqual([made[4], made[3]]);
    const all: string[] = [];
    for await (const c of stripe.customers.list({ email, limit: 2 })) all.push(c.id);
    expect(all).toEqual([...made].reverse());
  });
});

describe('fake Stripe checkout, portal and webhooks', () => {
  it('checkout page: a declined card changes nothing, Pay creates the subscription and invoice and redirects back', async () => {
    const customer = await stripe.customers.create({
      email: 'owner@example.test',
      metadata: { organizationId: 'org_1' },
    });
    const session = await checkout(customer.id, 'pro_monthly');
    expect(session.url).toBe(`${fake.baseUrl}/checkout/${session.id}`);

    const html = await (await fetch(session.url!)).text();
    expect(html).toContain('Pay');
    expect(html).toContain('$49.00');

    const declined = await fetch(`${session.url}/pay`, {
      method: 'POST',
      body: new URLSearchParams({ card: '4000000000000002' }),
      redirect: 'manual',
    });
    expect(declined.status).toBe(402);
    expect(await declined.text()).toContain('Your card was declined.');
    expect((await stripe.subscriptions.list({ customer: customer.id })).data).toHaveLength(0);

    const paid = await fetch(`${session.url}/pay`, {
      method: 'POST',
      body: new URLSearchParams({ card: '4242424242424242' }),
      redirect: 'manual',
    });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`http://app.test/billing?session=${session.id}`);

    const done = await stripe.checkout.sessions.retrieve(session.id);
    expect(done.status).toBe('complete');
    const sub = await stripe.subscriptions.retrieve(String(done.subscription), { expand: ['latest_invoice'] });
    expect(sub.status).toBe('active');
    expect(sub.items.data[0]!.price.lookup_key).toBe('pro_monthly');
    expect(sub.items.data[0]!.current_period_end).toBeGreaterThan(sub.created);
    const invoice = sub.latest_invoice as Stripe.Invoice;
    expect(invoice.status).toBe('paid');
    expect(invoice.amount_paid).toBe(4900);
    expect(invoice.parent?.subscription_details?.subscription).toBe(sub.id);

    const invoices = await stripe.invoices.list({ customer: customer.id });
    expect(invoices.data[0]!.hosted_invoice_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/invoice\/in_/);
    expect((await fetch(invoices.data[0]!.hosted_invoice_url!)).status).toBe(200);

    await fake.flush();
    const events = verifiedEvents();
    expect(events.map((e) => e.type)).toEqual([
      'customer.updated',
      'customer.subscription.created',
      'invoice.paid',
      'checkout.session.completed',
    ]);
    const completed = events[3]!.data.object as Stripe.Checkout.Session;
    expect(completed.subscription).toBe(sub.id);
    expect(completed.metadata).toEqual({ organizationId: 'org_1' });
  });

  it('webhook signatures verify with the SDK, and a stale or foreign one does not', async () => {
    const payload = JSON.stringify({ id: 'evt_x', object: 'event', type: 'customer.updated', created: 1, data: {} });
    const t = Math.floor(Date.now() / 1000);
    expect(
      stripe.webhooks.constructEvent(payload, signStripePayload(payload, fake.webhookSecret, t), fake.webhookSecret).id,
    ).toBe('evt_x');
    const old = signStripePayload(payload, fake.webhookSecret, t - 3600);
    expect(() => stripe.webhooks.constructEvent(payload, old, fake.webhookSecret, 300)).toThrow(/tolerance/i);
    const foreign = signStripePayload(payload, 'whsec_other', t);
    expect(() => stripe.webhooks.constructEvent(payload, foreign, fake.webhookSecret)).toThrow();
  });

  it('portal: cancel at period end, then the period ends and the subscription is deleted', async () => {
    const customer = await stripe.customers.create({ email: 'p@example.test' });
    const session = await checkout(customer.id, 'starter_monthly');
    await fake.completeCheckout(session.id);
    const portal = await stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: 'http://app.test/b',
    });
    const html = await (await fetch(portal.url)).text();
    expect(html).toContain('Cancel plan');
    expect(html).toContain('Switch to Pro monthly');
    expect(html).toContain('http://app.test/b');
    const sub = (await stripe.subscriptions.list({ customer: customer.id })).data[0]!;

    const switched = await fetch(`${portal.url}/switch`, {
      method: 'POST',
      body: new URLSearchParams({
        subscription: sub.id,
        price: (await stripe.prices.list({ lookup_keys: ['pro_yearly'] })).data[0]!.id,
      }),
      redirect: 'manual',
    });
    expect(switched.status).toBe(303);
    expect((await stripe.subscriptions.retrieve(sub.id)).items.data[0]!.price.lookup_key).toBe('pro_yearly');

    await fetch(`${portal.url}/cancel`, { method: 'POST', body: new URLSearchParams({ subscription: sub.id }) });
    expect((await stripe.subscriptions.retrieve(sub.id)).cancel_at_period_end).toBe(true);

    await fake.advanceClock(366 * 24 * 3600);
    await fake.flush();
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('canceled');
    expect(eventsOf(customer.id).slice(-1)).toEqual(['customer.subscription.deleted']);
    expect((await stripe.subscriptions.list({ customer: customer.id })).data).toHaveLength(0);
    expect((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toHaveLength(1);
  });

  it('a failing card makes the renewal past_due with invoice.payment_failed; paying again makes it active', async () => {
    const customer = await stripe.customers.create({ email: 'f@example.test' });
    await fake.completeCheckout((await checkout(customer.id, 'pro_monthly')).id);
    fake.setCardFailing(customer.id, true);
    await fake.flush();
    received.length = 0;
    await fake.advanceClock(31 * 24 * 3600);
    await fake.flush();
    const sub = (await stripe.subscriptions.list({ customer: customer.id })).data[0]!;
    expect(sub.status).toBe('past_due');
    expect(eventsOf(customer.id)).toEqual(['invoice.payment_failed', 'customer.subscription.updated']);

    fake.setCardFailing(customer.id, false);
    await fake.advanceClock(24 * 3600);
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
  });

  it('a trial sends trial_will_end three days before it ends, then bills', async () => {
    const customer = await stripe.customers.create({ email: 't@example.test' });
    const session = await checkout(customer.id, 'pro_monthly', { subscription_data: { trial_period_days: 14 } });
    await fake.completeCheckout(session.id);
    const sub = (await stripe.subscriptions.list({ customer: customer.id })).data[0]!;
    expect(sub.status).toBe('trialing');
    await fake.flush();
    received.length = 0;
    await fake.advanceClock(12 * 24 * 3600);
    await fake.flush();
    expect(eventsOf(customer.id)).toEqual(['customer.subscription.trial_will_end']);
    await fake.advanceClock(3 * 24 * 3600);
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
  });

  it('holds deliveries and releases them reversed; resend posts the same event id again', async () => {
    const customer = await stripe.customers.create({ email: 'h@example.test' });
    fake.holdDeliveries();
    await stripe.customers.update(customer.id, { name: 'First' });
    await stripe.customers.update(customer.id, { name: 'Second' });
    expect(received).toHaveLength(0);
    await fake.releaseDeliveries('reversed');
    const names = verifiedEvents().map((e) => (e.data.object as Stripe.Customer).name);
    expect(names).toEqual(['Second', 'First']);
    const firstId = verifiedEvents()[1]!.id;
    expect(await fake.resend(firstId)).toBe(200);
    expect(verifiedEvents()[2]!.id).toBe(firstId);
    expect((await stripe.events.retrieve(firstId)).type).toBe('customer.updated');
  });
});
