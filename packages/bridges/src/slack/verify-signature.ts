import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's replay window for signed requests. */
export const SLACK_SIGNATURE_MAX_AGE_SECONDS = 5 * 60;

export type TSlackSignatureResult =
  { ok: true } | { ok: false; reason: 'missing_headers' | 'stale_timestamp' | 'bad_signature' };

/** `v0=` + hex HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body) — what Slack sends in X-Slack-Signature. */
export function computeSlackSignature(signingSecret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/**
 * Verifies a request from Slack (Events API, interactivity). The signature must cover the exact bytes received,
 * so this takes the raw body, never a re-serialised one. The timestamp check stops a captured request from being
 * replayed later; the compare is constant-time so the signature cannot be guessed byte by byte.
 */
export function verifySlackSignature(input: {
  signingSecret: string;
  timestampHeader: string | null;
  signatureHeader: string | null;
  rawBody: string;
  nowMs?: number;
}): TSlackSignatureResult {
  const { timestampHeader: ts, signatureHeader: sig } = input;
  if (!ts || !sig || !/^\d{1,12}$/.test(ts) || !/^v0=[0-9a-f]{64}$/.test(sig))
    return { ok: false, reason: 'missing_headers' };
  const nowSeconds = Math.floor((input.nowMs ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - Number(ts)) > SLACK_SIGNATURE_MAX_AGE_SECONDS)
    return { ok: false, reason: 'stale_timestamp' };
  const expected = Buffer.from(computeSlackSignature(input.signingSecret, ts, input.rawBody), 'utf8');
  const received = Buffer.from(sig, 'utf8');
  // Both are "v0=" + 64 hex digits here (checked above), so the lengths match and timingSafeEqual cannot throw.
  if (expected.length !== received.length || !timingSafeEqual(expected, received))
    return { ok: false, reason: 'bad_signature' };
  return { ok: true };
}
