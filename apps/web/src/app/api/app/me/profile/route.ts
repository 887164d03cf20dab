// GET/PATCH /api/app/me/profile — the signed-in user's profile (name, avatar, pending email change); PATCH { name }.
import { AppError } from '@pocketping/core';
import { getUserProfile } from '@pocketping/db';
import { userRoute } from '~/server/tenancy';
import { requestOrigin } from '~/server/request-origin';
import { updateName, ZProfileBody } from '~/server/accounts/profile';
import { profileView } from '~/server/accounts/profile-view';

export const GET = userRoute({}, async ({ app, user }) => {
  const profile = await getUserProfile(app.db, user.id);
  if (!profile) throw new AppError('unauthorized', 'Sign in first.');
  return { profile: profileView(profile) };
});

export const PATCH = userRoute({ body: ZProfileBody }, async ({ app, req, user, body }) => {
  await updateName(app, user, body.name, requestOrigin(req));
  const profile = await getUserProfile(app.db, user.id);
  if (!profile) throw new AppError('unauthorized', 'Sign in first.');
  return { profile: profileView(profile) };
});
