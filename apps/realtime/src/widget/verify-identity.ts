import { createHmac } from 'node:crypto';
import { safeEqual } from '@pocketping/core';

/** The hash the customer's backend computes: hex HMAC-SHA256 of the user id, keyed with the project's identity secret. */
export function identityHash(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId, 'utf8').digest('hex');
}

/** Constant-time check of a widget-supplied hash (case-insensitive hex). */
export function isValidIdentityHash(secret: string, userId: string, hash: string): boolean {
  return safeEqual(identityHash(secret, userId), hash.toLowerCase());
}
