/**
 * Where to go after signing in: only a same-site relative path ("/app/…"), never another origin. Anything else —
 * absolute URLs, protocol-relative "//evil", backslash tricks, control characters — falls back to `fallback`.
 */
export function safeNext(raw: string | null | undefined, fallback = '/app'): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 512) return fallback;
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return fallback;
  if (raw.includes('\\') || [...raw].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return fallback;
  try {
    const url = new URL(raw, 'http://same.invalid');
    if (url.origin !== 'http://same.invalid') return fallback;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return fallback;
  }
}
