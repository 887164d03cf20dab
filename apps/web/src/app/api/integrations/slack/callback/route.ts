// GET /api/integrations/slack/callback?code=…&state=… — Slack's OAuth v2 redirect: stores the Slack connection
import { NextResponse, type NextRequest } from 'next/server';
import { getContext, type TWebContext } from '~/server/context';
import { finishSlackInstall } from '~/server/webhooks/slack-oauth';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET(req: NextRequest): Promise<NextResponse> {
  let ctx: TWebContext;
  try {
    ctx = getContext();
  } catch {
    return NextResponse.json({ error: { code: 'unavailable', message: 'Server is not configured' } }, { status: 503 });
  }
  // Until the dashboard exists, the outcome is JSON; the dashboard will redirect to its integrations page instead.
  const result = await finishSlackInstall(
    {
      db: ctx.db,
      keyRing: ctx.keyRing,
      log: ctx.log,
      config: { apiUrl: ctx.env.SLACK_API_URL, clientId: ctx.env.SLACK_CLIENT_ID, clientSecret: ctx.env.SLACK_CLIENT_SECRET, authSecret: ctx.env.AUTH_SECRET, webPublicUrl: ctx.env.WEB_PUBLIC_URL },
    },
    { query: Object.fromEntries(req.nextUrl.searchParams) },
  );
  return NextResponse.json(result.body, { status: result.status });
}
