import { z } from 'zod';

/** How many allowed origins a project may list (the widget handshake checks each one). */
export const MAX_ALLOWED_ORIGINS = 20;

const WILDCARD =
  /^(https?):\/\/\*\.((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(:\d{1,5})?\/?$/;

/**
 * An allowed origin as the widget handshake compares it: scheme + host [+ port], nothing else. Returns the
 * normalised form ("https://shop.example.com", default port dropped, lower case) or an error saying what is wrong.
 * "https://*.example.com" (any subdomain, not the bare domain) is accepted; a bare "*" is not — a project open
 * to every site is one nobody meant to create.
 */
export function normalizeOrigin(input: string): { ok: true; origin: string } | { ok: false; error: string } {
  const raw = input.trim();
  if (raw === '') return { ok: false, error: 'is empty' };
  if (raw === '*')
    return {
      ok: false,
      error: 'a bare "*" would admit every site; list your sites (https://*.example.com works for subdomains)',
    };
  const lower = raw.toLowerCase();
  const wild = WILDCARD.exec(lower);
  if (wild) {
    const port = wild[3] && Number(wild[3].slice(1)) > 65535 ? null : (wild[3] ?? '');
    if (port === null) return { ok: false, error: 'has an invalid port' };
    const isDefault = (wild[1] === 'https' && port === ':443') || (wild[1] === 'http' && port === ':80');
    return { ok: true, origin: `${wild[1]}://*.${wild[2]}${isDefault ? '' : port}` };
  }
  if (lower.includes('*'))
    return { ok: false, error: 'a wildcard is only allowed as the first label: https://*.example.com' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, error: 'is not a URL like https://example.com' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, error: 'must start with https:// or http://' };
  if (url.username || url.password) return { ok: false, error: 'must not contain a user name or password' };
  if (url.search || url.hash || raw.includes('?') || raw.includes('#'))
    return { ok: false, error: 'must not contain a query or fragment' };
  // `new URL` turns "https://a.com" into pathname "/": only that (or the same with a typed trailing slash) is allowed.
  const afterHost = raw.replace(/^[a-z]+:\/\/[^/]*/i, '');
  if (afterHost !== '' && afterHost !== '/')
    return { ok: false, error: `must not contain a path ("${afterHost}"): an origin is scheme://host[:port]` };
  if (!url.hostname) return { ok: false, error: 'has no host' };
  return { ok: true, origin: url.origin };
}

/** One origin, normalised; a bad one is a 400 naming the entry. */
export const ZAllowedOrigin = z
  .string()
  .max(300)
  .transform((value, ctx) => {
    const r = normalizeOrigin(value);
    if (r.ok) return r.origin;
    ctx.addIssue({ code: 'custom', message: `"${value.trim()}" ${r.error}` });
    return z.NEVER;
  });

/** The whole list: 1 to 20 origins, normalised, duplicates removed. */
export const ZAllowedOrigins = z
  .array(ZAllowedOrigin)
  .min(1, 'add at least one origin: the widget refuses every site that is not listed')
  .max(MAX_ALLOWED_ORIGINS, `at most ${MAX_ALLOWED_ORIGINS} origins`)
  .transform((list) => Array.from(new Set(list)));

/** The site's own URL: http(s) with a host. */
export const ZSiteUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be a URL like https://example.com');

/** The origin of the dashboard itself, so the "try it" page can load the widget. */
export function dashboardOrigin(webPublicUrl: string): string {
  return new URL(webPublicUrl).origin;
}
