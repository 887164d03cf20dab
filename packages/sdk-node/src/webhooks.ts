import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Verifies a PocketPing webhook (the Standard Webhooks scheme): `webhook-signature` holds one or more
 * space-separated `v1,<base64 HMAC-SHA256>` of `${webhook-id}.${webhook-timestamp}.${raw body}`, keyed with the
 * base64 part of your `whsec_…` secret. Pass several secrets while you rotate; any one matching is enough.
 * Verify the RAW body (the exact bytes received), not a re-serialized object.
 */

export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/** Headers as fetch gives them, or as Node's `req.headers` (lower-case keys). */
export type TWebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface TWebhookEvent<T = unknown> {
  /** The webhook-id: the same on every retry and replay of one event — dedupe on it. */
  id: string;
  /** e.g. message.created, conversation.closed, event.custom, webhook.test. */
  type: string;
  timestamp: string;
  data: T;
}

function header(headers: TWebhookHeaders, name: string): string | null {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const v = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

function secretKey(secret: string): Buffer {
  const raw = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(raw, 'base64');
  if (key.length === 0) throw new TypeError('A webhook secret is whsec_ followed by base64');
  return key;
}

export interface TVerifyWebhookOptions {
  /** The raw body, as received. */
  payload: string | Uint8Array;
  headers: TWebhookHeaders;
  /** Your endpoint's secret, or several during a rotation. */
  secret: string | readonly string[];
  /** How far webhook-timestamp may be from now, either way (default 300 s). */
  toleranceSeconds?: number;
  /** Now (tests). */
  now?: Date;
}

/** Checks the signature and the timestamp; answers the parsed event, or throws WebhookVerificationError. */
export function verifyWebhook<T = unknown>(options: TVerifyWebhookOptions): TWebhookEvent<T> {
  const id = header(options.headers, 'webhook-id');
  const timestamp = header(options.headers, 'webhook-timestamp');
  const signatures = header(options.headers, 'webhook-signature');
  if (!id || !timestamp || !signatures)
    throw new WebhookVerificationError('Missing webhook-id, -timestamp or -signature');
  if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookVerificationError('Invalid webhook-timestamp');
  const nowSec = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  const ts = Number(timestamp);
  if (ts < nowSec - tolerance) throw new WebhookVerificationError('Message timestamp too old');
  if (ts > nowSec + tolerance) throw new WebhookVerificationError('Message timestamp too new');

  const body = typeof options.payload === 'string' ? options.payload : Buffer.from(options.payload).toString('utf8');
  const secrets = typeof options.secret === 'string' ? [options.secret] : options.secret;
  if (secrets.length === 0) throw new TypeError('Pass at least one secret');
  const given = signatures
    .split(' ')
    .map((s) => s.split(','))
    .filter(([version, sig]) => version === 'v1' && sig)
    .map(([, sig]) => Buffer.from(sig!, 'base64'));
  const content = `${id}.${timestamp}.${body}`;
  const matches = secrets.some((secret) => {
    const expected = createHmac('sha256', secretKey(secret)).update(content).digest();
    return given.some((g) => g.length === expected.length && timingSafeEqual(g, expected));
  });
  if (!matches) throw new WebhookVerificationError('No matching signature found');

  let parsed: { type?: unknown; timestamp?: unknown; data?: unknown };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    throw new WebhookVerificationError('The body is not JSON');
  }
  return {
    id,
    type: String(parsed.type ?? ''),
    timestamp: String(parsed.timestamp ?? ''),
    data: parsed.data as T,
  };
}
