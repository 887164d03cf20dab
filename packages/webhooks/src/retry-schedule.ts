/**
 * When a failed delivery is tried again: exponential, 10 s × 3ⁿ — 10 s, 30 s, 1.5 min, 4.5 min, 13.5 min, 40.5 min,
 * 2 h, 6 h, 18.2 h — i.e. 10 attempts over about 27.3 hours, then the delivery is `failed` (the log keeps every
 * attempt; replay sends it again). `baseMs` is configurable (WEBHOOK_RETRY_BASE_MS) so tests can run the schedule fast.
 */
export const WEBHOOK_MAX_ATTEMPTS = 10;

export function webhookRetryDelayMs(attemptsMade: number, baseMs = 10_000): number | null {
  if (attemptsMade >= WEBHOOK_MAX_ATTEMPTS) return null;
  return baseMs * 3 ** (attemptsMade - 1);
}

/** The whole schedule (ms after the first attempt at which each retry starts), for the docs and the test. */
export function webhookRetryOffsetsMs(baseMs = 10_000): number[] {
  const out: number[] = [];
  let at = 0;
  for (let n = 1; n < WEBHOOK_MAX_ATTEMPTS; n++) {
    at += webhookRetryDelayMs(n, baseMs) ?? 0;
    out.push(at);
  }
  return out;
}
