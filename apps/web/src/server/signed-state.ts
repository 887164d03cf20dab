import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { safeEqual } from '@pocketping/core';

/**
 * The OAuth `state` of our install flows (Slack, Discord): `<base64url JSON>.<HMAC>`, signed with AUTH_SECRET under a
 * purpose (so a Slack state is never accepted by the Discord callback), expiring after `ttlSeconds`, with a nonce.
 * The fields are short keys chosen by the caller; `e` (expiry) and `n` (nonce) are added here.
 */
const MAX_STATE_CHARS = 1000;

const mac = (secret: string, purpose: string, payload: string) =>
  createHmac('sha256', secret).update(`${purpose}:${payload}`).digest('base64url');

export function signState(
  secret: string,
  purpose: string,
  fields: Record<string, unknown>,
  ttlSeconds: number,
  nowMs = Date.now(),
): string {
  const payload = Buffer.from(
    JSON.stringify({ ...fields, e: Math.floor(nowMs / 1000) + ttlSeconds, n: randomBytes(8).toString('base64url') }),
  ).toString('base64url');
  return `${payload}.${mac(secret, purpose, payload)}`;
}

/** The fields, if the state is well-formed, signed for this purpose, unexpired and matches `schema`; else null. */
export function verifyState<T extends z.ZodTypeAny>(
  secret: string,
  purpose: string,
  state: string,
  schema: T,
  nowMs = Date.now(),
): z.infer<T> | null {
  if (state.length > MAX_STATE_CHARS) return null;
  const [payload, sig, ...rest] = state.split('.');
  if (!payload || !sig || rest.length > 0 || !safeEqual(sig, mac(secret, purpose, payload))) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const expiry = z.object({ e: z.number().int(), n: z.string() }).safeParse(decoded);
  if (!expiry.success || expiry.data.e < Math.floor(nowMs / 1000)) return null;
  const parsed = schema.safeParse(decoded);
  return parsed.success ? (parsed.data as z.infer<T>) : null;
}
