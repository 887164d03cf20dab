import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random, URL-safe token with an optional readable prefix (pk_, vt_, ppk_). */
export function randomToken(prefix = '', bytes = 24): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time comparison of two strings (lengths compared via their hashes, so no early exit). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}
