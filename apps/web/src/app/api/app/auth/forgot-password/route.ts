import { publicRoute } from '~/server/tenancy';
import { clientIp } from '~/server/rate-limit';
import { requestPasswordReset } from '~/server/accounts/accounts';
import { ZEmailBody } from '~/server/accounts/schemas';

/** POST { email } → 200 { ok } always; the reset mail goes out only when the account exists. */
export const POST = publicRoute({ body: ZEmailBody }, async ({ app, req, body }) => {
  await requestPasswordReset(app, body.email, clientIp(req.headers));
  return { ok: true };
});
