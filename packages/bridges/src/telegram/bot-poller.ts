import type { TLogger } from '@pocketping/core';
import { isBridgeError, type BridgeError } from '../bridge-error.js';
import type { TInboundConnection, TInboundPorts } from '../inbound-ports.js';
import type { TLease, TTransportRuntimePorts } from '../transport-ports.js';
import { createTelegramUpdatesClient, isPollConflict, isWebhookConflict } from './updates-client.js';

/**
 * auto: poll a bot only while no webhook is set for it (the web app registers one when it has a public URL);
 * polling: always poll, removing a webhook if one is set; webhook: never poll.
 */
export type TTelegramUpdatesMode = 'auto' | 'polling' | 'webhook';

export interface TTelegramPollerStatus {
  botKey: string;
  state: 'starting' | 'polling' | 'webhook' | 'standby' | 'backoff' | 'unauthorized';
  connectionIds: string[];
  offset: number | null;
  stored: number;
  duplicates: number;
  skipped: number;
}

/** A Telegram connection the poller reads updates for; `sealedCredentials` holds the bot token. */
export interface TPolledTelegramConnection extends TInboundConnection {
  sealedCredentials: string;
}

export interface TBotPollerSettings {
  mode: TTelegramUpdatesMode;
  apiRoot: string;
  pollTimeoutSeconds: number;
  rescanMs: number;
  webhookRecheckMs: number;
}

export interface TBotPoller {
  status: TTelegramPollerStatus;
  connections: TPolledTelegramConnection[];
  stop(): Promise<void>;
}

const BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 30_000];
const UNAUTHORIZED_RETRY_MS = 5 * 60_000;
const OFFSET_TTL_SECONDS = 30 * 24 * 3600;

const offsetKey = (botKey: string) => `tgpoll:offset:${botKey}`;
const leaseKey = (botKey: string) => `tgpoll:${botKey}`;
const backoffMs = (failures: number) => BACKOFF_MS[Math.min(Math.max(failures, 0), BACKOFF_MS.length - 1)]!;

/** A sleep that `stop()` cuts short; resolves at once once stopped. */
function createStoppableSleep(signal: AbortSignal): { sleep(ms: number): Promise<void>; wake(): void } {
  let wake: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      // Stopped while a platform or database call was running: an abort listener added now would never fire.
      if (signal.aborted) {
        resolve();
        return;
      }
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        wake = null;
        resolve();
      }
      wake = done;
      signal.addEventListener('abort', done);
    });
  return { sleep, wake: () => wake?.() };
}

/** The group an update came from (message or edit), or undefined for anything else. */
function chatIdOf(update: unknown): unknown {
  const u = update as { message?: { chat?: { id?: unknown } }; edited_message?: { chat?: { id?: unknown } } };
  return (u.message ?? u.edited_message)?.chat?.id;
}

/**
 * Stores one update for every connection of the bot whose group it came from. Long polling hands updates over one
 * batch at a time, in update_id order, stored one after another: nothing can overtake, so nothing is held back.
 */
async function storeUpdate(
  ports: TInboundPorts,
  log: TLogger,
  poller: Pick<TBotPoller, 'status' | 'connections'>,
  update: unknown,
): Promise<void> {
  const updateId = (update as { update_id?: unknown }).update_id;
  const chatId = chatIdOf(update);
  const targets = poller.connections.filter((c) => chatId !== undefined && c.targetId === String(chatId));
  if (typeof updateId !== 'number' || targets.length === 0) {
    // Another group, a private chat with the bot, an update kind we do not handle: nothing to store.
    poller.status.skipped += 1;
    return;
  }
  for (const connection of targets) {
    const event = await ports.ingest(log, {
      organizationId: connection.organizationId,
      connectionId: connection.id,
      kind: 'telegram',
      externalId: String(updateId),
      payload: update,
    });
    if (event.outcome === 'stored') poller.status.stored += 1;
    else poller.status.duplicates += 1;
  }
}

/** The token was revoked: the same "broken" path as a failed delivery (readable reason, owner alerted once). */
async function reportRevokedToken(
  ports: TTransportRuntimePorts,
  log: TLogger,
  connections: TPolledTelegramConnection[],
  err: BridgeError,
): Promise<void> {
  for (const connection of connections) {
    if (connection.status === 'broken') continue;
    await ports.reportFailure(connection, err).catch((e: unknown) =>
      log.warn(
        {
          tenantId: connection.organizationId,
          connectionId: connection.id,
          err: e instanceof Error ? e.message : String(e),
        },
        'could not record the broken connection',
      ),
    );
    connection.status = 'broken';
  }
}

/**
 * One bot's loop: holds the bot's lease (one poller per bot across every worker process: Telegram answers 409 to a
 * second getUpdates), steps aside while a webhook is set (auto mode), reads a batch, stores it, and only then moves
 * the offset, kept in the shared store so a restart neither loses nor replays.
 */
