import { createHmac } from 'node:crypto';
import type { TKeyRing } from './secrets.js';
import { safeEqual } from './tokens.js';

/**
 * The token of a one-click unsubscribe link: it names a user and a notification kind and works without logging in,
 * forever (a mail client may follow it years later). `<keyId>.<userId>.<kind>.<HMAC>`, the HMAC keyed by a key
 * derived from the ENCRYPTION_KEY ring entry (web and worker share the ring): rotating the ring keeps old links
 * working while their key is listed. It grants one thing only: turning that kind off for that user.
 */
const derive = (key: Buffer) => createHmac('sha256', key).update('pocketping/unsubscribe/v1').digest();
const mac = (key: Buffer, userId: string, kind: string) =>
  createHmac('sha256', derive(key)).update(`${userId}\n${kind}`).digest('base64url');
const PART = /^[A-Za-z0-9_-]{1,64}$/;

export function signUnsubscribeToken(ring: TKeyRing, userId: string, kind: string): string {
  if (!PART.test(userId) || !PART.test(kind)) throw new Error('unsubscribe token: bad user id or kind');
  return `${ring.currentId}.${userId}.${kind}.${mac(ring.keys.get(ring.currentId)!, userId, kind)}`;
}

/** The user and kind of a valid token; null for anything else (forged, tampered, unknown key, malformed). */
export function verifyUnsubscribeToken(ring: TKeyRing, token: string): { userId: string; kind: string } | null {
  if (token.length > 300) return null;
  const parts = token.split('.');
  if (parts.length !== 4) return null;
  const [keyId, userId, kind, sig] = parts as [string, string, string, string];
  const key = ring.keys.get(keyId);
  if (!key || !PART.test(userId) || !PART.test(kind)) return null;
  return safeEqual(sig, mac(key, userId, kind)) ? { userId, kind } : null;
}
