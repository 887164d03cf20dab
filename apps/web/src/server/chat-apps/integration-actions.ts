import { NextResponse, type NextRequest } from 'next/server';
import { CHAT_APPS, type TBridgeKind, type TBrowserAction } from '@pocketping/bridges';
import type { TWebContext } from '../context';
import { setupPortsOf } from './setup-ports';
import { requestOrigin } from '../request-origin';

/** One browser-facing step of a chat app's install (GET /api/integrations/:kind/:action). */
export type TIntegrationAction = (ctx: TWebContext, req: NextRequest) => Promise<NextResponse>;

/**
 * The browser steps each chat app declares in its folder (`setup.browser`: "Add to Slack" for API clients, the
 * OAuth redirect URIs registered with Slack and Discord), by kind and action, run with the web app's setup ports.
 */
export function findIntegrationAction(kind: string, action: readonly string[]): TIntegrationAction | null {
  if (action.length !== 1 || !Object.hasOwn(CHAT_APPS, kind)) return null;
  const actions = CHAT_APPS[kind as TBridgeKind].setup.browser ?? {};
  if (!Object.hasOwn(actions, action[0]!)) return null;
  const browserAction: TBrowserAction = actions[action[0]!]!;
  return async (ctx, req) => {
    const answer = await browserAction(setupPortsOf(ctx, requestOrigin(req)), {
      query: Object.fromEntries(req.nextUrl.searchParams),
      param: (name) => req.nextUrl.searchParams.get(name) ?? undefined,
      header: (name) => req.headers.get(name),
    });
    const res =
      'redirect' in answer
        ? NextResponse.redirect(answer.redirect, 302)
        : NextResponse.json(answer.body, { status: answer.status });
    for (const cookie of answer.cookies ?? []) res.cookies.set(cookie.name, cookie.value, cookie.options);
    return res;
  };
}
