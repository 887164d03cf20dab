import { createHmac } from 'node:crypto';
import type { TKeyRing } from './secrets.js';
import { safeEqual } from './tokens.js';

// Links mailed to people who are not logged in (unsubscribe, a visitor's way back into their conversation): the
// fields and an HMAC keyed by a key derived from an ENCRYPTION_KEY ring entry and the link's purpose (web and worker
// share the ring; a token of one purpose is never accepted for another). Rotating the ring keeps old links working
// while their key is listed.

const PART = /^[A-Za-z0-9_-]{1,64}$/;
const derive = (key: Buffer, purpose: string) => createHmac('sha256', key).update(`pocketping/${purpose}`).digest();
const mac = (key: Buffer, purpose: string, fields: readonly string[]) =>
  createHmac('sha256', derive(key, purpose)).update(fields.join('\n')).digest('base64url');

/** `<keyId>.<field>….<HMAC>`: each field is an id-like string (letters, digits, _ and -, up to 64). */
function signLink(ring: TKeyRing, purpose: string, fields: readonly string[]): string {
  if (!fields.every((f) => PART.test(f))) throw new Error(`${purpose} link: a field is not id-like`);
  return [ring.currentId, ...fields, mac(ring.keys.get(ring.currentId)!, purpose, fields)].join('.');
}

/** The fields of a valid token of this purpose with `count` fields; null for anything else. */
function verifyLink(ring: TKeyRing, purpose: string, token: string, count: number): string[] | null {
  if (token.length > 400) return null;
  const parts = token.split('.');
  if (parts.length !== count + 2) return null;
  const key = ring.keys.get(parts[0]!);
  const fields = parts.slice(1, -1);
  if (!key || !fields.every((f) => PART.test(f))) return null;
  return safeEqual(parts.at(-1)!, mac(key, purpose, fields)) ? fields : null;
}

/**
 * A one-click unsubscribe link's token: names a user and a notification kind, works without logging in and never
 * expires (a mail client may follow it years later). It grants one thing: turning that kind off for that user.
 */
export function signUnsubscribeToken(ring: TKeyRing, userId: string, kind: string): string {
  return signLink(ring, 'unsubscribe/v1', [userId, kind]);
}

export function verifyUnsubscribeToken(ring: TKeyRing, token: string): { userId: string; kind: string } | null {
  const f = verifyLink(ring, 'unsubscribe/v1', token, 2);
  return f ? { userId: f[0]!, kind: f[1]! } : null;
}

export interface TConversationLinkClaims {
  organizationId: string;
  conversationId: string;
  visitorId: string;
  /** Unix seconds. */
  expiresAt: number;
}

/**
 * The link a visitor's reply email carries back into their conversation (read it, answer from any device): it acts
 * as that visitor in that conversation only, until it expires.
 */
export function signConversationLinkToken(ring: TKeyRing, claims: TConversationLinkClaims): string {
  return signLink(ring, 'conversation-link/v1', [
    claims.organizationId,
    claims.conversationId,
    claims.visitorId,
    String(claims.expiresAt),
  ]);
}

export function verifyConversationLinkToken(
  ring: TKeyRing,
  token: string,
  nowMs = Date.now(),
): TConversationLinkClaims | null {
  const f = verifyLink(ring, 'conversation-link/v1', token, 4);
  if (!f) return null;
  const expiresAt = Number(f[3]);
  if (!Number.isSafeInteger(expiresAt) || expiresAt * 1000 < nowMs) return null;
  return { organizationId: f[0]!, conversationId: f[1]!, visitorId: f[2]!, expiresAt };
}
