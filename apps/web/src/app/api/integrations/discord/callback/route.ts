// GET /api/integrations/discord/callback?code=…&guild_id=…&state=… — Discord's OAuth2 bot-install redirect
import { NextResponse, type NextRequest } from 'next/server';
import { getContext, type TWebContext } from '../../../../../server/context';
import { finishDashboardDiscordInstall, verifyDiscordState } from '../../../../../server/bridge-setup/discord-setup';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET(req: NextRequest): Promise<NextResponse> {
  let ctx: TWebContext;
  try {
    ctx = getContext();
  } catch {
    return NextResponse.json({ error: { code: 'unavailable', message: 'Server is not configured' } }, { status: 503 });
  }
  const q = req.nextUrl.searchParams;
  const raw = q.get('state');
  const state = raw ? verifyDiscordState(ctx.env.AUTH_SECRET, raw) : null;
  if (!state)
    return NextResponse.json(
      {
        error: {
          code: 'bad_request',
          message: 'This install link is invalid or has expired; start again from the dashboard.',
        },
      },
      { status: 400 },
    );
  // The guild is taken from the code exchange only (never from the guild_id query parameter, which anyone can edit).
  const location = await finishDashboardDiscordInstall(ctx, {
    state,
    code: q.get('code') ?? undefined,
    error: q.get('error') ?? undefined,
    cookie: req.headers.get('cookie'),
  });
  return NextResponse.redirect(location, 302);
}
