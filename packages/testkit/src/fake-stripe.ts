// Fake Stripe on 127.0.0.1 — the official `stripe` SDK is pointed at it through its host/port/protocol options
// (`new Stripe(key, { host: '127.0.0.1', port, protocol: 'http' })`), so tests exercise the real client against the
// real wire format:
//   requests   form-encoded bodies with bracketed keys (`metadata[organizationId]=…`, `line_items[0][price]=…`,
//              `expand[]=…`), the same encoding in the query string of GET/DELETE; `Authorization: Bearer <key>`
//              (or basic auth with the key as user); `Idempotency-Key` on POST: the same key with the same
//              parameters replays the first answer (`Idempotent-Replayed: true`), with other parameters it is a 400
//              `idempotency_error`; unknown parameters are refused (`parameter_unknown`, the key named in `param`);
//   answers    JSON objects with `object` and prefixed ids (cus_, price_, prod_, cs_test_, sub_, si_, in_, bps_,
//              evt_), list objects `{object: 'list', data, has_more, url}` newest first with `limit`,
//              `starting_after` and `ending_before`, `expand[]` of id fields (also `data.<field>` in lists);
//   errors     `{error: {type, code, message, param}}` with Stripe's statuses (400, 401, 402, 404).
// Resources: prices (seeded from the plan table, found by `lookup_keys[]`) and their products, customers, Checkout
// sessions in subscription mode with a hosted page (a card that pays and one that is declined), Customer Portal
// sessions with a page (switch plan, cancel at period end, resume, invoices), subscriptions (retrieve, list, update,
// cancel), invoices (list, retrieve, a hosted invoice page) and events (retrieve, list).
//
// Webhooks: every change is an event, posted as JSON to the configured endpoint with
// `Stripe-Signature: t=<seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, the way Stripe signs. Test controls
// hold deliveries and release them in any order, resend an event, advance the fake's clock (renewals, trial
// reminders 3 days ahead, trial ends, cancellations at period end, payment retries) and make a customer's card fail.
//
// Knowing simplifications: one item per subscription, no taxes, coupons or prorations (a plan switch bills from the
// next period), a failed renewal is retried on every clock advance and the subscription is canceled after
// PAST_DUE_RETRY_DAYS; deliveries are not retried by themselves (resend them). Test tool only: state lives in memory.
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { BILLING_INTERVALS, PLANS, PLAN_IDS, stripeLookupKey } from '@pocketping/billing';

// ---------------------------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------------------------

/** A Stripe object as the fake keeps it (plain JSON). */
export type TStripeObject = Record<string, unknown> & { id: string; object: string };

export interface TFakeStripeEvent extends TStripeObject {
  type: string;
  created: number;
  data: { object: TStripeObject; previous_attributes?: Record<string, unknown> };
}

export interface TFakeStripeDelivery {
  eventId: string;
  type: string;
  /** HTTP status of the endpoint's answer; 0 when it could not be reached. */
  status: number;
  at: number;
}

export interface TFakeStripeCall {
  method: string;
  path: string;
  params: Record<string, unknown>;
  idempotencyKey: string | null;
  status: number;
  /** `error.type` of an error answer. */
  error?: string;
}

export interface TFakeStripeOptions {
  port?: number;
  /** Secret keys the API accepts. Default: one random `sk_test_…`, readable as `secretKey`. */
  secretKeys?: string[];
  /** Where events are posted, and the endpoint's signing secret (default: a random `whsec_…`). */
  webhookUrl?: string;
  webhookSecret?: string;
  /** Start with deliveries held (tests that reorder); default false: each event is posted as it happens. */
  holdDeliveries?: boolean;
}

export interface TFakeStripe {
  /** `http://127.0.0.1:<port>` — the hosted pages live here too. */
  baseUrl: string;
  host: string;
  port: number;
  protocol: 'http';
  secretKey: string;
  webhookSecret: string;
  calls: TFakeStripeCall[];
  deliveries: TFakeStripeDelivery[];
  /** Every event, oldest first. */
  events(): TFakeStripeEvent[];
  setWebhook(url: string | null, secret?: string): void;
  /** The fake's clock, Unix seconds (real time plus what `advanceClock` added). */
  now(): number;
  /** Moves the clock forward and lets time-driven things happen (renewals, trial ends, retries, period-end cancels). */
  advanceClock(seconds: number): Promise<void>;
  /** Makes the customer's card decline (true) or pay (false) from now on. */
  setCardFailing(customerId: string, failing: boolean): void;
  /** Pays an open Checkout session as the hosted page's Pay button does (tests without a browser). */
  completeCheckout(sessionId: string, opts?: { decline?: boolean }): Promise<'paid' | 'declined'>;
  /** Stops posting events; they wait until `releaseDeliveries`. */
  holdDeliveries(): void;
  /** Posts the held events (in the order they happened, or reversed) and posts later ones as they happen again. */
  releaseDeliveries(order?: 'as_happened' | 'reversed'): Promise<void>;
  /** Posts an event again, signed anew (as the dashboard's "Resend" does). Returns the endpoint's status. */
  resend(eventId: string): Promise<number>;
  /** Waits until every delivery started so far has been answered. */
  flush(): Promise<void>;
  get(id: string): TStripeObject | undefined;
  close(): Promise<void>;
}

/** A past_due subscription whose card keeps failing is canceled after this many days (Stripe's retry schedule). */
export const PAST_DUE_RETRY_DAYS = 14;
/** customer.subscription.trial_will_end is sent this long before the trial ends. */
const TRIAL_WILL_END_SECONDS = 3 * 24 * 3600;
const API_VERSION = '2026-10-28.endive';
const BODY_MAX = 1024 * 1024;
const DAY = 24 * 3600;

