// Slack Socket Mode: ONE WebSocket for the shared app (SLACK_APP_TOKEN), for installs without a public URL. Each
// events_api envelope is stored as an InboundEvent for the connection(s) of its (team, channel) and handed to the
// bridge.inbound job — the same path as POST /api/webhooks/slack — and acked only once stored.
import type { TLogger } from '@pocketping/core';
import type { TInboundPorts } from '../inbound-ports.js';
import { SLACK_INSTALL_EVENTS, ZSlackEventCallback } from './event-schema.js';
import { startSlackSocketMode, type TSlackSocketMode } from './socket-mode.js';

export interface TSlackSocketDeps {
  ports: TInboundPorts;
  log: TLogger;
  appToken: string;
  apiUrl: string;
}

export interface TSlackSocketStats {
  envelopes: number;
  stored: number;
  duplicates: number;
  skipped: number;
  failed: number;
}

export interface TSlackSocket {
  stats: TSlackSocketStats;
  isConnected(): boolean;
  /** Resolves once every envelope received so far has been handled (tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const START_RETRY_MS = [2_000, 10_000, 60_000];

/** Starts in the background: a Slack outage or a bad app token never stops the worker (Telegram, Discord). */
export function startSlackSocket(deps: TSlackSocketDeps): TSlackSocket {
  const log = deps.log.child({ bridge: 'slack', transport: 'socket-mode' });
  const stats: TSlackSocketStats = { envelopes: 0, stored: 0, duplicates: 0, skipped: 0, failed: 0 };
  /** One chain per channel: a thread's message, edit and delete are stored in the order Slack sent them. */
  const chains = new Map<string, Promise<void>>();
  let socket: TSlackSocketMode | null = null;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;

  const store = async (body: unknown, retryNum: number): Promise<void> => {
    const parsed = ZSlackEventCallback.safeParse(body);
    // app_uninstalled / tokens_revoked concern every connection of the workspace; they name no channel.
    const isInstallEvent = parsed.success && SLACK_INSTALL_EVENTS.has(parsed.data.event.type);
    if (!parsed.success || (!parsed.data.event.channel && !isInstallEvent)) {
      stats.skipped += 1;
      return;
    }
    const envelope = parsed.data;
    const channel = envelope.event.channel;
    const connections =
      isInstallEvent || !channel
        ? await deps.ports.connectionsByScope({ kind: 'slack', targetScope: envelope.team_id })
        : await deps.ports.connectionsByTarget({
            kind: 'slack',
            targetScope: envelope.team_id,
            targetId: channel,
          });
    if (connections.length === 0) stats.skipped += 1;
    for (const connection of connections) {
      const organizationId = connection.organizationId;
      const event = await deps.ports.ingest(log, {
        organizationId,
        connectionId: connection.id,
        kind: 'slack',
        externalId: envelope.event_id,
        payload: body,
        logContext: { eventId: envelope.event_id, retryNum },
      });
      if (event.outcome === 'stored') stats.stored += 1;
      else stats.duplicates += 1;
    }
  };

  const onEvent = (body: unknown, meta: { retryNum: number }): Promise<void> => {
    stats.envelopes += 1;
    const channel = (body as { event?: { channel?: unknown } } | null)?.event?.channel;
    const key = typeof channel === 'string' ? channel : '';
    const next = (chains.get(key) ?? Promise.resolve()).then(() => store(body, meta.retryNum));
    const settled = next.catch(() => undefined);
    chains.set(key, settled);
    void settled.then(() => {
      if (chains.get(key) === settled) chains.delete(key);
    });
    // Rejects when storing failed: the envelope is then not acked and Slack redelivers it.
    return next.catch((err: unknown) => {
      stats.failed += 1;
      throw err;
    });
  };

  const start = async (attempt: number): Promise<void> => {
    try {
      socket = await startSlackSocketMode({
        appToken: deps.appToken,
        apiUrl: deps.apiUrl,
        onEvent,
        onError: (err) =>
          log.warn(
            { err: err instanceof Error ? err.message : String(err) },
            'slack socket: envelope not stored; Slack will redeliver',
          ),
        onStateChange: (state) => log.info({ state }, 'slack socket mode'),
      });
      if (closed) await socket.close();
    } catch (err) {
      // The app token is never logged; the SDK's error names the API error (invalid_auth, …).
      log.error(
        { err: err instanceof Error ? err.message : String(err), attempt },
        'slack socket mode could not start; retrying',
      );
      if (closed) return;
      retryTimer = setTimeout(
        () => void start(attempt + 1),
        START_RETRY_MS[Math.min(attempt, START_RETRY_MS.length - 1)],
      );
    }
  };
  void start(0);

  return {
    stats,
    isConnected: () => socket?.isConnected() ?? false,
    async idle() {
      await Promise.all([...chains.values()]);
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      await socket?.close();
    },
  };
}
