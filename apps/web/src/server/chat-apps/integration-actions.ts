import { NextResponse, type NextRequest } from 'next/server';
import type { TWebContext } from '../context';
import { finishDashboardDiscordInstall, verifyDiscordState } from '../bridge-setup/discord-setup';
import { finishDashboardSlackInstall } from '../bridge-setup/slack-setup';
import {
  finishSlackInstall,
  SLACK_INSTALL_COOKIE,
  startSlackInstall,
  verifyInstallState,
  type TSlackOAuthDeps,
} from '../bridge-setup/slack-oauth';

/** One browser-facing step of a chat app's install (GET /api/integrations/:kind/:action). */
export type TIntegrationAction = (ctx: TWebContext, req: NextRequest) => Promise<NextResponse>;

const slackOAuthDeps = (ctx: TWebContext): TSlackOAuthDeps => ({
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
});

/** GET /api/integrations/slack/install?projectId=…[&channel=C…] — "Add to Slack" for API clients (API key). */
const slackInstall: TIntegrationAction = async (ctx, req) => {
  const result = await startSlackInstall(slackOAuthDeps(ctx), {
    authorization: req.headers.get('authorization'),
    query: Object.fromEntries(req.nextUrl.searchParams),
  });
  if (result.location) {
    const res = NextResponse.redirect(result.location, 302);
    if (result.cookie) res.cookies.set(result.cookie.name, result.cookie.value, result.cookie.options);
    return res;
  }
  return NextResponse.json(result.body, { status: result.status });
};

/**
 * GET /api/integrations/slack/callback?code=…&state=… — Slack's OAuth v2 redirect (the redirect URI registered with
 * the app), one entry for both ways in: a dashboard install (the signed state names a user) goes back to the
 * project's bridges page for the channel picker; an API-key install stores the connection and answers JSON.
 */
const slackCallback: TIntegrationAction = async (ctx, req) => {
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
  const result = await finishSlackInstall(slackOAuthDeps(ctx), { query: q, cookie: req.headers.get('cookie') });
  const res = NextResponse.json(result.body, { status: result.status });
  // One use: the binding cookie goes once the install is done.
  if (result.status === 200)
    res.cookies.set(SLACK_INSTALL_COOKIE, '', { path: '/api/integrations/slack/callback', maxAge: 0 });
  return res;
};

/** GET /api/integrations/discord/callback?code=…&guild_id=…&state=… — Discord's OAuth2 bot-install redirect. */
const discordCallback: TIntegrationAction = async (ctx, req) => {
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
};

/** The install steps each chat app takes from a browser, by kind and action; these URLs are registered as is. */
const ACTIONS: Record<string, Record<string, TIntegrationAction>> = {
  slack: { install: slackInstall, callback: slackCallback },
  discord: { callback: discordCallback },
};

export function findIntegrationAction(kind: string, action: readonly string[]): TIntegrationAction | null {
  if (action.length !== 1 || !Object.hasOwn(ACTIONS, kind)) return null;
  const actions = ACTIONS[kind]!;
  return Object.hasOwn(actions, action[0]!) ? actions[action[0]!]! : null;
}
