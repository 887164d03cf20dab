/**
 * Security headers of every answer of the web app (pages and API), set by `src/proxy.ts`.
 *
 * - Nothing of ours may be framed (`frame-ancestors 'none'` + `X-Frame-Options: DENY` for older browsers):
 *   no clickjacking of the dashboard, the login or the consent-like pages.
 * - Pages: scripts, styles, sockets and images from our own origin, plus the realtime origin (the /demo page loads
 *   the widget from there, and the inbox keeps a socket to it). `'unsafe-inline'` stays for scripts and styles:
 *   Next.js inlines its bootstrap scripts and a nonce would force every page to render per request. Images may
 *   come from any https URL (operator avatars are URLs the customer chose).
 * - API answers are data, never documents to run: `default-src 'none'` and `sandbox` (stricter than the
 *   attachment route's own policy, which it replaces — Next keeps the proxy's value of a header).
 * - `Referrer-Policy: strict-origin-when-cross-origin`: tokens in our URLs (invitation, reset links) never leave
 *   in a Referer header; other sites see the origin only.
 */
export interface TSecurityHeaderOptions {
  realtimeUrl: string;
  /** Next's development server needs eval for its error overlay. */
  dev: boolean;
}

function socketOrigin(httpOrigin: string): string {
  return httpOrigin.replace(/^http/, 'ws');
}

export function pageCsp({ realtimeUrl, dev }: TSecurityHeaderOptions): string {
  const rt = new URL(realtimeUrl).origin;
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline' ${rt}${dev ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' 'unsafe-inline' ${rt}`,
    `img-src 'self' data: blob: https: ${rt}`,
    "font-src 'self' data:",
    `connect-src 'self' ${rt} ${socketOrigin(rt)}${dev ? ' ws: wss:' : ''}`,
    `media-src 'self' ${rt}`,
    "frame-src 'none'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const API_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

/** The headers that do not depend on the environment (next.config.ts sets them on answers the proxy skips). */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
};

export function securityHeaders(pathname: string, opts: TSecurityHeaderOptions): Record<string, string> {
  return {
    'Content-Security-Policy': pathname === '/api' || pathname.startsWith('/api/') ? API_CSP : pageCsp(opts),
    ...STATIC_SECURITY_HEADERS,
  };
}
