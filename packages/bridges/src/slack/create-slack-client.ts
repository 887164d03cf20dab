import { LogLevel, WebClient } from '@slack/web-api';

/** Slack's default Web API root; SLACK_API_URL overrides it (tests point it at the fake). */
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

/**
 * A WebClient that never waits or retries by itself: a 429 is rejected at once as a rate-limited error, so the
 * pipeline's delayed job does the waiting (no worker slot held, order kept), and any other failure is classified
 * by toBridgeError. The SDK's logger would print request bodies at debug level; keep it at error.
 */
export function createSlackClient(token: string | undefined, apiUrl: string): WebClient {
  return new WebClient(token, {
    slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 15_000,
    logLevel: LogLevel.ERROR,
    // The method name is always ours, never a URL; refuse absolute URLs so a token can only go to slackApiUrl.
    allowAbsoluteUrls: false,
  });
}
