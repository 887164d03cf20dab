import { AppError, safeEqual, sha256, toAppError } from '@pocketping/core';
import type { TWebhookEndpoint, TWebhookPorts, TWebhookResult } from '../inbound-ports.js';
import { telegramUpdateId } from './update-schema.js';

/** Telegram updates are small (a message with a caption); anything above this is not a Telegram update. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/** An enqueue must not hold Telegram's request: past this the sweeper gets the row instead. */
const ENQUEUE_TIMEOUT_MS = 2_000;

/** Telegram's own limits for secret_token: 1–256 characters of A-Z a-z 0-9 _ -. */
const SECRET_FORMAT = /^[A-Za-z0-9_-]{1,256}$/;

export interface TTelegramWebhookInput {
  connectionId: string;
  /** The X-Telegram-Bot-Api-Secret-Token header, or null when absent. */
  secretHeader: string | null;
  rawBody: string;
}

/**
 * Receives one Telegram update for one connection: authenticate, store, enqueue, answer. No platform work happens
 * here — the worker's inbound job does it — so Telegram gets its 200 in milliseconds.
 *
 * This is the webhook transport's single tenancy wrapper: the organization comes from the connection in the URL,
 * and only after the secret proves the caller is that connection's bot.
 */
export async function handleTelegramWebhook(
  deps: TWebhookPorts,
  input: TTelegramWebhookInput,
): Promise<TWebhookResult> {
  const { log } = deps;
  let organizationId: string | undefined;
  try {
    const connection = await deps.connectionForWebhook(input.connectionId);
    // Another platform's connection id gets the same answer as an unknown one.
    if (!connection || connection.kind !== 'telegram') throw new AppError('not_found', 'Unknown webhook');
    organizationId = connection.organizationId;

    // Authenticate before looking at the body at all.
    const secret = input.secretHeader;
    const isAuthentic =
      connection.webhookSecretHash !== null &&
      secret !== null &&
      SECRET_FORMAT.test(secret) &&
      safeEqual(sha256(secret), connection.webhookSecretHash);
    if (!isAuthentic) {
      log.warn(
        { organizationId, connectionId: connection.id, bridge: 'telegram', hasSecret: secret !== null },
        'telegram webhook: wrong or missing secret',
      );
      throw new AppError('unauthorized', 'Missing or wrong X-Telegram-Bot-Api-Secret-Token');
    }

    if (Buffer.byteLength(input.rawBody, 'utf8') > MAX_WEBHOOK_BODY_BYTES) {
      throw new AppError('payload_too_large', `Body exceeds ${MAX_WEBHOOK_BODY_BYTES} bytes`);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(input.rawBody);
    } catch {
      throw new AppError('bad_request', 'Body is not valid JSON');
    }
    const externalId = telegramUpdateId(payload);
    if (externalId === null) throw new AppError('bad_request', 'Body is not a Telegram update (no update_id)');

    // Telegram delivers webhooks concurrently; update_id counts the bot's updates one by one, so when the previous
    // one is already here nothing earlier is in flight and the update is not held back.
    const logContext = { bridge: 'telegram', updateId: externalId };
    const event = await deps.ingest(log, {
      organizationId,
      connectionId: connection.id,
      kind: 'telegram',
      externalId,
      payload,
      reorderWindowMs: deps.reorderWindowMs,
      previousExternalId: String(Number(externalId) - 1),
      enqueueTimeoutMs: ENQUEUE_TIMEOUT_MS,
      logContext,
    });
    if (event.outcome !== 'stored') {
      // Telegram redelivers after any non-2xx or timeout; a still-pending first copy was enqueued again.
      log.debug(
        { ...logContext, organizationId, inboundEventId: event.id, outcome: event.outcome },
        'telegram webhook: duplicate update',
      );
      return { status: 200, body: { ok: true, duplicate: true } };
    }
    log.debug({ ...logContext, organizationId, inboundEventId: event.id }, 'telegram webhook: update stored');
    return { status: 200, body: { ok: true } };
  } catch (err) {
    const appError = toAppError(err);
    if (appError.code === 'internal') {
      // Database down or similar: a 5xx makes Telegram redeliver later, which is what we want.
      log.error(
        { organizationId, connectionId: input.connectionId, bridge: 'telegram', err },
        'telegram webhook failed',
      );
    }
    return { status: appError.status, body: { error: appError.toJSON() } };
  }
}

/** POST /api/webhooks/telegram/:connectionId — one URL per connection, registered with setWebhook. */
export const telegramWebhook: TWebhookEndpoint = {
  maxBodyBytes: MAX_WEBHOOK_BODY_BYTES,
  pathSegments: 1,
  handle: (ports, request) =>
    handleTelegramWebhook(ports, {
      connectionId: request.path[0] ?? '',
      secretHeader: request.header('x-telegram-bot-api-secret-token'),
      rawBody: request.rawBody,
    }),
};
