import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { safeEqual } from '@pocketping/core';

/** The hash the customer's backend computes: hex HMAC-SHA256 of the user id, keyed with the project's identity secret. */
export function identityHash(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId, 'utf8').digest('hex');
}

/** Constant-time check of a widget-supplied hash (case-insensitive hex). */
export function isValidIdentityHash(secret: string, userId: string, hash: string): boolean {
  return safeEqual(identityHash(secret, userId), hash.toLowerCase());
}

/** The longest an identity token may be valid for: a leaked token stops working within this. */
export const IDENTITY_TOKEN_MAX_LIFETIME_S = 31 * 24 * 3600;

const ZClaims = z.object({
  sub: z.string().min(1).max(200),
  exp: z.number().int(),
  iat: z.number().int().optional(),
  email: z.string().email().max(320).optional(),
  name: z.string().min(1).max(120).optional(),
  traits: z.record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean(), z.null()])).optional(),
});
export type TIdentityClaims = z.infer<typeof ZClaims>;

const b64json = (part: string): unknown => {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
};

/**
 * A signed identity token: a JWT signed with HS256 under the project's identity secret (any JWT library makes one),
 * claims `sub` (the user id), `exp` (required, at most 31 days ahead), and the shown fields it vouches for: `email`,
 * `name`, `traits`. The signature covers the exact bytes sent, so no canonical form is needed. Answers the claims,
 * or why the token is refused.
 */
export function verifyIdentityToken(
  secret: string,
  token: string,
  nowSec = Math.floor(Date.now() / 1000),
): { ok: true; claims: TIdentityClaims } | { ok: false; reason: string } {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [header, payload, signature] = parts as [string, string, string];
  const h = b64json(header) as { alg?: unknown } | null;
  // Only HS256: "none" or an asymmetric algorithm must never be accepted with this key.
  if (!h || h.alg !== 'HS256') return { ok: false, reason: 'alg must be HS256' };
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`, 'utf8').digest('base64url');
  if (!safeEqual(expected, signature)) return { ok: false, reason: 'bad signature' };
  const claims = ZClaims.safeParse(b64json(payload));
  if (!claims.success)
    return { ok: false, reason: 'claims: sub and exp are required; email, name, traits must be valid' };
  if (claims.data.exp <= nowSec) return { ok: false, reason: 'expired' };
  if (claims.data.exp > nowSec + IDENTITY_TOKEN_MAX_LIFETIME_S)
    return { ok: false, reason: 'exp is more than 31 days ahead' };
  return { ok: true, claims: claims.data };
}

/** The fields a token's signature covers, as stored in Visitor.verifiedFields. */
export function verifiedFieldsOf(claims: TIdentityClaims): string[] {
  return [
    ...(claims.email ? ['email'] : []),
    ...(claims.name ? ['name'] : []),
    ...Object.keys(claims.traits ?? {}).map((k) => `traits.${k}`),
  ];
}
