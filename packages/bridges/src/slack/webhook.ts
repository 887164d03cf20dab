import { AppError, toAppError } from '@pocketping/core';
import type { TWebhookEndpoint, TWebhookPorts, TWebhookResult } from '../inbound-ports.js';
import { SLACK_INSTALL_EVENTS, ZSlackEventCallback, ZSlackUrlVerification } from './event-schema.js';
import { verifySlackSignature } from './verify-signature.js';

/** Slack event payloads are small JSON documents; anything this big is not one. */
export const MAX_SLACK_EVENT_BYTES = 1024 * 1024;

/** An enqueue must not hold Slack's request (3 s budget): past this the sweeper gets the row instead. */
const ENQUEUE_TIMEOUT_MS = 1_500;

/**
 * The web app's ports plus the shared app's signing secret. `reorderWindowMs`: Slack may deliver events concurrently
 * and numbers them with no sequence, so every event of a thread is held this long for an earlier one still in flight.
 */
export interface TSlackWebhookDeps extends TWebhookPorts {
  /** SLACK_SIGNING_SECRET of the one shared app; without it nothing can be verified, so nothing is accepted. */
  signingSecret: string | undefined;
}

export interface TSlackWebhookInput {
  rawBody: string;
  timestampHeader: string | null;
  signatureHeader: string | null;
  /** X-Slack-Retry-Num: Slack's redelivery counter, logged; dedupe itself is on event_id. */
  retryNumHeader: string | null;
  nowMs?: number;
}

export type TSlackWebhookResult = TWebhookResult;

/**
 * Receives one Events API request for the shared Slack app: verify the signature, answer url_verification,
 * store the event for the connection(s) of its (team, channel), enqueue, answer. No platform work happens here —
 * the worker's inbound job does it — so Slack gets its 200 well inside its 3-second budget.
 *
 * This is the Slack transport's single tenancy wrapper: there is one URL for every tenant, so the organization
 * comes from the connection that owns (team_id, channel), and only after the signature proves Slack sent it.
 */
export async function handleSlackEvents(
  deps: TSlackWebhookDeps,
  input: TSlackWebhookInput,
): Promise<TSlackWebhookResult> {
  const { log } = deps;
  let logCtx: Record<string, unknown> = { bridge: 'slack' };
  try {
    if (!deps.signingSecret)
      throw new AppError('unavailable', 'Slack events are not configured on this server (SLACK_SIGNING_SECRET)');
    if (Buffer.byteLength(input.rawBody, 'utf8') > MAX_SLACK_EVENT_BYTES)
      throw new AppError('payload_too_large', `Body exceeds ${MAX_SLACK_EVENT_BYTES} bytes`);

    // Authenticate before looking at the body at all.
    const verified = verifySlackSignature({
      signingSecret: deps.signingSecret,
      timestampHeader: input.timestampHeader,
      signatureHeader: input.signatureHeader,
      rawBody: input.rawBody,
      ...(input.nowMs !== undefined ? { nowMs: input.nowMs } : {}),
    });
    if (!verified.ok) {
      log.warn({ ...logCtx, reason: verified.reason }, 'slack events: signature refused');
      throw new AppError(
        'unauthorized',
        verified.reason === 'stale_timestamp'
          ? 'X-Slack-Request-Timestamp is more than 5 minutes off'
          : 'Missing or wrong X-Slack-Signature',
      );
    }

    let payload: unknown;
    try {
      payload = JSON.parse(input.rawBody);
    } catch {
      throw new AppError('bad_request', 'Body is not valid JSON');
    }

    const challenge = ZSlackUrlVerification.safeParse(payload);
    if (challenge.success) return { status: 200, body: { challenge: challenge.data.challenge } };

    const parsed = ZSlackEventCallback.safeParse(payload);
    if (!parsed.success) {
      // app_rate_limited and other envelope types: acknowledged (Slack disables apps that keep failing), not stored.
      const type =
        typeof (payload as { type?: unknown } | null)?.type === 'string' ? (payload as { type: string }).type : null;
      if (type && type !== 'event_callback')
        return { status: 200, body: { ok: true, ignored: `envelope type ${type}` } };
      throw new AppError(
        'bad_request',
        'Body is not a Slack event_callback',
        parsed.error.issues.slice(0, 5).map((i) => i.path.join('.')),
      );
    }
    const envelope = parsed.data;
    const channel = envelope.event.channel;
    logCtx = { ...logCtx, teamId: envelope.team_id, eventId: envelope.event_id, retryNum: input.retryNumHeader };
    // app_uninstalled / tokens_revoked concern every connection of the workspace; they name no channel.
    const isInstallEvent = SLACK_INSTALL_EVENTS.has(envelope.event.type);
    if (!channel && !isInstallEvent) return { status: 200, body: { ok: true, ignored: 'event without a channel' } };

    const connections = isInstallEvent
      ? await deps.connectionsByScope({ kind: 'slack', targetScope: envelope.team_id })
      : await deps.connectionsByTarget({ kind: 'slack', targetScope: envelope.team_id, targetId: channel! });
    if (connections.length === 0) {
      log.debug(logCtx, 'slack events: no connection for this channel');
      return { status: 200, body: { ok: true, ignored: 'no connection for this channel' } };
    }

    let stored = 0;
    for (const connection of connections) {
      // Insert first: the unique (tenant, connection, event_id) turns a retry into a duplicate, whatever the
      // retry header says — a retry whose first attempt never got stored is the only copy and must be kept.
      const event = await deps.ingest(log, {
        organizationId: connection.organizationId,
        connectionId: connection.id,
        kind: 'slack',
        externalId: envelope.event_id,
        payload,
        reorderWindowMs: deps.reorderWindowMs,
        enqueueTimeoutMs: ENQUEUE_TIMEOUT_MS,
        logContext: logCtx,
      });
      if (event.outcome === 'stored') stored += 1;
      log.debug(
        {
          ...logCtx,
          organizationId: connection.organizationId,
          connectionId: connection.id,
          inboundEventId: event.id,
          outcome: event.outcome,
        },
        'slack events: event received',
      );
    }
    return { status: 200, body: stored > 0 ? { ok: true } : { ok: true, duplicate: true } };
  } catch (err) {
    const appError = toAppError(err);
    if (appError.code === 'internal') {
      // Database down or similar: a 5xx makes Slack retry (X-Slack-Retry-Num), which is what we want.
      log.error({ ...logCtx, err }, 'slack events failed');
    }
    return { status: appError.status, body: { error: appError.toJSON() } };
  }
}

/** POST /api/webhooks/slack — one URL for every tenant (the shared app's Events API request URL). */
export function createSlackWebhook(config: { signingSecret: string | undefined }): TWebhookEndpoint {
  return {
    maxBodyBytes: MAX_SLACK_EVENT_BYTES,
    pathSegments: 0,
    handle: (ports, request) =>
      handleSlackEvents(
        { ...ports, signingSecret: config.signingSecret },
        {
          rawBody: request.rawBody,
          timestampHeader: request.header('x-slack-request-timestamp'),
          signatureHeader: request.header('x-slack-signature'),
          retryNumHeader: request.header('x-slack-retry-num'),
        },
      ),
  };
}
