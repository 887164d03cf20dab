// POST /api/app/me/email { email, currentPassword? } — mails a confirmation link to the new address, a notice to the
// current one; the email changes only when that link is used.
import { userRoute } from '~/server/tenancy';
import { clientIp } from '~/server/rate-limit';
import { requestEmailChange, ZEmailChangeBody } from '~/server/accounts/profile';

export const POST = userRoute({ body: ZEmailChangeBody }, async ({ app, req, user, body }) =>
  requestEmailChange(app, user, body, clientIp(req.headers)),
);