export function startBotPoller(
  ports: TInboundPorts & TTransportRuntimePorts,
  parentLog: TLogger,
  settings: TBotPollerSettings,
  lease: TLease,
  bot: { botKey: string; token: string; connections: TPolledTelegramConnection[] },
): TBotPoller {
  const { botKey } = bot;
  const client = createTelegramUpdatesClient({ apiRoot: settings.apiRoot }, bot.token, {
    maxPollSeconds: settings.pollTimeoutSeconds,
  });
  const abort = new AbortController();
  const { sleep, wake } = createStoppableSleep(abort.signal);
  const log = parentLog.child({ botKey });
  const poller: TBotPoller = {
    status: {
      botKey,
      state: 'starting',
      connectionIds: bot.connections.map((c) => c.id),
      offset: null,
      stored: 0,
      duplicates: 0,
      skipped: 0,
    },
    connections: bot.connections,
    async stop() {
      abort.abort();
      wake();
      await running;
      await releaseLease();
    },
  };
  const { status } = poller;
  let leaseToken: string | null = null;
  let failures = 0;
  let webhookCheckedAt = 0;
  let webhookDeleted = false;

  const releaseLease = async () => {
    if (leaseToken) await lease.release(leaseKey(botKey), leaseToken).catch(() => undefined);
    leaseToken = null;
  };

  const readOffset = async (): Promise<number | undefined> => {
    const raw = await ports.store.get(offsetKey(botKey));
    const n = raw === null ? NaN : Number(raw);
    return Number.isSafeInteger(n) ? n : undefined;
  };

  /** False when another worker process polls this bot (we wait in standby). */
  const holdLease = async (): Promise<boolean> => {
    if (leaseToken) return true;
    leaseToken = await lease.acquire(leaseKey(botKey));
    if (leaseToken) return true;
    status.state = 'standby';
    await sleep(Math.min(settings.rescanMs, 10_000));
    return false;
  };

  /** auto mode: a webhook set for the bot wins; true when polling steps aside for now. */
  const webhookTakesOver = async (): Promise<boolean> => {
    if (settings.mode !== 'auto' || Date.now() - webhookCheckedAt <= settings.webhookRecheckMs) return false;
    const url = await client.webhookUrl(abort.signal);
    webhookCheckedAt = Date.now();
    if (!url) return false;
    status.state = 'webhook';
    await releaseLease();
    await sleep(settings.webhookRecheckMs);
    webhookCheckedAt = 0;
    return true;
  };

  /** One getUpdates, its batch stored, then the offset moved past what was stored. */
  const pollOnce = async (): Promise<void> => {
    if (settings.mode === 'polling' && !webhookDeleted) {
      await client.deleteWebhook(abort.signal);
      webhookDeleted = true;
    }
    status.state = 'polling';
    const offset = await readOffset();
    status.offset = offset ?? null;
    const updates = await client.getUpdates({
      ...(offset !== undefined ? { offset } : {}),
      timeoutSeconds: settings.pollTimeoutSeconds,
      signal: abort.signal,
    });
    let next = offset;
    for (const update of updates) {
      await storeUpdate(ports, log, poller, update);
      const id = (update as { update_id?: unknown }).update_id;
      if (typeof id === 'number') next = Math.max(next ?? 0, id + 1);
    }
    if (next !== undefined && next !== offset) {
      await ports.store.set(offsetKey(botKey), String(next), OFFSET_TTL_SECONDS);
      status.offset = next;
    }
  };

  const round = async (): Promise<void> => {
    if (!(await holdLease())) return;
    if (await webhookTakesOver()) return;
    await pollOnce();
    failures = 0;
    if (!(await lease.extend(leaseKey(botKey), leaseToken!))) leaseToken = null;
  };

  /** What a failed round means, and how long to wait before the next. */
  const recover = async (err: unknown): Promise<void> => {
    failures += 1;
    if (isWebhookConflict(err)) {
      if (settings.mode === 'auto') {
        // A webhook was set meanwhile (the web app has a public URL now): it wins.
        log.info('a webhook is set for the bot; long polling stops for it');
        webhookCheckedAt = 0;
      } else {
        webhookDeleted = false;
        log.warn('a webhook was set for the bot; removing it again (TELEGRAM_UPDATES_MODE=polling)');
      }
      await sleep(BACKOFF_MS[0]!);
    } else if (isPollConflict(err)) {
      // Someone else (another deployment with the same bot?) polls too; our lease cannot stop them.
      status.state = 'backoff';
      log.warn({ failures }, 'another getUpdates runs for this bot (409); backing off');
      await sleep(backoffMs(failures));
    } else if (isBridgeError(err) && err.kind === 'unauthorized') {
      status.state = 'unauthorized';
      log.warn({ err: err.message }, 'bot token refused; connection marked broken, retrying later');
      await reportRevokedToken(ports, log, poller.connections, err);
      await releaseLease();
      await sleep(UNAUTHORIZED_RETRY_MS);
    } else if (isBridgeError(err) && err.kind === 'rate_limited') {
      status.state = 'backoff';
      await sleep(err.retryAfterMs ?? BACKOFF_MS[0]!);
    } else {
      status.state = 'backoff';
      log.warn({ err: err instanceof Error ? err.message : String(err), failures }, 'long polling failed; retrying');
      await sleep(backoffMs(failures - 1));
    }
  };

  const loop = async () => {
    while (!abort.signal.aborted) {
      try {
        await round();
      } catch (err) {
        if (abort.signal.aborted) break;
        await recover(err);
      }
    }
  };
  const running = loop();
  return poller;
}
