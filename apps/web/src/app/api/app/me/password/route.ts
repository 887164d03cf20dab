import { NextResponse } from 'next/server';
import { userRoute } from '~/server/tenancy';
import { requestOrigin } from '~/server/request-origin';
import { changePassword, ZPasswordChangeBody } from '~/server/accounts/profile';
import { mintSessionCookie } from '~/server/accounts/session-cookie';

/**
 * POST { currentPassword, newPassword } → sets the new password and ends every session of the account; this
 * browser gets a fresh session cookie and stays signed in.
 */
export const POST = userRoute({ body: ZPasswordChangeBody }, async ({ app, req, user, body }) => {
  const changed = await changePassword(app, user, body, requestOrigin(req));
  const cookie = await mintSessionCookie(app.env.WEB_PUBLIC_URL, app.env.AUTH_SECRET, changed);
  const res = NextResponse.json({ ok: true });
  res.cookies.set(cookie.name, cookie.value, cookie.options);
  return res;
});
