// Every page and API answer of the web app — security headers (server/security-headers.ts); a magic link opened
// in a browser signed in to another account goes through /switch-account first (server/auth/magic-link-switch.ts)
import { NextResponse, type NextRequest } from 'next/server';
import { getEnv } from './env';
import { securityHeaders } from './server/security-headers';
import { magicLinkSwitchPage } from './server/auth/magic-link-switch';

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const env = getEnv();
  const ask = await magicLinkSwitchPage(request.nextUrl, request.headers.get('cookie'), env.AUTH_SECRET);
  const res = ask ? NextResponse.redirect(new URL(ask, env.WEB_PUBLIC_URL)) : NextResponse.next();
  const headers = securityHeaders(request.nextUrl.pathname, {
    realtimeUrl: env.REALTIME_PUBLIC_URL,
    dev: env.NODE_ENV === 'development',
  });
  for (const [name, value] of Object.entries(headers)) res.headers.set(name, value);
  return res;
}

// Build assets are immutable files of our own; everything else (pages, RSC requests, API) gets the headers — but
// only requests WITHOUT a body: while a proxy runs, Next.js clones the request body and buffers up to 10 MB of it in
// memory for every request, before any route's size-limited reader sees a byte. Requests with a body (webhooks, API
// mutations, Auth.js forms) skip the proxy; next.config.ts gives their answers the static security headers.
export const config = {
  matcher: [
    {
      source: '/((?!_next/static|_next/image|favicon.ico).*)',
      missing: [
        { type: 'header', key: 'content-length' },
        { type: 'header', key: 'transfer-encoding' },
      ],
    },
  ],
};
