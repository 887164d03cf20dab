import {
  ErrorCode,
  type WebAPIHTTPError,
  type WebAPIPlatformError,
  type WebAPIRateLimitedError,
  type WebAPIRequestError,
} from '@slack/web-api';
import { BridgeError } from '../bridge-error.js';

type TSlackSdkError = WebAPIPlatformError | WebAPIHTTPError | WebAPIRateLimitedError | WebAPIRequestError;

function isSlackSdkError(err: unknown): err is TSlackSdkError {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && Object.values(ErrorCode).includes(code as ErrorCode);
}

/** Slack's error strings, in words the site owner can act on (shown as the connection's "broken" reason). */
const BREAKING: Record<string, { kind: 'unauthorized' | 'forbidden' | 'target_gone'; message: string }> = {
  invalid_auth: {
    kind: 'unauthorized',
    message: 'The Slack bot token is not valid any more (invalid_auth); reinstall the Slack app',
  },
  not_authed: { kind: 'unauthorized', message: 'No Slack token was sent (not_authed); reinstall the Slack app' },
  account_inactive: {
    kind: 'unauthorized',
    message: 'The Slack app was uninstalled or its workspace deactivated (account_inactive); reinstall it',
  },
  token_revoked: {
    kind: 'unauthorized',
    message: 'The Slack token was revoked (token_revoked); reinstall the Slack app',
  },
  token_expired: { kind: 'unauthorized', message: 'The Slack token expired (token_expired); reinstall the Slack app' },
  team_access_not_granted: {
    kind: 'unauthorized',
    message: 'The Slack app has no access to this workspace any more (team_access_not_granted)',
  },
  channel_not_found: {
    kind: 'target_gone',
    message: 'The Slack channel no longer exists or is private and the app is not in it (channel_not_found)',
  },
  is_archived: {
    kind: 'target_gone',
    message: 'The Slack channel was archived (is_archived); unarchive it or pick another channel',
  },
  not_in_channel: {
    kind: 'forbidden',
    message: 'The PocketPing app was removed from the Slack channel (not_in_channel); invite it back with /invite',
  },
  missing_scope: {
    kind: 'forbidden',
    message: 'The Slack app lacks a permission it needs (missing_scope); reinstall it to grant the scopes',
  },
  restricted_action: {
    kind: 'forbidden',
    message: 'A Slack workspace setting prevents the app from posting in this channel (restricted_action)',
  },
  ekm_access_denied: {
    kind: 'forbidden',
    message: 'Slack Enterprise Key Management denied access (ekm_access_denied)',
  },
};

/** Errors that mean "this payload can never succeed" rather than "try again". */
const REJECTED = new Set([
  'msg_too_long',
  'no_text',
  'invalid_blocks',
  'invalid_blocks_format',
  'too_many_attachments',
  'cant_update_message',
  'cant_delete_message',
  'edit_window_closed',
  'invalid_arguments',
  // oauth.v2.access: a used, expired or foreign code, or an app misconfiguration — another try cannot help.
  'invalid_code',
  'code_already_used',
  'bad_redirect_uri',
  'invalid_client_id',
  'bad_client_secret',
  'invalid_grant_type',
]);

/**
 * Maps a @slack/web-api failure to the pipeline's vocabulary. `threaded` says the call was a reply in a thread:
 * there, a vanished parent (thread_not_found / message_not_found) means "open a new parent and carry on".
 */
export function toBridgeError(method: string, err: unknown, opts: { threaded?: boolean } = {}): BridgeError {
  if (!isSlackSdkError(err)) {
    return new BridgeError({
      kind: 'transient',
      platform: 'slack',
      method,
      message: err instanceof Error ? err.message : String(err),
    });
  }
  switch (err.code) {
    case ErrorCode.RateLimitedError:
      return new BridgeError({
        kind: 'rate_limited',
        platform: 'slack',
        method,
        platformCode: 429,
        message: `rate limited; retry after ${err.retryAfter}s`,
        retryAfterMs: Math.max(0, err.retryAfter) * 1000,
      });
    case ErrorCode.HTTPError:
      return new BridgeError({
        kind: err.statusCode >= 500 || err.statusCode === 408 ? 'transient' : 'rejected',
        platform: 'slack',
        method,
        platformCode: err.statusCode,
        message: `HTTP ${err.statusCode} ${err.statusMessage}`,
      });
    case ErrorCode.RequestError:
      return new BridgeError({
        kind: 'transient',
        platform: 'slack',
        method,
        message: `network error: ${err.original.message}`,
      });
    case ErrorCode.PlatformError: {
      const code = String(err.data.error);
      const base = { platform: 'slack', method, platformCode: code };
      if (opts.threaded && (code === 'thread_not_found' || code === 'message_not_found'))
        return new BridgeError({
          ...base,
          kind: 'thread_gone',
          message: `the thread's parent message is gone (${code})`,
        });
      const breaking = BREAKING[code];
      if (breaking) return new BridgeError({ ...base, kind: breaking.kind, message: breaking.message });
      if (code === 'ratelimited')
        return new BridgeError({ ...base, kind: 'rate_limited', message: 'rate limited', retryAfterMs: 1_000 });
      if (REJECTED.has(code) || code === 'message_not_found')
        return new BridgeError({ ...base, kind: 'rejected', message: code });
      // internal_error, fatal_error, service_unavailable, request_timeout, and anything new: worth another try.
      return new BridgeError({ ...base, kind: 'transient', message: code });
    }
    default:
      return new BridgeError({ kind: 'transient', platform: 'slack', method, message: (err as Error).message });
  }
}
