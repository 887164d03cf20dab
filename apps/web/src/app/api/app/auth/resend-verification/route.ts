import { publicRoute } from '~/server/tenancy';
import { clientIp } from '~/server/rate-limit';
import { resendVerification } from '~/server/accounts/accounts';
import { ZEmailBody } from '~/server/accounts/schemas';

/** POST { email } → 200 { ok } always; a new confirmation mail goes out only to an unconfirmed account. */
export const POST = publicRoute({ body: ZEmailBody }, async ({ app, req, body }) => {
  await resendVerification(app, body.email, clientIp(req.headers));
  return { ok: true };
});
