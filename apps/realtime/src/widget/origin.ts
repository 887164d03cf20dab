/**
 * Is `origin` in the project's allowlist? Entries are exact origins ("https://shop.example.com"), a wildcard
 * subdomain ("https://*.example.com", which does not match the bare domain), or "*" (any origin).
 */
export function isOriginAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.origin === 'null' || parsed.origin !== origin.toLowerCase().replace(/\/$/, '')) return false;
  for (const entry of allowed) {
    const e = entry.trim().toLowerCase().replace(/\/$/, '');
    if (e === '*') return true;
    if (e === parsed.origin) return true;
    const m = /^(https?):\/\/\*\.([a-z0-9.-]+)(:\d+)?$/.exec(e);
    if (
      m &&
      parsed.protocol === `${m[1]}:` &&
      parsed.hostname.endsWith(`.${m[2]}`) &&
      (m[3] ?? '') === (parsed.port ? `:${parsed.port}` : '')
    )
      return true;
  }
  return false;
}
