/** Bot scopes the shared app asks for at install (posting, channel picker/join, operator names, files, thread history). */
export const SLACK_BOT_SCOPES = [
  'chat:write',
  'channels:read',
  'channels:join',
  'users:read',
  'files:write',
  'files:read',
  'channels:history',
  'groups:history',
];

/** The OAuth redirect URI registered with the Slack app; Slack sends the installer back here. */
export const slackRedirectUri = (c: { webPublicUrl: string }) =>
  `${c.webPublicUrl.replace(/\/$/, '')}/api/integrations/slack/callback`;

/** Slack's consent screen lives next to its API root (https://slack.com/api/ → https://slack.com/oauth/v2/authorize). */
export const slackAuthorizeUrl = (apiUrl: string) =>
  new URL('../oauth/v2/authorize', apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`).toString();

/** "Add to Slack": the consent screen URL for the shared app's bot scopes, carrying the caller's signed state. */
export function slackConsentUrl(input: { apiUrl: string; clientId: string; webPublicUrl: string; state: string }) {
  const url = new URL(slackAuthorizeUrl(input.apiUrl));
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('scope', SLACK_BOT_SCOPES.join(','));
  url.searchParams.set('redirect_uri', slackRedirectUri(input));
  url.searchParams.set('state', input.state);
  return url;
}
