// Every page and API answer of the web app — security headers (server/security-headers.ts)
import { NextResponse, type NextRequest } from 'next/server';
import { getEnv } from './env';
import { securityHeaders } from './server/security-headers';

export function proxy(request: NextRequest): NextResponse {
  const env = getEnv();
  const res = NextResponse.next();
  const headers = securityHeaders(request.nextUrl.pathname, { realtimeUrl: env.REALTIME_PUBLIC_URL, dev: env.NODE_ENV === 'development' });
  for (const [name, value] of Object.entries(headers)) res.headers.set(name, value);
  return res;
}

// Build assets are immutable files of our own; everything else (pages, RSC requests, API) gets the headers.
export const config = { matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'] };
