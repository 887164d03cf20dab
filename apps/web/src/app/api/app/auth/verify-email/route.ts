import { NextResponse } from 'next/server';
import { publicRoute } from '../../../../../server/tenancy';
import { verifyEmail } from '../../../../../server/accounts/accounts';
import { ZTokenBody } from '../../../../../server/accounts/schemas';
import { mintSessionCookie } from '../../../../../server/accounts/session-cookie';
import { safeNext } from '../../../../../server/accounts/safe-next';

/**
 * POST { token, next? } (sent by the /verify-email page, not by the mailed GET link, so a mail scanner that
 * prefetches links cannot burn it) → confirms the address, signs the user in (session cookie) and answers
 * { ok, next } — /app, which sends a new account on to onboarding.
 */
export const POST = publicRoute({ body: ZTokenBody }, async ({ app, body }) => {
  const user = await verifyEmail(app, body.token);
  const cookie = await mintSessionCookie(app.env.WEB_PUBLIC_URL, app.env.AUTH_SECRET, user);
  const res = NextResponse.json({ ok: true, next: safeNext(body.next) });
  res.cookies.set(cookie.name, cookie.value, cookie.options);
  return res;
});
