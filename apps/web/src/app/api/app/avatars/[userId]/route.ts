// GET /api/app/avatars/:userId — a user's uploaded avatar, for themselves and the members of their organizations.
import { Readable } from 'node:stream';
import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { getUserProfile, shareAnOrganization } from '@pocketping/db';
import { userRoute } from '~/server/tenancy';

const ZParams = z.object({ userId: z.string().min(1).max(64) });

export const GET = userRoute({ params: ZParams }, async ({ app, user, params }) => {
  // A stranger gets the same 404 as a user without an avatar.
  if (!(await shareAnOrganization(app.db, user.id, params.userId))) throw new AppError('not_found', 'Not found.');
  const profile = await getUserProfile(app.db, params.userId);
  if (!profile?.avatar) throw new AppError('not_found', 'Not found.');
  const stored = await app.storage.get(profile.avatar.key);
  if (!stored) throw new AppError('not_found', 'Not found.');
  return new Response(Readable.toWeb(stored.body) as ReadableStream, {
    headers: {
      'Content-Type': profile.avatar.contentType,
      'Content-Length': String(stored.size),
      'Cache-Control': 'private, max-age=86400',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'",
    },
  });
});
