// GET/PUT /api/app/me/notifications/browser — the signed-in user's alerts in the open dashboard (desktop, sound).
import { z } from 'zod';
import { userRoute } from '~/server/tenancy';
import { getBrowserAlerts, setBrowserAlerts } from '@pocketping/db';

const ZBody = z
  .object({ desktop: z.boolean().optional(), sound: z.boolean().optional() })
  .strict()
  .refine((b) => b.desktop !== undefined || b.sound !== undefined, 'give desktop or sound');

export const GET = userRoute({}, async ({ app, user }) => ({ alerts: await getBrowserAlerts(app.db, user.id) }));

export const PUT = userRoute({ body: ZBody }, async ({ app, user, body }) => {
  await setBrowserAlerts(app.db, user.id, body);
  return { alerts: await getBrowserAlerts(app.db, user.id) };
});
