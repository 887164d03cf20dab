// GET|POST /api/auth/* — Auth.js (sign-in forms, OAuth callbacks, magic links, sign-out)
import { handlers } from '~/auth';
import { withBodyLimit } from '~/server/read-raw-body';

/** Auth.js posts small forms (email, password, CSRF token, callback URL); nothing legitimate comes near this. */
const MAX_AUTH_BODY_BYTES = 16 * 1024;

export const { GET } = handlers;
export const POST = withBodyLimit(handlers.POST, MAX_AUTH_BODY_BYTES);
