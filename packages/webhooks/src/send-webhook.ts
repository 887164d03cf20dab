import { FetchRefusedError, safeFetch, type TResolveHost } from '@pocketping/core';
import { webhookHeaders } from './signing.js';

export interface TWebhookFetchPolicy {
  /** Private addresses that may be called anyway (IPs/CIDRs): local development and tests only (WEBHOOK_FETCH_ALLOW). */
  allow: readonly string[];
  /** Whole request (default 10 s). */
  timeoutMs?: number;
  /** Bytes of the receiver's answer kept for the log (default 1 KB; the rest is not read). */
  maxResponseBytes?: number;
  resolve?: TResolveHost;
}

export interface TWebhookSendResult {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  /** The start of the receiver's answer, or why there was none. */
  response: string;
}

export const WEBHOOK_USER_AGENT = 'PocketPing-Webhooks/1.0';

/**
 * One signed POST to a customer's endpoint through the SSRF guard (the host resolved once and checked, the
 * connection pinned to that address, no redirect followed, bounded time and answer). 2xx = delivered; anything else
 * (3xx included) or no answer = failed, to be retried on the schedule.
 */
export async function sendWebhook(
  url: string,
  message: { id: string; body: string; secrets: readonly string[] },
  policy: TWebhookFetchPolicy,
): Promise<TWebhookSendResult> {
  const started = performance.now();
  const headers = webhookHeaders({ id: message.id, body: message.body, secrets: message.secrets });
  try {
    const res = await safeFetch(
      url,
      {
        allow: policy.allow,
        timeoutMs: policy.timeoutMs ?? 10_000,
        maxBytes: policy.maxResponseBytes ?? 1024,
        maxRedirects: 0,
        userAgent: WEBHOOK_USER_AGENT,
        ...(policy.resolve ? { resolve: policy.resolve } : {}),
      },
      { post: { body: Buffer.from(message.body), headers }, accept: '*/*', truncate: true, allowRedirect: false },
    );
    return {
      ok: res.status >= 200 && res.status < 300,
      status: res.status,
      latencyMs: Math.round(performance.now() - started),
      response: res.body.toString('utf8'),
    };
  } catch (err) {
    const reason = err instanceof FetchRefusedError ? `${err.reason}: ${err.message}` : (err as Error).message;
    return { ok: false, status: null, latencyMs: Math.round(performance.now() - started), response: reason };
  }
}
