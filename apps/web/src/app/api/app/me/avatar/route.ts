// POST /api/app/me/avatar — raw image bytes (PNG, JPEG or WebP, ≤ 1 MB, checked by their bytes); DELETE removes it.
import { readBodyWithLimit } from '@pocketping/core';
import { userRoute } from '~/server/tenancy';
import { clientIp } from '~/server/rate-limit';
import { AVATAR_MAX_BYTES, removeAvatar, uploadAvatar } from '~/server/accounts/profile';

export const POST = userRoute({ rawBody: true }, async ({ app, req, user }) => {
  // Counted as it arrives, whatever Content-Length says; past the cap: 413 and nothing kept.
  const bytes = await readBodyWithLimit(req, AVATAR_MAX_BYTES);
  await uploadAvatar(app, user, bytes, clientIp(req.headers));
  return { ok: true };
});

export const DELETE = userRoute({}, async ({ app, req, user }) => {
  await removeAvatar(app, user, clientIp(req.headers));
  return { ok: true };
});
