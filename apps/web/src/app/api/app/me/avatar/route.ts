// POST /api/app/me/avatar — raw image bytes (PNG, JPEG or WebP, ≤ 1 MB, checked by their bytes); DELETE removes it.
import { readBodyWithLimit } from '@pocketping/core';
import { userRoute } from '~/server/tenancy';
import { requestOrigin } from '~/server/request-origin';
import { AVATAR_MAX_BYTES, removeAvatar, uploadAvatar } from '~/server/accounts/profile';

export const POST = userRoute({ rawBody: true }, async ({ app, req, user }) => {
  // Counted as it arrives, whatever Content-Length says; past the cap: 413 and nothing kept.
  const bytes = await readBodyWithLimit(req, AVATAR_MAX_BYTES);
  await uploadAvatar(app, user, bytes, requestOrigin(req));
  return { ok: true };
});

export const DELETE = userRoute({}, async ({ app, req, user }) => {
  await removeAvatar(app, user, requestOrigin(req));
  return { ok: true };
});
