import { readSessionClaims } from './session';

/** Where Auth.js's magic links land (provider id `nodemailer`). */
export const MAGIC_LINK_CALLBACK = '/api/auth/callback/nodemailer';
export const SWITCH_ACCOUNT_PAGE = '/switch-account';

/**
 * A magic link is a GET that signs the browser in as whoever the link is for. Sent by someone else to a signed-in
 * person, it would swap their session for the sender's account without a word (login CSRF). So when a browser
 * that holds a session for another address opens one, it is sent to /switch-account first, which asks; the
 * link goes on to Auth.js only with `switch=1` (or when the session is the link's own address).
 */
export async function magicLinkSwitchPage(
  url: URL,
  cookieHeader: string | null,
  secret: string,
): Promise<string | null> {
  if (url.pathname !== MAGIC_LINK_CALLBACK || url.searchParams.get('switch') === '1') return null;
  const claims = await readSessionClaims(cookieHeader, secret);
  if (!claims) return null;
  const linkFor = (url.searchParams.get('email') ?? '').trim().toLowerCase();
  if (linkFor && claims.email?.toLowerCase() === linkFor) return null;
  const next = new URLSearchParams(url.searchParams);
  return `${SWITCH_ACCOUNT_PAGE}?${next.toString()}`;
}
