/**
 * Whether a visitor-supplied address (page URL, referrer) may be shown as a link: only http(s) URLs. Anything else
 * (javascript:, data:, app schemes) is shown as plain text, never clickable.
 */
export function isWebUrl(value: string | null | undefined): boolean {
  if (!value) return false;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
