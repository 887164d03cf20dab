import { createHmac } from 'node:crypto';

/**
 * Widget identity verification (docs/security.md "Identity and visitor content"): your backend proves who the
 * visitor is with the project's identity secret, which never leaves your server.
 */

/** `PocketPing.identify({ id, hash })`: hex HMAC-SHA256 of the user id under the identity secret. */
export function identityHash(identitySecret: string, userId: string): string {
  if (!identitySecret) throw new TypeError('identitySecret is required');
  return createHmac('sha256', identitySecret).update(userId, 'utf8').digest('hex');
}

export interface TIdentityTokenClaims {
  /** Your user id. */
  sub: string;
  email?: string;
  name?: string;
  traits?: Record<string, string | number | boolean | null>;
}

/** The longest a token may live (the server refuses exp further ahead). */
export const IDENTITY_TOKEN_MAX_LIFETIME_S = 31 * 24 * 3600;

/**
 * `PocketPing.identify({ token })`: an HS256 JWT under the identity secret that also vouches for email, name and
 * traits (the fields operators then see as verified). Valid `expiresInSeconds` (default 1 day, at most 31 days).
 */
export function identityToken(
  identitySecret: string,
  claims: TIdentityTokenClaims,
  options: { expiresInSeconds?: number; now?: Date } = {},
): string {
  if (!identitySecret) throw new TypeError('identitySecret is required');
  if (!claims.sub) throw new TypeError('claims.sub (your user id) is required');
  const lifetime = options.expiresInSeconds ?? 24 * 3600;
  if (!(lifetime > 0 && lifetime <= IDENTITY_TOKEN_MAX_LIFETIME_S))
    throw new RangeError('expiresInSeconds must be between 1 and 31 days');
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...claims, iat, exp: iat + lifetime })}`;
  return `${head}.${createHmac('sha256', identitySecret).update(head, 'utf8').digest('base64url')}`;
}