/** The signature header Stripe sends with a webhook: `t=<seconds>,v1=<hex HMAC-SHA256(secret, "t.payload")>`. */
export function signStripePayload(payload: string, secret: string, timestampSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestampSeconds}.${payload}`).digest('hex');
  return `t=${timestampSeconds},v1=${v1}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Wire format: bracketed form encoding
// ---------------------------------------------------------------------------------------------------------------

type TParams = Record<string, unknown>;

/** Parses `a[b][0][c]=v&e[]=x` into nested objects and arrays, the way Stripe reads form bodies and queries. */
export function parseStripeForm(text: string): TParams {
  const root: TParams = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey);
    if (!m) throw new StripeError(400, 'invalid_request_error', `Invalid parameter name: ${rawKey}`, rawKey);
    const segments = [m[1]!, ...[...m[2]!.matchAll(/\[([^[\]]*)\]/g)].map((s) => s[1]!)];
    let node: Record<string, unknown> = root;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      const last = i === segments.length - 1;
      if (seg === '') {
        // `key[]=v`: append to the array the previous segment named.
        throw new StripeError(400, 'invalid_request_error', `Invalid array parameter: ${rawKey}`, rawKey);
      }
      const nextIsPush = segments[i + 1] === '';
      if (last) {
        node[seg] = value;
      } else if (nextIsPush && i + 1 === segments.length - 1) {
        const arr = Array.isArray(node[seg]) ? (node[seg] as unknown[]) : [];
        arr.push(value);
        node[seg] = arr;
        break;
      } else {
        const child = node[seg];
        node[seg] = child && typeof child === 'object' && !Array.isArray(child) ? child : {};
        node = node[seg] as Record<string, unknown>;
      }
    }
  }
  return arrayify(root) as TParams;
}

/** Objects whose keys are all indices (`line_items[0]`, `line_items[1]`) become arrays. */
function arrayify(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(arrayify);
  if (!v || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => arrayify(o[String(k)]));
  }
  return Object.fromEntries(keys.map((k) => [k, arrayify(o[k])]));
}

class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly param?: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const missing = (kind: string, id: string) =>
  new StripeError(404, 'invalid_request_error', `No such ${kind}: '${id}'`, 'id', 'resource_missing');

function allowOnly(params: TParams, allowed: string[]): void {
  for (const k of Object.keys(params)) {
    if (!allowed.includes(k))
      throw new StripeError(400, 'invalid_request_error', `Received unknown parameter: ${k}`, k, 'parameter_unknown');
  }
}

function requireString(params: TParams, key: string): string {
  const v = params[key];
  if (typeof v !== 'string' || v === '')
    throw new StripeError(400, 'invalid_request_error', `Missing required param: ${key}.`, key, 'parameter_missing');
  return v;
}

function metadataOf(v: unknown, param: string): Record<string, string> {
  if (v === undefined || v === '') return {};
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new StripeError(400, 'invalid_request_error', `Invalid object`, param, 'parameter_invalid_empty');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string' || k.length > 40 || val.length > 500)
      throw new StripeError(400, 'invalid_request_error', `Invalid metadata value`, `${param}[${k}]`);
    out[k] = val;
  }
  return out;
}

