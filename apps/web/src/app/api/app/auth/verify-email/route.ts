import { NextResponse } from 'next/server';
import { AppError } from '@pocketping/core';
import { publicRoute } from '~/server/tenancy';
import { peekVerifyEmailToken, verifyEmail } from '~/server/accounts/accounts';
import { ZTokenBody } from '~/server/accounts/schemas';
import { mintSessionCookie } from '~/server/accounts/session-cookie';
import { safeNext } from '~/server/accounts/safe-next';
import { getSessionUserFromCookies } from '~/server/auth/session';

/**
 * POST { token, next?, switchAccount? } (sent by the /verify-email page, not by the mailed GET link, so a mail
 * scanner that prefetches links cannot burn it) → confirms the address, signs the user in (session cookie) and
 * answers { ok, next } — /app, which sends a new account on to onboarding.
 *
 * A browser already signed in to another account is not switched silently (login CSRF: someone could send their
 * own confirmation link and have the victim work in the attacker's account): without `switchAccount: true` the
 * answer is 409 `signed_in_as_other`, the link stays unused, and the page asks.
 */
export const POST = publicRoute({ body: ZTokenBody }, async ({ app, req, body }) => {
  const current = await getSessionUserFromCookies(app.db, req.headers.get('cookie'), app.env.AUTH_SECRET);
  if (current && !body.switchAccount) {
    const owner = await peekVerifyEmailToken(app, body.token);
    if (owner && owner.userId !== current.id) {
      throw new AppError(
        'conflict',
        `You are signed in as ${current.email}. This link confirms another account (${owner.email}).`,
        {
          reason: 'signed_in_as_other',
          signedInAs: current.email,
          linkFor: owner.email,
        },
      );
    }
  }
  const user = await verifyEmail(app, body.token);
  const cookie = await mintSessionCookie(app.env.WEB_PUBLIC_URL, app.env.AUTH_SECRET, user);
  const res = NextResponse.json({ ok: true, next: safeNext(body.next) });
  res.cookies.set(cookie.name, cookie.value, cookie.options);
  return res;
});
