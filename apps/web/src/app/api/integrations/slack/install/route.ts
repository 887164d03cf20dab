// GET /api/integrations/slack/install?projectId=…[&channel=C…] — "Add to Slack": redirects to Slack's consent screen
import { NextResponse, type NextRequest } from 'next/server';
import { getContext, type TWebContext } from '~/server/context';
import { startSlackInstall } from '~/server/webhooks/slack-oauth';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET(req: NextRequest): Promise<NextResponse> {
  let ctx: TWebContext;
  try {
    ctx = getContext();
  } catch {
    return NextResponse.json({ error: { code: 'unavailable', message: 'Server is not configured' } }, { status: 503 });
  }
  const result = await startSlackInstall(
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
    { authorization: req.headers.get('authorization'), query: Object.fromEntries(req.nextUrl.searchParams) },
  );
  if (result.location) {
    const res = NextResponse.redirect(result.location, 302);
    if (result.cookie) res.cookies.set(result.cookie.name, result.cookie.value, result.cookie.options);
    return res;
  }
  return NextResponse.json(result.body, { status: result.status });
}
