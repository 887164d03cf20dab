import { NextResponse } from 'next/server';
import { publicRoute } from '~/server/tenancy';
import { resetPassword } from '~/server/accounts/accounts';
import { ZResetBody } from '~/server/accounts/schemas';
import { mintSessionCookie } from '~/server/accounts/session-cookie';

/** POST { token, password } → sets the password, ends every other session, signs this browser in: { ok, next }. */
export const POST = publicRoute({ body: ZResetBody }, async ({ app, body }) => {
  const user = await resetPassword(app, body.token, body.password);
  const cookie = await mintSessionCookie(app.env.WEB_PUBLIC_URL, app.env.AUTH_SECRET, user);
  const res = NextResponse.json({ ok: true, next: '/app' });
  res.cookies.set(cookie.name, cookie.value, cookie.options);
  return res;
});
