// GET/PUT /api/app/me/notifications — the signed-in user's notification preferences (one mode per kind).
import { z } from 'zod';
import { userRoute } from '~/server/tenancy';
import { getNotificationPreferences, NOTIFICATION_KINDS, setNotificationPreference } from '@pocketping/db';

const ZMode = z.enum(['off', 'immediate', 'digest']);
const ZBody = z.object({ kind: z.enum(NOTIFICATION_KINDS), mode: ZMode }).strict();

export const GET = userRoute({}, async ({ app, user }) => ({
  preferences: await getNotificationPreferences(app.db, user.id),
}));

export const PUT = userRoute({ body: ZBody }, async ({ app, user, body }) => {
  await setNotificationPreference(app.db, user.id, body.kind, body.mode);
  return { preferences: await getNotificationPreferences(app.db, user.id) };
});
