/**
 * Why a platform call failed, in the terms the pipeline acts on:
 * - rate_limited: wait `retryAfterMs`, then retry the same message (order kept);
 * - thread_gone: the topic/thread was deleted; open a new one and carry on;
 * - unauthorized / forbidden / target_gone: needs a person (revoked token, bot kicked, channel deleted) —
 *   the connection turns "broken" and messages stay queued;
 * - transient: network or 5xx; retry with backoff;
 * - rejected: the platform refused this message (too long, bad format); retrying the same payload cannot help.
 *
 * The message of a breaking error is shown to the tenant as the connection's status reason and posted as an alert
 * on their other bridges: write it for a person ("The Slack app was removed from #support"), not for a log.
 * Usual mappings: Telegram 401 → unauthorized, 403 / "not enough rights" → forbidden, "chat not found" →
 * target_gone, "message thread not found" → thread_gone. Slack invalid_auth / token_revoked / account_inactive →
 * unauthorized, missing_scope / not_in_channel / restricted_action → forbidden, channel_not_found / is_archived →
 * target_gone, thread parent gone → thread_gone, ratelimited → rate_limited (Retry-After). Discord 401 →
 * unauthorized, 50001 Missing Access / 50013 Missing Permissions → forbidden, 10003 Unknown Channel on the
 * target channel → target_gone and on a thread → thread_gone, 429 → rate_limited.
 */
export type TBridgeErrorKind =
  'rate_limited' | 'thread_gone' | 'unauthorized' | 'forbidden' | 'target_gone' | 'transient' | 'rejected';

export class BridgeError extends Error {
  readonly kind: TBridgeErrorKind;
  readonly platform: string;
  readonly method: string;
  readonly platformCode: number | string | null;
  readonly retryAfterMs: number | null;

  constructor(input: {
    kind: TBridgeErrorKind;
    platform: string;
    method: string;
    message: string;
    platformCode?: number | string | null;
    retryAfterMs?: number | null;
  }) {
    super(`${input.platform}.${input.method}: ${input.message}`);
    this.name = 'BridgeError';
    this.kind = input.kind;
    this.platform = input.platform;
    this.method = input.method;
    this.platformCode = input.platformCode ?? null;
    this.retryAfterMs = input.retryAfterMs ?? null;
  }

  /** Needs a person: the connection should be marked broken with this message as the reason. */
  get isBreaking(): boolean {
    return this.kind === 'unauthorized' || this.kind === 'forbidden' || this.kind === 'target_gone';
  }
}

export function isBridgeError(err: unknown): err is BridgeError {
  return err instanceof BridgeError;
}
