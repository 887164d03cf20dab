// POST { token } (sent by the /confirm-email-change page, not by the mailed GET link, so a mail scanner that
// prefetches links cannot use it) → the account's email becomes the address the link was mailed to: { ok, email }.
import { z } from 'zod';
import { publicRoute } from '~/server/tenancy';
import { requestOrigin } from '~/server/request-origin';
import { ZLinkToken } from '~/server/accounts/schemas';
import { confirmEmailChange } from '~/server/accounts/profile';
import { getSessionUserFromCookies } from '~/server/auth/session';

export const POST = publicRoute({ body: z.object({ token: ZLinkToken }) }, async ({ app, req, body }) => {
  const current = await getSessionUserFromCookies(app.db, req.headers.get('cookie'), app.env.AUTH_SECRET);
  const { email } = await confirmEmailChange(app, body.token, current, requestOrigin(req));
  return { ok: true, email };
});
