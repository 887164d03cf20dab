import { publicRoute } from '~/server/tenancy';
import { clientIp } from '~/server/rate-limit';
import { signUp } from '~/server/accounts/accounts';
import { ZSignupBody } from '~/server/accounts/schemas';

/** POST { email, password, name?, next? } → 200 { ok } whether or not the address already has an account. */
export const POST = publicRoute({ body: ZSignupBody }, async ({ app, req, body }) => {
  await signUp(app, body, clientIp(req.headers));
  return { ok: true };
});
