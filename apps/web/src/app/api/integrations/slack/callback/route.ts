// GET /api/integrations/slack/callback?code=…&state=… — Slack's OAuth v2 redirect: stores the Slack connection
import { NextResponse, type NextRequest } from 'next/server';
import { getContext, type TWebContext } from '../../../../../server/context';
import {
  finishSlackInstall,
  SLACK_INSTALL_COOKIE,
  verifyInstallState,
} from '../../../../../server/webhooks/slack-oauth';
import { finishDashboardSlackInstall } from '../../../../../server/bridge-setup/slack-setup';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET(req: NextRequest): Promise<NextResponse> {
  let ctx: TWebContext;
  try {
    ctx = getContext();
  } catch {
    return NextResponse.json({ error: { code: 'unavailable', message: 'Server is not configured' } }, { status: 503 });
  }
  // Started from the dashboard (the signed state names the user): back to the project's bridges page, channel picker next.
  const q = Object.fromEntries(req.nextUrl.searchParams);
  const state = q.state ? verifyInstallState(ctx.env.AUTH_SECRET, q.state) : null;
  if (state?.userId) {
    const location = await finishDashboardSlackInstall(ctx, {
      state: { ...state, userId: state.userId },
      code: q.code,
      error: q.error,
      cookie: req.headers.get('cookie'),
    });
    return NextResponse.redirect(location, 302);
  }
  // Installs started with an API key get JSON.
  const result = await finishSlackInstall(
    {
      db: ctx.db,
      keyRing: ctx.keyRing,
      log: ctx.log,
      limits: ctx.limits,
      config: {
        apiUrl: ctx.env.SLACK_API_URL,
        clientId: ctx.env.SLACK_CLIENT_ID,
        clientSecret: ctx.env.SLACK_CLIENT_SECRET,
        authSecret: ctx.env.AUTH_SECRET,
        webPublicUrl: ctx.env.WEB_PUBLIC_URL,
      },
    },
    { query: Object.fromEntries(req.nextUrl.searchParams), cookie: req.headers.get('cookie') },
  );
  const res = NextResponse.json(result.body, { status: result.status });
  // One use: the binding cookie goes once the install is done.
  if (result.status === 200)
    res.cookies.set(SLACK_INSTALL_COOKIE, '', { path: '/api/integrations/slack/callback', maxAge: 0 });
  return res;
}