const bool = (v: unknown, param: string): boolean | undefined => {
  if (v === undefined) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new StripeError(400, 'invalid_request_error', `Invalid boolean: ${String(v)}`, param);
};

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const money = (cents: number, currency: string) => `${currency === 'usd' ? '$' : ''}${(cents / 100).toFixed(2)}`;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_MAX) {
        reject(new StripeError(413, 'invalid_request_error', 'Request body too large'));
        req.pause();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The fake
// ---------------------------------------------------------------------------------------------------------------

export async function startFakeStripe(opts: TFakeStripeOptions = {}): Promise<TFakeStripe> {
  const secretKeys = opts.secretKeys ?? [`sk_test_${randomBytes(12).toString('hex')}`];
  let webhookUrl: string | null = opts.webhookUrl ?? null;
  let webhookSecret = opts.webhookSecret ?? `whsec_${randomBytes(16).toString('hex')}`;
  let clockOffset = 0;
  let held = opts.holdDeliveries ?? false;
  const heldEvents: TFakeStripeEvent[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const store = new Map<string, TStripeObject>();
  /** Insertion order per object type, for lists. */
  const order = new Map<string, string[]>();
  const eventsLog: TFakeStripeEvent[] = [];
  const calls: TFakeStripeCall[] = [];
  const deliveries: TFakeStripeDelivery[] = [];
  const idempotency = new Map<string, { fingerprint: string; status: number; body: string }>();
  const failingCards = new Set<string>();
  const trialReminded = new Set<string>();
  let baseUrl = '';

  const now = () => Math.floor(Date.now() / 1000) + clockOffset;
  const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
  const clone = <T>(v: T): T => structuredClone(v);

  function put(obj: TStripeObject): TStripeObject {
    if (!store.has(obj.id)) {
      const list = order.get(obj.object) ?? [];
      list.push(obj.id);
      order.set(obj.object, list);
    }
    store.set(obj.id, obj);
    return obj;
  }
  function getOf(kind: string, id: string, label = kind): TStripeObject {
    const o = store.get(id);
    if (!o || o.object !== kind) throw missing(label, id);
    return o;
  }

  // Seed: one product per paid plan, one price per interval, found by lookup_key.
  for (const planId of PLAN_IDS) {
    const plan = PLANS[planId];
    if (!plan.prices) continue;
    const product = put({
      id: newId('prod'),
      object: 'product',
      name: `PocketPing ${plan.name}`,
      active: true,
      created: now(),
      livemode: false,
      metadata: { plan: planId },
    });
    for (const interval of BILLING_INTERVALS) {
      put({
        id: newId('price'),
        object: 'price',
        active: true,
        currency: plan.currency,
        lookup_key: stripeLookupKey(planId, interval),
        nickname: `${plan.name} ${interval}`,
        product: product.id,
        recurring: { interval: interval === 'monthly' ? 'month' : 'year', interval_count: 1, usage_type: 'licensed' },
        type: 'recurring',
        unit_amount: plan.prices[interval],
        created: now(),
        livemode: false,
        metadata: {},
      });
    }
  }

  // ── Events and deliveries ──────────────────────────────────────────────────────────────────────────────────────

  async function deliver(event: TFakeStripeEvent): Promise<number> {
    if (!webhookUrl) return 0;
    const payload = JSON.stringify(event, null, 2);
    const header = signStripePayload(payload, webhookSecret, now());
    let status = 0;
    try {
      const res = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': header },
        body: payload,
        signal: AbortSignal.timeout(30_000),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch {
      status = 0;
    }
    deliveries.push({ eventId: event.id, type: event.type, status, at: Date.now() });
    return status;
  }
  function track<T>(p: Promise<T>): Promise<T> {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  }

  function emit(type: string, object: TStripeObject, previous?: Record<string, unknown>): TFakeStripeEvent {
    const event: TFakeStripeEvent = {
      id: newId('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: now(),
      data: { object: clone(publicObject(object)), ...(previous ? { previous_attributes: previous } : {}) },
      livemode: false,
      pending_webhooks: webhookUrl ? 1 : 0,
      request: { id: null, idempotency_key: null },
      type,
    };
    put(event);
    eventsLog.push(event);
    if (held) heldEvents.push(event);
    else void track(deliver(event));
    return event;
  }

  // ── Billing mechanics ─────────────────────────────────────────────────────────────────────────────────────────

  const periodSeconds = (price: TStripeObject) =>
    (price.recurring as { interval: string }).interval === 'year' ? 365 * DAY : 30 * DAY;
  const itemOf = (sub: TStripeObject) => (sub.items as { data: TStripeObject[] }).data[0]!;
  const priceOf = (sub: TStripeObject) => itemOf(sub).price as TStripeObject;

  function createInvoice(sub: TStripeObject, reason: string, amount: number): TStripeObject {
    const item = itemOf(sub);
    const price = item.price as TStripeObject;
    const id = newId('in');
    const count = (order.get('invoice')?.length ?? 0) + 1;
    return put({
      id,
      object: 'invoice',
      customer: sub.customer,
      number: `PP-${String(count).padStart(4, '0')}`,
      status: 'open',
      amount_due: amount,
      amount_paid: 0,
      amount_remaining: amount,
      currency: price.currency,
      created: now(),
      billing_reason: reason,
      attempt_count: 0,
      period_start: item.current_period_start,
      period_end: item.current_period_end,
      hosted_invoice_url: `${baseUrl}/invoice/${id}`,
      invoice_pdf: `${baseUrl}/invoice/${id}/pdf`,
      livemode: false,
      parent: {
        type: 'subscription_details',
        quote_details: null,
        subscription_details: { subscription: sub.id, metadata: clone(sub.metadata) },
      },
      lines: {
        object: 'list',
        data: [
          {
            id: newId('il'),
            object: 'line_item',
            amount,
            currency: price.currency,
            description: `1 × ${String(price.nickname)}`,
            pricing: { type: 'price_details', price_details: { price: price.id, product: price.product } },
          },
        ],
        has_more: false,
        url: `/v1/invoices/${id}/lines`,
      },
    });
  }

  /** Tries to collect an open invoice with the customer's card. */
  function collect(invoice: TStripeObject): boolean {
    invoice.attempt_count = Number(invoice.attempt_count) + 1;
    if (Number(invoice.amount_due) > 0 && failingCards.has(String(invoice.customer))) {
      emit('invoice.payment_failed', invoice);
      return false;
    }
    invoice.status = 'paid';
    invoice.amount_paid = invoice.amount_due;
    invoice.amount_remaining = 0;
    emit('invoice.paid', invoice);
    return true;
  }

  function setStatus(sub: TStripeObject, status: string, extra: Record<string, unknown> = {}): void {
    const previous: Record<string, unknown> = { status: sub.status };
    for (const k of Object.keys(extra)) previous[k] = sub[k];
    Object.assign(sub, { status }, extra);
    if (status === 'canceled') emit('customer.subscription.deleted', sub);
    else emit('customer.subscription.updated', sub, previous);
  }

  function startPeriod(sub: TStripeObject, from: number): void {
    const item = itemOf(sub);
    item.current_period_start = from;
    item.current_period_end = from + periodSeconds(item.price as TStripeObject);
  }

  function advanceSubscription(sub: TStripeObject): void {
    const t = now();
    if (sub.status === 'canceled' || sub.status === 'incomplete_expired') return;
    if (sub.status === 'trialing') {
      const trialEnd = Number(sub.trial_end);
      if (t >= trialEnd - TRIAL_WILL_END_SECONDS && t < trialEnd && !trialReminded.has(sub.id)) {
        trialReminded.add(sub.id);
        emit('customer.subscription.trial_will_end', sub);
      }
      if (t < trialEnd) return;
      if (sub.cancel_at_period_end) {
        setStatus(sub, 'canceled', { ended_at: trialEnd, canceled_at: trialEnd });
        return;
      }
      startPeriod(sub, trialEnd);
      const invoice = createInvoice(sub, 'subscription_cycle', Number(priceOf(sub).unit_amount));
      sub.latest_invoice = invoice.id;
      const paid = collect(invoice);
      setStatus(sub, paid ? 'active' : 'past_due');
      return;
    }
    if (sub.status === 'past_due') {
      const open = store.get(String(sub.latest_invoice));
      if (open && open.status === 'open' && collect(open)) {
        setStatus(sub, 'active');
      } else if (t - Number(sub.past_due_since ?? t) >= PAST_DUE_RETRY_DAYS * DAY) {
        setStatus(sub, 'canceled', { ended_at: t, canceled_at: t });
        return;
      }
    }
    // Renewals: one per elapsed period.
    for (let guard = 0; guard < 60 && sub.status !== 'canceled'; guard++) {
      const item = itemOf(sub);
      const end = Number(item.current_period_end);
      if (t < end) break;
      if (sub.cancel_at_period_end) {
        setStatus(sub, 'canceled', { ended_at: end, canceled_at: end });
        break;
      }
      startPeriod(sub, end);
      const invoice = createInvoice(sub, 'subscription_cycle', Number(priceOf(sub).unit_amount));
      sub.latest_invoice = invoice.id;
      if (collect(invoice)) setStatus(sub, 'active');
      else {
        if (sub.status !== 'past_due') sub.past_due_since = t;
        setStatus(sub, 'past_due');
      }
    }
  }

  function createSubscription(session: TStripeObject): TStripeObject {
    const line = (session.line_items_input as Array<{ price: string; quantity: number }>)[0]!;
    const price = getOf('price', line.price);
    const subData = (session.subscription_data_input ?? {}) as { metadata?: Record<string, string>; trial?: number };
    const t = now();
    const id = newId('sub');
    const trialDays = subData.trial ?? 0;
    const sub = put({
      id,
      object: 'subscription',
      customer: session.customer,
      status: trialDays > 0 ? 'trialing' : 'incomplete',
      currency: price.currency,
      created: t,
      start_date: t,
      billing_cycle_anchor: t + trialDays * DAY,
      cancel_at_period_end: false,
      cancel_at: null,
      canceled_at: null,
      ended_at: null,
      trial_start: trialDays > 0 ? t : null,
      trial_end: trialDays > 0 ? t + trialDays * DAY : null,
      latest_invoice: null,
      livemode: false,
      metadata: subData.metadata ?? {},
      items: {
        object: 'list',
        data: [
          {
            id: newId('si'),
            object: 'subscription_item',
            subscription: id,
            price: clone(price),
            quantity: line.quantity,
            created: t,
            current_period_start: t,
            current_period_end: t + (trialDays > 0 ? trialDays * DAY : periodSeconds(price)),
            metadata: {},
          },
        ],
        has_more: false,
        url: `/v1/subscription_items?subscription=${id}`,
      },
    });
    return sub;
  }

  async function completeCheckout(sessionId: string, o: { decline?: boolean } = {}): Promise<'paid' | 'declined'> {
    const session = getOf('checkout.session', sessionId, 'checkout session');
    if (session.status !== 'open')
      throw new StripeError(400, 'invalid_request_error', 'This Checkout session is no longer open.');
    const customerId = String(session.customer);
    const customer = getOf('customer', customerId);
    if (o.decline) return 'declined';
    failingCards.delete(customerId);
    const pm = newId('pm');
    const previousSettings = clone(customer.invoice_settings);
    customer.invoice_settings = { default_payment_method: pm };
    emit('customer.updated', customer, { invoice_settings: previousSettings });
    const sub = createSubscription(session);
    const trialing = sub.status === 'trialing';
    const invoice = createInvoice(sub, 'subscription_create', trialing ? 0 : Number(priceOf(sub).unit_amount));
    sub.latest_invoice = invoice.id;
    if (!trialing) sub.status = 'active';
    emit('customer.subscription.created', sub);
    collect(invoice);
    Object.assign(session, {
      status: 'complete',
      payment_status: trialing ? 'no_payment_required' : 'paid',
      subscription: sub.id,
      invoice: invoice.id,
    });
    emit('checkout.session.completed', publicSession(session));
    await Promise.resolve();
    return 'paid';
  }

  function publicSession(s: TStripeObject): TStripeObject {
    const { line_items_input: _l, subscription_data_input: _s, ...rest } = s;
    return rest as TStripeObject;
  }
  function publicObject(o: TStripeObject): TStripeObject {
    if (o.object === 'checkout.session') return publicSession(o);
    if (o.object === 'subscription') {
      const { past_due_since: _p, ...rest } = o;
      return rest as TStripeObject;
    }
    return o;
  }

  // ── Expansion and lists ───────────────────────────────────────────────────────────────────────────────────────

  function expand(obj: unknown, paths: string[]): unknown {
    if (!obj || typeof obj !== 'object') return obj;
    const out = clone(obj) as Record<string, unknown>;
    for (const p of paths) {
      const [head, ...rest] = p.split('.');
      if (!head || !(head in out)) continue;
      const v = out[head];
      if (typeof v === 'string' && store.has(v))
        out[head] = expand(publicObject(clone(store.get(v)!)), [rest.join('.')]);
      else if (Array.isArray(v)) out[head] = v.map((x) => expand(x, [rest.join('.')]));
      else if (v && typeof v === 'object' && rest.length) out[head] = expand(v, [rest.join('.')]);
    }
    return out;
  }

  function list(kind: string, url: string, params: TParams, filter: (o: TStripeObject) => boolean) {
    const limit = params.limit === undefined ? 10 : Number(params.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw new StripeError(400, 'invalid_request_error', 'Invalid integer: limit must be between 1 and 100', 'limit');
    let all = (order.get(kind) ?? [])
      .map((id) => store.get(id)!)
      .filter(filter)
      .reverse();
    if (typeof params.starting_after === 'string') {
      const i = all.findIndex((o) => o.id === params.starting_after);
      if (i < 0) throw missing(kind, params.starting_after);
      all = all.slice(i + 1);
    } else if (typeof params.ending_before === 'string') {
      const i = all.findIndex((o) => o.id === params.ending_before);
      if (i < 0) throw missing(kind, params.ending_before);
      all = all.slice(Math.max(0, i - limit), i);
      return { object: 'list', url, has_more: i - limit > 0, data: all.map(publicObject) };
    }
    return { object: 'list', url, has_more: all.length > limit, data: all.slice(0, limit).map(publicObject) };
  }
  const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'expand', 'created'];

  // ── API routes ────────────────────────────────────────────────────────────────────────────────────────────────

  function api(method: string, path: string, params: TParams): unknown {
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/v1/prices') {
      allowOnly(params, [...LIST_PARAMS, 'lookup_keys', 'active', 'product', 'currency', 'type']);
      const keys = params.lookup_keys as string[] | undefined;
      const active = bool(params.active, 'active');
      return list('price', path, params, (p) => {
        if (keys && !keys.includes(String(p.lookup_key))) return false;
        if (active !== undefined && p.active !== active) return false;
        return !params.product || p.product === params.product;
      });
    }
    if (method === 'GET' && (m = /^\/v1\/prices\/([^/]+)$/.exec(path))) return getOf('price', m[1]!);
    if (method === 'GET' && (m = /^\/v1\/products\/([^/]+)$/.exec(path))) return getOf('product', m[1]!);

    if (method === 'POST' && path === '/v1/customers') {
      allowOnly(params, ['email', 'name', 'metadata', 'description', 'expand']);
      return put({
        id: newId('cus'),
        object: 'customer',
        email: typeof params.email === 'string' ? params.email : null,
        name: typeof params.name === 'string' ? params.name : null,
        description: typeof params.description === 'string' ? params.description : null,
        metadata: metadataOf(params.metadata, 'metadata'),
        invoice_settings: { default_payment_method: null },
        created: now(),
        livemode: false,
      });
    }
    if (method === 'GET' && path === '/v1/customers') {
      allowOnly(params, [...LIST_PARAMS, 'email']);
      return list('customer', path, params, (c) => !params.email || c.email === params.email);
    }
    if ((m = /^\/v1\/customers\/([^/]+)$/.exec(path))) {
      const customer = getOf('customer', m[1]!);
      if (method === 'GET') return customer;
      if (method === 'POST') {
        allowOnly(params, ['email', 'name', 'metadata', 'description', 'expand']);
        const previous: Record<string, unknown> = {};
        for (const k of ['email', 'name', 'description'] as const) {
          if (typeof params[k] === 'string') {
            previous[k] = customer[k];
            customer[k] = params[k];
          }
        }
        if (params.metadata !== undefined) {
          previous.metadata = clone(customer.metadata);
          customer.metadata = { ...(customer.metadata as object), ...metadataOf(params.metadata, 'metadata') };
        }
        emit('customer.updated', customer, previous);
        return customer;
      }
    }

    if (method === 'POST' && path === '/v1/checkout/sessions') {
      allowOnly(params, [
        'mode',
        'customer',
        'customer_email',
        'client_reference_id',
        'line_items',
        'success_url',
        'cancel_url',
        'metadata',
        'subscription_data',
        'allow_promotion_codes',
        'expand',
      ]);
      const mode = requireString(params, 'mode');
      if (mode !== 'subscription')
        throw new StripeError(400, 'invalid_request_error', 'The fake supports mode=subscription only.', 'mode');
      const successUrl = requireString(params, 'success_url');
      const items = params.line_items;
      if (!Array.isArray(items) || items.length !== 1)
        throw new StripeError(400, 'invalid_request_error', 'line_items must hold one recurring price.', 'line_items');
      const li = items[0] as Record<string, unknown>;
      const price = getOf('price', String(li.price), 'price');
      const quantity = li.quantity === undefined ? 1 : Number(li.quantity);
      if (!Number.isInteger(quantity) || quantity < 1)
        throw new StripeError(400, 'invalid_request_error', 'Invalid quantity', 'line_items[0][quantity]');
      let customer = typeof params.customer === 'string' ? params.customer : null;
      if (customer) getOf('customer', customer);
      else {
        customer = put({
          id: newId('cus'),
          object: 'customer',
          email: typeof params.customer_email === 'string' ? params.customer_email : null,
          name: null,
          metadata: {},
          invoice_settings: { default_payment_method: null },
          created: now(),
          livemode: false,
        }).id;
      }
      const subData = (params.subscription_data ?? {}) as Record<string, unknown>;
      const trial = subData.trial_period_days === undefined ? 0 : Number(subData.trial_period_days);
      if (!Number.isInteger(trial) || trial < 0 || trial > 730)
        throw new StripeError(
          400,
          'invalid_request_error',
          'Invalid trial days',
          'subscription_data[trial_period_days]',
        );
      const id = `cs_test_${randomBytes(24).toString('base64url').replace(/[-_]/g, 'x')}`;
      return publicSession(
        put({
          id,
          object: 'checkout.session',
          mode,
          status: 'open',
          payment_status: 'unpaid',
          customer,
          client_reference_id: typeof params.client_reference_id === 'string' ? params.client_reference_id : null,
          success_url: successUrl,
          cancel_url: typeof params.cancel_url === 'string' ? params.cancel_url : null,
          metadata: metadataOf(params.metadata, 'metadata'),
          subscription: null,
          invoice: null,
          amount_total: trial > 0 ? 0 : Number(price.unit_amount) * quantity,
          currency: price.currency,
          url: `${baseUrl}/checkout/${id}`,
          created: now(),
          expires_at: now() + DAY,
          livemode: false,
          line_items_input: [{ price: price.id, quantity }],
          subscription_data_input: {
            metadata: metadataOf(subData.metadata, 'subscription_data[metadata]'),
            trial,
          },
        }),
      );
    }
    if (method === 'GET' && (m = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(path)))
      return getOf('checkout.session', m[1]!, 'checkout.session');

    if (method === 'POST' && path === '/v1/billing_portal/sessions') {
      allowOnly(params, ['customer', 'return_url', 'configuration', 'expand']);
      const customer = getOf('customer', requireString(params, 'customer')).id;
      const id = newId('bps');
      return put({
        id,
        object: 'billing_portal.session',
        customer,
        return_url: typeof params.return_url === 'string' ? params.return_url : null,
        url: `${baseUrl}/portal/${id}`,
        created: now(),
        livemode: false,
      });
    }

    if (method === 'GET' && path === '/v1/subscriptions') {
      allowOnly(params, [...LIST_PARAMS, 'customer', 'status', 'price']);
      const status = typeof params.status === 'string' ? params.status : null;
      return list('subscription', path, params, (s) => {
        if (params.customer && s.customer !== params.customer) return false;
        if (status === 'all') return true;
        if (status) return s.status === status;
        return s.status !== 'canceled';
      });
    }
    if ((m = /^\/v1\/subscriptions\/([^/]+)$/.exec(path))) {
      const sub = getOf('subscription', m[1]!);
      if (method === 'GET') return sub;
      if (method === 'DELETE') {
        allowOnly(params, ['invoice_now', 'prorate', 'expand', 'cancellation_details']);
        if (sub.status === 'canceled') return sub;
        setStatus(sub, 'canceled', { ended_at: now(), canceled_at: now() });
        return sub;
      }
      if (method === 'POST') {
        allowOnly(params, ['cancel_at_period_end', 'items', 'metadata', 'proration_behavior', 'expand']);
        if (sub.status === 'canceled')
          throw new StripeError(400, 'invalid_request_error', 'A canceled subscription can only update its metadata.');
        const previous: Record<string, unknown> = {};
        const cape = bool(params.cancel_at_period_end, 'cancel_at_period_end');
        if (cape !== undefined && cape !== sub.cancel_at_period_end) {
          previous.cancel_at_period_end = sub.cancel_at_period_end;
          sub.cancel_at_period_end = cape;
          sub.cancel_at = cape ? itemOf(sub).current_period_end : null;
          sub.canceled_at = cape ? now() : null;
        }
        if (params.items !== undefined) {
          const items = params.items as Array<Record<string, unknown>>;
          if (!Array.isArray(items) || items.length !== 1)
            throw new StripeError(400, 'invalid_request_error', 'items must hold one item.', 'items');
          const item = itemOf(sub);
          if (items[0]!.id !== undefined && items[0]!.id !== item.id)
            throw missing('subscription_item', String(items[0]!.id));
          const price = getOf('price', String(items[0]!.price), 'price');
          previous.items = clone(sub.items);
          item.price = clone(price);
        }
        if (params.metadata !== undefined) {
          previous.metadata = clone(sub.metadata);
          sub.metadata = { ...(sub.metadata as object), ...metadataOf(params.metadata, 'metadata') };
        }
        emit('customer.subscription.updated', sub, previous);
        return sub;
      }
    }

    if (method === 'GET' && path === '/v1/invoices') {
      allowOnly(params, [...LIST_PARAMS, 'customer', 'subscription', 'status']);
      return list('invoice', path, params, (i) => {
        if (params.customer && i.customer !== params.customer) return false;
        if (params.status && i.status !== params.status) return false;
        const sd = (i.parent as { subscription_details: { subscription: string } }).subscription_details;
        return !params.subscription || sd.subscription === params.subscription;
      });
    }
    if (method === 'GET' && (m = /^\/v1\/invoices\/([^/]+)$/.exec(path))) return getOf('invoice', m[1]!);

    if (method === 'GET' && path === '/v1/events') {
      allowOnly(params, [...LIST_PARAMS, 'type', 'types']);
      return list('event', path, params, (e) => !params.type || e.type === params.type);
    }
    if (method === 'GET' && (m = /^\/v1\/events\/([^/]+)$/.exec(path))) return getOf('event', m[1]!);

    throw new StripeError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`);
  }

  function authenticate(req: IncomingMessage): string {
    const header = req.headers.authorization ?? '';
    let key = '';
    if (/^Bearer /i.test(header)) key = header.slice(7).trim();
    else if (/^Basic /i.test(header)) key = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')[0] ?? '';
    if (!key)
      throw new StripeError(
        401,
        'invalid_request_error',
        'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.',
      );
    if (!secretKeys.includes(key))
      throw new StripeError(
        401,
        'invalid_request_error',
        `Invalid API Key provided: ${key.slice(0, 8)}****`,
        undefined,
        'api_key_invalid',
      );
    return key;
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const call: TFakeStripeCall = {
      method,
      path: url.pathname,
      params: {},
      idempotencyKey: (req.headers['idempotency-key'] as string | undefined) ?? null,
      status: 200,
    };
    calls.push(call);
    const requestId = `req_${randomBytes(8).toString('hex')}`;
    const send = (status: number, body: string, extra: Record<string, string> = {}) => {
      call.status = status;
      res.writeHead(status, {
        'content-type': 'application/json',
        'request-id': requestId,
        'stripe-version': API_VERSION,
        ...extra,
      });
      res.end(body);
    };
    try {
      const key = authenticate(req);
      const raw = method === 'POST' ? await readBody(req) : url.search.slice(1);
      const params = parseStripeForm(raw);
      call.params = params;
      const idemKey = call.idempotencyKey;
      const fingerprint = `${method} ${url.pathname} ${JSON.stringify(params)}`;
      if (method === 'POST' && idemKey) {
        const prior = idempotency.get(`${key}:${idemKey}`);
        if (prior) {
          if (prior.fingerprint !== fingerprint)
            throw new StripeError(
              400,
              'idempotency_error',
              `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idemKey}' if you meant to execute a different request.`,
            );
          send(prior.status, prior.body, { 'idempotent-replayed': 'true', 'idempotency-key': idemKey });
          return;
        }
      }
      const result = api(method, url.pathname, params);
      const expandPaths = Array.isArray(params.expand) ? (params.expand as string[]) : [];
      const shaped =
        result && typeof result === 'object' && (result as { object?: string }).object === 'list'
          ? {
              ...(result as object),
              data: (result as { data: unknown[] }).data.map((d) =>
                expand(
                  d,
                  expandPaths.filter((p) => p.startsWith('data.')).map((p) => p.slice(5)),
                ),
              ),
            }
          : expand(publicObject(result as TStripeObject), expandPaths);
      const body = JSON.stringify(shaped);
      if (method === 'POST' && idemKey) idempotency.set(`${key}:${idemKey}`, { fingerprint, status: 200, body });
      send(200, body, idemKey ? { 'idempotency-key': idemKey } : {});
    } catch (err) {
      const e =
        err instanceof StripeError
          ? err
          : new StripeError(500, 'api_error', err instanceof Error ? err.message : 'Internal error');
      call.error = e.type;
      send(
        e.status,
        JSON.stringify({
          error: {
            type: e.type,
            message: e.message,
            ...(e.code ? { code: e.code } : {}),
            ...(e.param ? { param: e.param } : {}),
            request_log_url: null,
          },
        }),
      );
    }
  }

  // ── Hosted pages ──────────────────────────────────────────────────────────────────────────────────────────────

  const page = (title: string, body: string) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<style>body{font:15px system-ui,sans-serif;max-width:520px;margin:40px auto;padding:0 16px;color:#1a1f36}` +
    `.box{border:1px solid #e3e8ee;border-radius:8px;padding:16px;margin:12px 0}button{background:#635bff;color:#fff;` +
    `border:0;border-radius:6px;padding:10px 16px;font-size:15px;cursor:pointer}label{display:block;margin:6px 0}` +
    `.err{color:#c0123c}.muted{color:#697386}</style></head><body><p class="muted">Fake Stripe (test mode)</p>${body}</body></html>`;
  const sendHtml = (res: ServerResponse, status: number, html: string) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
  };
  const redirect = (res: ServerResponse, location: string) => {
    res.writeHead(303, { location });
    res.end();
  };

  function checkoutPage(session: TStripeObject, error?: string): string {
    const line = (session.line_items_input as Array<{ price: string }>)[0]!;
    const price = getOf('price', line.price);
    const per = (price.recurring as { interval: string }).interval;
    const trial = (session.subscription_data_input as { trial: number }).trial;
    return page(
      'Checkout',
      `<h1>Subscribe to ${escapeHtml(String(price.nickname))}</h1>` +
        `<p><strong>${money(Number(price.unit_amount), String(price.currency))}</strong> per ${per}` +
        `${trial ? ` after a ${trial}-day trial` : ''}</p>` +
        (error ? `<p class="err" role="alert">${escapeHtml(error)}</p>` : '') +
        `<form method="post" action="/checkout/${session.id}/pay" class="box">` +
        `<label><input type="radio" name="card" value="4242424242424242" checked> Visa •••• 4242 (pays)</label>` +
        `<label><input type="radio" name="card" value="4000000000000002"> Visa •••• 0002 (declined)</label>` +
        `<button type="submit">Pay</button></form>` +
        (session.cancel_url ? `<p><a href="${escapeHtml(String(session.cancel_url))}">← Back</a></p>` : ''),
    );
  }

  function portalPage(ps: TStripeObject): string {
    const customer = String(ps.customer);
    const subs = (order.get('subscription') ?? [])
      .map((id) => store.get(id)!)
      .filter((s) => s.customer === customer && s.status !== 'canceled');
    const invoices = (order.get('invoice') ?? [])
      .map((id) => store.get(id)!)
      .filter((i) => i.customer === customer)
      .reverse();
    const prices = (order.get('price') ?? []).map((id) => store.get(id)!);
    const subHtml = subs
      .map((s) => {
        const current = priceOf(s);
        const switches = prices
          .filter((p) => p.id !== current.id)
          .map(
            (p) =>
              `<form method="post" action="/portal/${ps.id}/switch" style="display:inline">` +
              `<input type="hidden" name="subscription" value="${s.id}"><input type="hidden" name="price" value="${p.id}">` +
              `<button type="submit">Switch to ${escapeHtml(String(p.nickname))}</button></form> `,
          )
          .join('');
        const cancel = s.cancel_at_period_end
          ? `<p>Cancels at the end of the period.</p><form method="post" action="/portal/${ps.id}/resume">` +
            `<input type="hidden" name="subscription" value="${s.id}"><button type="submit">Renew plan</button></form>`
          : `<form method="post" action="/portal/${ps.id}/cancel"><input type="hidden" name="subscription" value="${s.id}">` +
            `<button type="submit">Cancel plan</button></form>`;
        return `<div class="box"><h2>${escapeHtml(String(current.nickname))}</h2><p>Status: ${String(s.status)}</p>${cancel}<p>${switches}</p></div>`;
      })
      .join('');
    const invHtml = invoices
      .map(
        (i) =>
          `<li><a href="${escapeHtml(String(i.hosted_invoice_url))}">${escapeHtml(String(i.number))}</a> — ` +
          `${money(Number(i.amount_due), String(i.currency))} — ${String(i.status)}</li>`,
      )
      .join('');
    return page(
      'Billing portal',
      `<h1>Manage your billing</h1>${subHtml || '<p>No active subscription.</p>'}` +
        `<h2>Invoices</h2><ul>${invHtml || '<li>None yet</li>'}</ul>` +
        (ps.return_url ? `<p><a href="${escapeHtml(String(ps.return_url))}">← Return</a></p>` : ''),
    );
  }

  async function handlePage(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const method = req.method ?? 'GET';
    let m: RegExpExecArray | null;
    if ((m = /^\/checkout\/([^/]+)(\/pay)?$/.exec(url.pathname))) {
      const session = store.get(m[1]!);
      if (!session || session.object !== 'checkout.session') {
        sendHtml(res, 404, page('Not found', '<h1>This Checkout session does not exist.</h1>'));
        return true;
      }
      if (method === 'GET' && !m[2]) {
        if (session.status !== 'open')
          redirect(res, String(session.success_url).replace('{CHECKOUT_SESSION_ID}', session.id));
        else sendHtml(res, 200, checkoutPage(session));
        return true;
      }
      if (method === 'POST' && m[2]) {
        const form = new URLSearchParams(await readBody(req));
        const declined = form.get('card') === '4000000000000002';
        if (session.status !== 'open') {
          redirect(res, String(session.success_url).replace('{CHECKOUT_SESSION_ID}', session.id));
          return true;
        }
        const outcome = await completeCheckout(session.id, { decline: declined });
        if (outcome === 'declined') sendHtml(res, 402, checkoutPage(session, 'Your card was declined.'));
        else redirect(res, String(session.success_url).replace('{CHECKOUT_SESSION_ID}', session.id));
        return true;
      }
    }
    if ((m = /^\/portal\/([^/]+)(?:\/(switch|cancel|resume))?$/.exec(url.pathname))) {
      const ps = store.get(m[1]!);
      if (!ps || ps.object !== 'billing_portal.session') {
        sendHtml(res, 404, page('Not found', '<h1>This portal session does not exist.</h1>'));
        return true;
      }
      if (method === 'GET' && !m[2]) {
        sendHtml(res, 200, portalPage(ps));
        return true;
      }
      if (method === 'POST' && m[2]) {
        const form = new URLSearchParams(await readBody(req));
        const sub = store.get(form.get('subscription') ?? '');
        if (!sub || sub.object !== 'subscription' || sub.customer !== ps.customer) {
          sendHtml(res, 404, page('Not found', '<h1>No such subscription.</h1>'));
          return true;
        }
        try {
          if (m[2] === 'switch')
            api('POST', `/v1/subscriptions/${sub.id}`, {
              items: [{ id: itemOf(sub).id, price: form.get('price') ?? '' }],
            });
          if (m[2] === 'cancel') api('POST', `/v1/subscriptions/${sub.id}`, { cancel_at_period_end: 'true' });
          if (m[2] === 'resume') api('POST', `/v1/subscriptions/${sub.id}`, { cancel_at_period_end: 'false' });
        } catch (err) {
          sendHtml(
            res,
            400,
            page('Error', `<p class="err">${escapeHtml(err instanceof Error ? err.message : 'Error')}</p>`),
          );
          return true;
        }
        redirect(res, `/portal/${ps.id}`);
        return true;
      }
    }
    if ((m = /^\/invoice\/([^/]+?)(\/pdf)?$/.exec(url.pathname)) && method === 'GET') {
      const inv = store.get(m[1]!);
      if (!inv || inv.object !== 'invoice') {
        sendHtml(res, 404, page('Not found', '<h1>No such invoice.</h1>'));
        return true;
      }
      sendHtml(
        res,
        200,
        page(
          `Invoice ${String(inv.number)}`,
          `<h1>Invoice ${escapeHtml(String(inv.number))}</h1><div class="box"><p>Amount: ${money(Number(inv.amount_due), String(inv.currency))}</p>` +
            `<p>Status: ${escapeHtml(String(inv.status))}</p><p>Date: ${new Date(Number(inv.created) * 1000).toISOString().slice(0, 10)}</p></div>`,
        ),
      );
      return true;
    }
    return false;
  }

  // ── Server ────────────────────────────────────────────────────────────────────────────────────────────────────

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const run = async () => {
      if (url.pathname === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
        return;
      }
      if (url.pathname.startsWith('/v1/')) return handleApi(req, res, url);
      if (await handlePage(req, res, url)) return;
      sendHtml(res, 404, page('Not found', '<h1>Not found</h1>'));
    };
    run().catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(err instanceof Error ? err.message : 'error');
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;
  let closed = false;

  return {
    baseUrl,
    host: '127.0.0.1',
    port,
    protocol: 'http',
    secretKey: secretKeys[0]!,
    get webhookSecret() {
      return webhookSecret;
    },
    calls,
    deliveries,
    events: () => eventsLog.map((e) => publicObject(e) as TFakeStripeEvent),
    setWebhook(url, secret) {
      webhookUrl = url;
      if (secret) webhookSecret = secret;
    },
    now,
    async advanceClock(seconds) {
      if (!Number.isFinite(seconds) || seconds < 0) throw new Error('advanceClock: seconds must be ≥ 0');
      clockOffset += Math.floor(seconds);
      for (const id of [...(order.get('subscription') ?? [])]) advanceSubscription(store.get(id)!);
      await Promise.resolve();
    },
    setCardFailing(customerId, failing) {
      getOf('customer', customerId);
      if (failing) failingCards.add(customerId);
      else failingCards.delete(customerId);
    },
    completeCheckout,
    holdDeliveries() {
      held = true;
    },
    async releaseDeliveries(o = 'as_happened') {
      held = false;
      const batch = heldEvents.splice(0, heldEvents.length);
      if (o === 'reversed') batch.reverse();
      for (const e of batch) await track(deliver(e));
    },
    async resend(eventId) {
      const e = getOf('event', eventId) as TFakeStripeEvent;
      return track(deliver(publicObject(e) as TFakeStripeEvent));
    },
    async flush() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    get: (id) => {
      const o = store.get(id);
      return o ? (publicObject(clone(o)) as TStripeObject) : undefined;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
