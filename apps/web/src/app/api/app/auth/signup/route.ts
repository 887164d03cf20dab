import { publicRoute } from '~/server/tenancy';
import { clientIp } from '~/server/rate-limit';
import { signUp } from '~/server/accounts/accounts';
import { ZSignupBody } from '~/server/accounts/schemas';

/**
 * POST { email, password, name?, next?, invitationToken? } → 200 { ok } whether or not the address already has an
 * account; { ok, verified: true } when the invitation's link to this address confirmed the new account at once.
 */
export const POST = publicRoute({ body: ZSignupBody }, async ({ app, req, body }) => {
  const { verified } = await signUp(app, body, clientIp(req.headers));
  return verified ? { ok: true, verified: true } : { ok: true };
});
