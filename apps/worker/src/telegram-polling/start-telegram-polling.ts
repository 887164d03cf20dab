// Telegram long polling, for installs without a public URL (self-hosting, local runs): Telegram cannot push to
// them, so the worker pulls. One loop per bot token (several connections may share a bot), one loop per bot across
// every worker process (a Redis lease: Telegram answers 409 to a second getUpdates), and each update goes down the
// same path as POST /api/webhooks/telegram/:id — stored as an InboundEvent (unique on update_id, so a replay
// stores nothing twice), then a bridge.inbound job. The offset only moves past updates that are stored, and it is
// kept in Redis, so a restart neither loses nor replays (Telegram also forgets what an offset confirmed).
import { createHash } from 'node:crypto';
import {
  ZTelegramCredentials,
  createTelegramUpdatesClient,
  isBridgeError,
  isPollConflict,
  isWebhookConflict,
  type BridgeError,
  type TTelegramUpdatesClient,
} from '@pocketping/bridges';
import { decryptSecret } from '@pocketping/core';
import { listTelegramConnectionsForPolling, type TConnection } from '@pocketping/db';
import { ingestInboundEvent } from '@pocketping/inbound';
import { createPairLock } from '@pocketping/jobs';
import type { TWorkerContext } from '../context.js';
import { recordFailure } from '../delivery/connection-health.js';

/**
 * auto: poll a bot only while no webhook is set for it (the web app registers one when it has a public URL);
 * polling: always poll, removing a webhook if one is set; webhook: never poll.
 */
export type TTelegramUpdatesMode = 'auto' | 'polling' | 'webhook';

export interface TTelegramPollingConfig {
  mode: TTelegramUpdatesMode;
  apiRoot: string;
  /** Redis key prefix (offsets and the per-bot lease live under it). */
  redisPrefix: string;
  /** How long Telegram holds an idle getUpdates open (s). */
  pollTimeoutSeconds?: number;
  /** How often connections are listed again (new, removed, re-keyed bots) (ms). */
  rescanMs?: number;
  /** auto mode: how often a bot that has a webhook is asked again whether it still has one (ms). */
  webhookRecheckMs?: number;
}

export interface TTelegramPollerStatus {
  botKey: string;
  state: 'starting' | 'polling' | 'webhook' | 'standby' | 'backoff' | 'unauthorized';
  connectionIds: string[];
  offset: number | null;
  stored: number;
  duplicates: number;
  skipped: number;
}

export interface TTelegramPolling {
  /** Lists connections now and starts/stops loops to match (also runs every rescanMs). */
  rescan(): Promise<void>;
  status(): TTelegramPollerStatus[];
  close(): Promise<void>;
}

const MAX_CONNECTIONS = 5_000;
const BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 30_000];
const UNAUTHORIZED_RETRY_MS = 5 * 60_000;
const OFFSET_TTL_SECONDS = 30 * 24 * 3600;

interface TPoller {
  status: TTelegramPollerStatus;
  connections: TConnection[];
  stop(): Promise<void>;
}

/** Redis keys name a bot by a hash of its token: the token itself never leaves memory. */
function botKeyOf(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 32);
}

