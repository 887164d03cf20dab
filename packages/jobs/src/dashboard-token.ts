import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Short-lived tokens that let a signed-in dashboard user open the realtime `/dashboard` namespace. The web app mints
 * one for a member of an organization (GET /api/app/orgs/:orgId/realtime-token); realtime verifies it and re-checks
 * the membership in Postgres. Format: base64url(JSON {u, o, exp}) "." base64url(HMAC-SHA256). The HMAC key is derived
 * from AUTH_SECRET with a fixed label, so these tokens can never be confused with anything else signed by it.
 */

/** The longest lifetime a token may have; realtime refuses tokens claiming a later expiry. */
export const DASHBOARD_TOKEN_MAX_TTL_SECONDS = 300;
export const DASHBOARD_TOKEN_TTL_SECONDS = 120;

const ZClaims = z.object({
  u: z.string().min(1).max(64),
  o: z.string().min(1).max(64),
  exp: z.number().int().positive(),
});

export interface TDashboardTokenClaims {
  userId: string;
  organizationId: string;
  /** Unix seconds. */
  exp: number;
}

function derivedKey(authSecret: string): Buffer {
  return createHmac('sha256', authSecret).update('pocketping/dashboard-realtime-token/v1').digest();
}

function mac(authSecret: string, payload: string): Buffer {
  return createHmac('sha256', derivedKey(authSecret)).update(payload).digest();
}

export function signDashboardToken(
  authSecret: string,
  input: { userId: string; organizationId: string },
  opts: { nowMs?: number; ttlSeconds?: number } = {},
): { token: string; expiresAt: number } {
  const ttl = Math.min(opts.ttlSeconds ?? DASHBOARD_TOKEN_TTL_SECONDS, DASHBOARD_TOKEN_MAX_TTL_SECONDS);
  const exp = Math.floor((opts.nowMs ?? Date.now()) / 1000) + ttl;
  const payload = Buffer.from(JSON.stringify({ u: input.userId, o: input.organizationId, exp })).toString('base64url');
  return { token: `${payload}.${mac(authSecret, payload).toString('base64url')}`, expiresAt: exp };
}

/** The claims of a valid, unexpired token; null for anything else (forged, tampered, expired, malformed). */
export function verifyDashboardToken(
  authSecret: string,
  token: unknown,
  nowMs = Date.now(),
): TDashboardTokenClaims | null {
  if (typeof token !== 'string' || token.length > 1024) return null;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return null;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(authSecret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const claims = ZClaims.safeParse(raw);
  if (!claims.success) return null;
  const now = Math.floor(nowMs / 1000);
  if (claims.data.exp <= now || claims.data.exp > now + DASHBOARD_TOKEN_MAX_TTL_SECONDS) return null;
  return { userId: claims.data.u, organizationId: claims.data.o, exp: claims.data.exp };
}
