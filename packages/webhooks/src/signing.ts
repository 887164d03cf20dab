import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks signing: `webhook-signature` = space-separated `v1,<base64 HMAC-SHA256>` of
 * `${webhook-id}.${webhook-timestamp}.${body}`, keyed with the base64 part of the `whsec_…` secret. During a
 * rotation's overlap the message is signed with both secrets, so a receiver holding either one verifies it.
 */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** A new endpoint secret: `whsec_` + 32 random bytes in base64. */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

function secretKey(secret: string): Buffer {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) throw new Error('A webhook secret starts with whsec_');
  return Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
}

/** One `v1,<signature>` per secret (the current one first). */
export function signWebhook(input: {
  id: string;
  timestampSeconds: number;
  body: string;
  secrets: readonly string[];
}): string {
  const content = `${input.id}.${input.timestampSeconds}.${input.body}`;
  return input.secrets
    .map((s) => `v1,${createHmac('sha256', secretKey(s)).update(content).digest('base64')}`)
    .join(' ');
}

/** The three headers of one attempt (the id never changes between attempts; the timestamp is the attempt's). */
export function webhookHeaders(input: {
  id: string;
  body: string;
  secrets: readonly string[];
  now?: Date;
}): Record<string, string> {
  const timestampSeconds = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return {
    'content-type': 'application/json',
    'webhook-id': input.id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signWebhook({ id: input.id, timestampSeconds, body: input.body, secrets: input.secrets }),
  };
}
