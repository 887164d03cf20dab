import { decode } from 'next-auth/jwt';
import { endUserSessions, getUserById, type TDb } from '@pocketping/db';

/**
 * The signed-in user behind a request, resolved from the Auth.js session cookie (a JWE encrypted with AUTH_SECRET).
 * This is the only place that turns a cookie into a user: route handlers (through the tenancy wrapper), server
 * components and the realtime dashboard token all go through it. Every call re-reads the user row, so a password
 * reset (sessionVersion bump) or a deleted account ends the session at once.
 */
export interface TSessionUser {
  id: string;
  email: string;
  name: string | null;
  emailVerified: boolean;
}

export const SESSION_COOKIE_NAMES = ['__Secure-authjs.session-token', 'authjs.session-token'] as const;

/** Claims written into the session token by auth.ts (`sub` = user id, `sv` = session version). */
export interface TSessionClaims {
  sub: string;
  sv: number;
  /** The address the token was minted for (display only: the user row is the truth). */
  email?: string;
}

function parseCookieHeader(header: string | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const idx = part.indexOf('=');
    if (idx <= 0) continue;
    const name = part.slice(0, idx).trim();
    const value = part.slice(idx + 1).trim();
    try {
      out.set(name, decodeURIComponent(value));
    } catch {
      // a malformed cookie is ignored, not fatal
    }
  }
  return out;
}

/** Reassembles a possibly chunked Auth.js cookie ("name", or "name.0", "name.1", …). */
function readSessionCookie(cookies: Map<string, string>): { name: string; value: string } | null {
  for (const name of SESSION_COOKIE_NAMES) {
    const whole = cookies.get(name);
    if (whole) return { name, value: whole };
    const chunks: string[] = [];
    for (let i = 0; cookies.has(`${name}.${i}`); i++) chunks.push(cookies.get(`${name}.${i}`)!);
    if (chunks.length > 0) return { name, value: chunks.join('') };
  }
  return null;
}

export async function readSessionClaims(
  cookieHeader: string | null | undefined,
  secret: string,
): Promise<TSessionClaims | null> {
  const cookie = readSessionCookie(parseCookieHeader(cookieHeader));
  if (!cookie || cookie.value.length > 16_000) return null;
  try {
    const token = await decode({ token: cookie.value, secret, salt: cookie.name });
    if (!token || typeof token.sub !== 'string') return null;
    const sv = typeof token.sv === 'number' ? token.sv : 0;
    return { sub: token.sub, sv, ...(typeof token.email === 'string' ? { email: token.email } : {}) };
  } catch {
    return null; // expired, tampered or encrypted with another secret
  }
}

export async function loadSessionUser(db: TDb, claims: TSessionClaims | null): Promise<TSessionUser | null> {
  if (!claims) return null;
  const user = await getUserById(db, claims.sub);
  if (!user || user.sessionVersion !== claims.sv) return null;
  return { id: user.id, email: user.email, name: user.name, emailVerified: user.emailVerified !== null };
}

export async function getSessionUserFromCookies(
  db: TDb,
  cookieHeader: string | null | undefined,
  secret: string,
): Promise<TSessionUser | null> {
  return loadSessionUser(db, await readSessionClaims(cookieHeader, secret));
}

/**
 * Server-side sign-out: every session token of the user minted before now stops working (they carry the old
 * `sessionVersion`). Only a token that is still current can do it, so a stale cookie cannot sign anyone out.
 */
export async function endSessions(db: TDb, userId: string, sessionVersion: number): Promise<boolean> {
  return endUserSessions(db, userId, sessionVersion);
}
