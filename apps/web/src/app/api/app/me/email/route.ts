// POST /api/app/me/email { email, currentPassword? } — mails a confirmation link to the new address, a notice to the
// current one; the email changes only when that link is used.
import { userRoute } from '~/server/tenancy';
import { requestOrigin } from '~/server/request-origin';
import { requestEmailChange, ZEmailChangeBody } from '~/server/accounts/profile';

export const POST = userRoute({ body: ZEmailChangeBody }, async ({ app, req, user, body }) =>
  requestEmailChange(app, user, body, requestOrigin(req)),
);
