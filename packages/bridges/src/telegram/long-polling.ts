// Telegram long polling, for installs without a public URL (self-hosting, local runs): Telegram cannot push to
// them, so the worker pulls. One loop per bot token (several connections may share a bot), one loop per bot across
// every worker process (a shared lease: Telegram answers 409 to a second getUpdates), and each update goes down the
// same path as POST /api/webhooks/telegram/:id — stored as an InboundEvent (unique on update_id, so a replay
// stores nothing twice), then a bridge.inbound job. The offset only moves past updates that are stored, and it is
// kept in the shared store, so a restart neither loses nor replays (Telegram also forgets what an offset confirmed).
import { createHash } from 'node:crypto';
import type { TLogger } from '@pocketping/core';
import type { TInboundPorts } from '../inbound-ports.js';
import type { TTransportRuntimePorts } from '../transport-ports.js';
import {
  startBotPoller,
  type TBotPoller,
  type TPolledTelegramConnection,
  type TTelegramPollerStatus,
  type TTelegramUpdatesMode,
} from './bot-poller.js';
import { ZTelegramCredentials } from './credentials.js';

export interface TTelegramPollingConfig {
  mode: TTelegramUpdatesMode;
  apiRoot: string;
  /** How long Telegram holds an idle getUpdates open (s). */
  pollTimeoutSeconds?: number;
  /** How often connections are listed again (new, removed, re-keyed bots) (ms). */
  rescanMs?: number;
  /** auto mode: how often a bot that has a webhook is asked again whether it still has one (ms). */
  webhookRecheckMs?: number;
}

export interface TTelegramPollingPorts extends TInboundPorts, TTransportRuntimePorts {
  /** System read: the Telegram connections that are not disabled, oldest first, with their sealed credentials. */
  telegramConnectionsForPolling(limit: number): Promise<TPolledTelegramConnection[]>;
}

export interface TTelegramPolling {
  /** Lists connections now and starts/stops loops to match (also runs every rescanMs). */
  rescan(): Promise<void>;
  status(): TTelegramPollerStatus[];
  close(): Promise<void>;
}

const MAX_CONNECTIONS = 5_000;

/** Shared keys name a bot by a hash of its token: the token itself never leaves memory. */
function botKeyOf(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 32);
}

/** The connections to poll, grouped by bot (several connections may share one bot). */
async function connectionsByBot(
  ports: TTelegramPollingPorts,
  log: TLogger,
): Promise<Map<string, { token: string; connections: TPolledTelegramConnection[] }>> {
  const wanted = new Map<string, { token: string; connections: TPolledTelegramConnection[] }>();
  for (const connection of await ports.telegramConnectionsForPolling(MAX_CONNECTIONS)) {
    let token: string;
    try {
      const parsed = ZTelegramCredentials.safeParse(ports.unsealCredentials(connection.sealedCredentials));
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
  return wanted;
}

export function startTelegramPolling(
  ports: TTelegramPollingPorts,
  parentLog: TLogger,
  config: TTelegramPollingConfig,
): TTelegramPolling {
  const log = parentLog.child({ bridge: 'telegram', transport: 'long-polling' });
  const settings = {
    mode: config.mode,
    apiRoot: config.apiRoot,
    pollTimeoutSeconds: config.pollTimeoutSeconds ?? 25,
    rescanMs: config.rescanMs ?? 30_000,
    webhookRecheckMs: config.webhookRecheckMs ?? 5 * 60_000,
  };
  // The lease outlives one held poll plus the time to store its batch; it is extended after every round.
  const lease = ports.createLease((settings.pollTimeoutSeconds + 30) * 1000);
  const pollers = new Map<string, TBotPoller>();
  let closed = false;

  /** Starts and stops bot loops to match the connections stored now. */
  const rescan = async (): Promise<void> => {
    if (closed) return;
    const wanted: Awaited<ReturnType<typeof connectionsByBot>> =
      config.mode === 'webhook' ? new Map() : await connectionsByBot(ports, log);
    if (closed) return;
    for (const [key, poller] of pollers) {
      if (!wanted.has(key)) {
        pollers.delete(key);
        log.info({ botKey: key }, 'no connection uses this bot any more; long polling stops');
        await poller.stop();
      }
    }
    for (const [botKey, { token, connections }] of wanted) {
      const running = pollers.get(botKey);
      if (running) {
        running.connections = connections;
        running.status.connectionIds = connections.map((c) => c.id);
      } else {
        pollers.set(botKey, startBotPoller(ports, log, settings, lease, { botKey, token, connections }));
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
  const timer = setInterval(() => void runRescan(), settings.rescanMs);

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