export function startTelegramPolling(ctx: TWorkerContext, config: TTelegramPollingConfig): TTelegramPolling {
  const log = ctx.log.child({ bridge: 'telegram', transport: 'long-polling' });
  const pollTimeoutSeconds = config.pollTimeoutSeconds ?? 25;
  const rescanMs = config.rescanMs ?? 30_000;
  const webhookRecheckMs = config.webhookRecheckMs ?? 5 * 60_000;
  // The lease outlives one held poll plus the time to store its batch; it is extended after every round.
  const lease = createPairLock(ctx.redis, config.redisPrefix, (pollTimeoutSeconds + 30) * 1000);
  const offsetKey = (botKey: string) => `${config.redisPrefix}:tgpoll:offset:${botKey}`;
  const pollers = new Map<string, TPoller>();
  let closed = false;

  const startPoller = (botKey: string, token: string, connections: TConnection[]): TPoller => {
    const client: TTelegramUpdatesClient = createTelegramUpdatesClient({ apiRoot: config.apiRoot }, token, {
      maxPollSeconds: pollTimeoutSeconds,
    });
    const abort = new AbortController();
    const status: TTelegramPollerStatus = {
      botKey,
      state: 'starting',
      connectionIds: connections.map((c) => c.id),
      offset: null,
      stored: 0,
      duplicates: 0,
      skipped: 0,
    };
    const plog = log.child({ botKey });
    let leaseToken: string | null = null;
    let failures = 0;
    let webhookCheckedAt = 0;
    let webhookDeleted = false;
    let wake: (() => void) | null = null;

    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        // Stopped while a platform or database call was running: an abort listener added now would never fire.
        if (abort.signal.aborted) {
          resolve();
          return;
        }
        const t = setTimeout(done, ms);
        function done() {
          clearTimeout(t);
          abort.signal.removeEventListener('abort', done);
          wake = null;
          resolve();
        }
        wake = done;
        abort.signal.addEventListener('abort', done);
      });

    const readOffset = async (): Promise<number | undefined> => {
      const raw = await ctx.redis.get(offsetKey(botKey));
      const n = raw === null ? NaN : Number(raw);
      return Number.isSafeInteger(n) ? n : undefined;
    };

    /** Stores one update for every connection of this bot whose group it came from. */
    const store = async (update: unknown): Promise<void> => {
      const u = update as {
        update_id?: unknown;
        message?: { chat?: { id?: unknown } };
        edited_message?: { chat?: { id?: unknown } };
      };
      const chatId = (u.message ?? u.edited_message)?.chat?.id;
      const targets = poller.connections.filter((c) => chatId !== undefined && c.targetId === String(chatId));
      if (typeof u.update_id !== 'number' || targets.length === 0) {
        // Another group, a private chat with the bot, an update kind we do not handle: nothing to store.
        status.skipped += 1;
        return;
      }
      for (const connection of targets) {
        const organizationId = connection.organizationId;
        // Long polling hands updates over one batch at a time, in update_id order, stored one after another: nothing
        // can overtake, so nothing is held back.
        const event = await ingestInboundEvent(
          { db: ctx.db, producer: ctx.producer, log: plog },
          {
            organizationId,
            connectionId: connection.id,
            kind: 'telegram',
            externalId: String(u.update_id),
            payload: update,
          },
        );
        if (event.outcome === 'stored') status.stored += 1;
        else status.duplicates += 1;
      }
    };

    const onUnauthorized = async (err: BridgeError) => {
      // The token was revoked: the same "broken" path as a failed delivery (readable reason, owner alerted once).
      for (const connection of poller.connections) {
        if (connection.status === 'broken') continue;
        await recordFailure(
          ctx,
          { ...connection, consecutiveFailures: 0, lastSuccessAt: null, brokenAlertedAt: null },
          err,
        ).catch((e: unknown) =>
          plog.warn(
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
    };

    const releaseLease = async () => {
      if (leaseToken) await lease.release(`tgpoll:${botKey}`, leaseToken).catch(() => undefined);
      leaseToken = null;
    };

    const round = async (): Promise<void> => {
      if (!leaseToken) {
        leaseToken = await lease.acquire(`tgpoll:${botKey}`);
        if (!leaseToken) {
          // Another worker process polls this bot.
          status.state = 'standby';
          await sleep(Math.min(rescanMs, 10_000));
          return;
        }
      }
      if (config.mode === 'auto' && Date.now() - webhookCheckedAt > webhookRecheckMs) {
        const url = await client.webhookUrl(abort.signal);
        webhookCheckedAt = Date.now();
        if (url) {
          status.state = 'webhook';
          await releaseLease();
          await sleep(webhookRecheckMs);
          webhookCheckedAt = 0;
          return;
        }
      }
      if (config.mode === 'polling' && !webhookDeleted) {
        await client.deleteWebhook(abort.signal);
        webhookDeleted = true;
      }
      status.state = 'polling';
      const offset = await readOffset();
      status.offset = offset ?? null;
      const updates = await client.getUpdates({
        ...(offset !== undefined ? { offset } : {}),
        timeoutSeconds: pollTimeoutSeconds,
        signal: abort.signal,
      });
      let next = offset;
      for (const update of updates) {
        await store(update);
        const id = (update as { update_id?: unknown }).update_id;
        if (typeof id === 'number') next = Math.max(next ?? 0, id + 1);
      }
      if (next !== undefined && next !== offset) {
        await ctx.redis.set(offsetKey(botKey), String(next), 'EX', OFFSET_TTL_SECONDS);
        status.offset = next;
      }
      failures = 0;
      if (!(await lease.extend(`tgpoll:${botKey}`, leaseToken))) leaseToken = null;
    };

    const loop = async () => {
      while (!abort.signal.aborted) {
        try {
          await round();
        } catch (err) {
          if (abort.signal.aborted) break;
          failures += 1;
          const message = err instanceof Error ? err.message : String(err);
          if (isWebhookConflict(err)) {
            if (config.mode === 'auto') {
              // A webhook was set meanwhile (the web app has a public URL now): it wins.
              plog.info('a webhook is set for the bot; long polling stops for it');
              webhookCheckedAt = 0;
            } else {
              webhookDeleted = false;
              plog.warn('a webhook was set for the bot; removing it again (TELEGRAM_UPDATES_MODE=polling)');
            }
            await sleep(BACKOFF_MS[0]!);
          } else if (isPollConflict(err)) {
            // Someone else (another deployment with the same bot?) polls too; our lease cannot stop them.
            status.state = 'backoff';
            plog.warn({ failures }, 'another getUpdates runs for this bot (409); backing off');
            await sleep(BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)]!);
          } else if (isBridgeError(err) && err.kind === 'unauthorized') {
            status.state = 'unauthorized';
            plog.warn({ err: message }, 'bot token refused; connection marked broken, retrying later');
            await onUnauthorized(err);
            await releaseLease();
            await sleep(UNAUTHORIZED_RETRY_MS);
          } else if (isBridgeError(err) && err.kind === 'rate_limited') {
            status.state = 'backoff';
            await sleep(err.retryAfterMs ?? BACKOFF_MS[0]!);
          } else {
            status.state = 'backoff';
            plog.warn({ err: message, failures }, 'long polling failed; retrying');
            await sleep(BACKOFF_MS[Math.min(failures - 1, BACKOFF_MS.length - 1)]!);
          }
        }
      }
    };

    const poller: TPoller = {
      status,
      connections,
      async stop() {
        abort.abort();
        wake?.();
        await running;
        await releaseLease();
      },
    };
    const running = loop();
    return poller;
  };

  const rescan = async (): Promise<void> => {
    if (closed) return;
    const wanted = new Map<string, { token: string; connections: TConnection[] }>();
    if (config.mode !== 'webhook') {
      for (const connection of await listTelegramConnectionsForPolling(ctx.db, { limit: MAX_CONNECTIONS })) {
        let token: string;
        try {
          const parsed = ZTelegramCredentials.safeParse(
            JSON.parse(decryptSecret(ctx.keyRing, connection.sealedCredentials)),
          );
          if (!parsed.success) continue;
          token = parsed.data.botToken;
        } catch {
          log.warn(
            { tenantId: connection.organizationId, connectionId: connection.id },
            'credentials cannot be unsealed; not polling',
          );
          continue;
        }
        const key = botKeyOf(token);
        const entry = wanted.get(key) ?? { token, connections: [] };
        entry.connections.push(connection);
        wanted.set(key, entry);
      }
    }
    if (closed) return;
    for (const [key, poller] of pollers) {
      if (!wanted.has(key)) {
        pollers.delete(key);
        log.info({ botKey: key }, 'no connection uses this bot any more; long polling stops');
        await poller.stop();
      }
    }
    for (const [key, { token, connections }] of wanted) {
      const running = pollers.get(key);
      if (running) {
        running.connections = connections;
        running.status.connectionIds = connections.map((c) => c.id);
      } else {
        pollers.set(key, startPoller(key, token, connections));
      }
    }
  };

  // One scan at a time: overlapping scans could start two loops for one bot.
  let scanning: Promise<void> | null = null;
  const runRescan = () =>
    (scanning ??= rescan().finally(() => (scanning = null))).catch((err: unknown) =>
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'telegram polling rescan failed'),
    );
  void runRescan();
  const timer = setInterval(() => void runRescan(), rescanMs);

  return {
    rescan: () => runRescan(),
    status: () => [...pollers.values()].map((p) => ({ ...p.status, connectionIds: [...p.status.connectionIds] })),
    async close() {
      closed = true;
      clearInterval(timer);
      await scanning?.catch(() => undefined);
      await Promise.allSettled([...pollers.values()].map((p) => p.stop()));
      pollers.clear();
    },
  };
}
