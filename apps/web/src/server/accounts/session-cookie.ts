import { encode } from 'next-auth/jwt';

/** Session lifetime, shared with the Auth.js config (auth.ts). */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 3600;

export interface TSessionCookie {
  name: string;
  value: string;
  options: { httpOnly: true; sameSite: 'lax'; path: '/'; secure: boolean; maxAge: number };
}

/**
 * Mints the session cookie exactly as Auth.js does after a sign-in (JWE encrypted with AUTH_SECRET, salted with the
 * cookie name; claims `sub` + `sv` as written by auth.ts's jwt callback), so a link that proves the mailbox —
 * email confirmation, password reset — can sign the user in without a second form. Auth.js (pinned to
 * WEB_PUBLIC_URL in auth.ts) names the cookie `__Secure-authjs.session-token` on https, `authjs.session-token` on http.
 */
export async function mintSessionCookie(
  webPublicUrl: string,
  secret: string,
  user: { id: string; email: string; name: string | null; sessionVersion: number },
): Promise<TSessionCookie> {
  const secure = new URL(webPublicUrl).protocol === 'https:';
  const name = secure ? '__Secure-authjs.session-token' : 'authjs.session-token';
  const value = await encode({
    token: { sub: user.id, sv: user.sessionVersion, email: user.email, name: user.name },
    secret,
    salt: name,
    maxAge: SESSION_MAX_AGE_SECONDS,
  });
  return {
    name,
    value,
    options: { httpOnly: true, sameSite: 'lax', path: '/', secure, maxAge: SESSION_MAX_AGE_SECONDS },
  };
}
