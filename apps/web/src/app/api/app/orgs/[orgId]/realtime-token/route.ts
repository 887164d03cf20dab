// GET /api/app/orgs/:orgId/realtime-token — a short-lived token for the realtime /dashboard namespace (live inbox)
import { NextResponse } from 'next/server';
import { signDashboardToken } from '@pocketping/jobs';
import { orgRoute } from '~/server/tenancy';

export const GET = orgRoute({ role: 'agent' }, async ({ app, user, organizationId }) => {
  const { token, expiresAt } = signDashboardToken(app.env.AUTH_SECRET, { userId: user.id, organizationId });
  return NextResponse.json(
    { token, expiresAt: new Date(expiresAt * 1000).toISOString(), url: app.env.REALTIME_PUBLIC_URL },
    { headers: { 'cache-control': 'no-store' } },
  );
});
