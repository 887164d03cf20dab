// The Discord gateway: ONE connection for the shared bot, serving every tenant. Message dispatches in a known
// thread are stored as InboundEvents and handed to the bridge.inbound job — the same path as a Telegram webhook.
import { Client, Events, GatewayIntentBits, Options, Routes, type GatewayDispatchPayload } from 'discord.js';
import type { TLogger } from '@pocketping/core';
import type { TInboundPorts } from '../inbound-ports.js';
import {
  DISCORD_MESSAGE_EVENTS,
  ZDiscordGatewayEvent,
  discordInboundExternalId,
  type TDiscordGatewayEvent,
} from './gateway-event.js';

/** A recent thread of an open conversation, fetched again after a fresh session (messages written meanwhile). */
export interface TDiscordBackfillThread {
  organizationId: string;
  connectionId: string;
  guildId: string;
  channelId: string;
  threadId: string;
}

/** The gateway's reads, all by platform ids (the gateway serves every tenant), each row naming its tenant. */
export interface TDiscordGatewayPorts extends TInboundPorts {
  /** The connections (organization + connection) whose recorded thread this is, matched on guild and channel too. */
  discordThreadOwners(input: {
    guildId: string;
    channelId: string;
    threadId: string;
  }): Promise<{ organizationId: string; connectionId: string }[]>;
  discordThreadsForBackfill(input: { since: Date; limit: number }): Promise<TDiscordBackfillThread[]>;
  /** Platform ids of the operator messages shown (not deleted) in one thread of one tenant. */
  liveInboundMessageIds(
    organizationId: string,
    input: { connectionId: string; externalChatId: string; externalThreadId: string; limit: number },
  ): Promise<string[]>;
}

export interface TDiscordGatewayDeps {
  ports: TDiscordGatewayPorts;
  log: TLogger;
  botToken: string;
  /** DISCORD_API_URL; the gateway URL itself comes from GET /gateway/bot on that API. */
  apiUrl: string;
  /** After a fresh IDENTIFY (not a resume), fetch recent messages of open conversations' threads (default on). */
  backfill?: { sinceMs: number; maxThreads: number; perThread: number } | false;
}

export interface TDiscordGatewayStats {
  dispatches: number;
  stored: number;
  duplicates: number;
  skipped: number;
  failed: number;
  backfilled: number;
  missedDeletes: number;
}

export interface TDiscordGateway {
  client: Client;
  stats: TDiscordGatewayStats;
  /** Resolves once every dispatch received so far has been stored (tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const THREAD_TYPES = new Set([10, 11, 12]);
const DISCORD_EPOCH_MS = 1_420_070_400_000;
/** When a Discord id (snowflake) was created, in ms since 1970. */
const snowflakeTime = (id: string): number => Number(BigInt(id) >> 22n) + DISCORD_EPOCH_MS;
const PARENT_CACHE_MAX = 20_000;
const STORE_ATTEMPTS = 8;
const LOGIN_RETRY_MS = [5_000, 15_000, 60_000];

/** Starts the gateway in the background: a Discord outage or a bad token never stops the worker (Telegram, Slack). */
export function startDiscordGateway(deps: TDiscordGatewayDeps): TDiscordGateway {
  const log = deps.log.child({ bridge: 'discord' });
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { api: deps.apiUrl },
    // Channels (threads and their parents) are what we need cached; messages never are.
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      MessageManager: 0,
      ReactionManager: 0,
      GuildMemberManager: 0,
      UserManager: 0,
      PresenceManager: 0,
    }),
  });
  const stats: TDiscordGatewayStats = {
    dispatches: 0,
    stored: 0,
    duplicates: 0,
    skipped: 0,
    failed: 0,
    backfilled: 0,
    missedDeletes: 0,
  };
  /** thread/channel id → parent channel id (null: not a thread). Learned from the cache or GET /channels/:id. */
  const parents = new Map<string, string | null>();
  /** One promise chain per channel: a thread's create/edit/delete are stored in the order they arrived. */
  const chains = new Map<string, Promise<void>>();
  let closed = false;

  const remember = (id: string, parent: string | null) => {
    if (parents.size >= PARENT_CACHE_MAX) parents.delete(parents.keys().next().value!);
    parents.set(id, parent);
  };
  const resolveParent = async (channelId: string): Promise<string | null> => {
    const cached = client.channels.cache.get(channelId);
    if (cached) return cached.isThread() ? cached.parentId : null;
    if (parents.has(channelId)) return parents.get(channelId) ?? null;
    try {
      const ch = (await client.rest.get(Routes.channel(channelId))) as { type: number; parent_id?: string | null };
      const parent = THREAD_TYPES.has(ch.type) ? (ch.parent_id ?? null) : null;
      remember(channelId, parent);
      return parent;
    } catch (err) {
      log.debug(
        { channelId, err: err instanceof Error ? err.message : String(err) },
        'discord gateway: channel not readable; dispatch skipped',
      );
      return null;
    }
  };

  /** Stores one dispatch for every connection that owns its thread and enqueues the inbound job. */
  const store = async (
    t: TDiscordGatewayEvent['t'],
    s: number | null,
    data: unknown,
    knownParent?: string,
  ): Promise<void> => {
    const probe = ZDiscordGatewayEvent.safeParse({ t, s, d: data, parent_id: knownParent ?? '0' });
    if (!probe.success) return void stats.skipped++;
    const d = probe.data.d;
    if (!d.guild_id || (t !== 'MESSAGE_DELETE' && (d.author?.bot || d.webhook_id))) return void stats.skipped++; // DMs, bots (ourselves included)
    const parentId = knownParent ?? (await resolveParent(d.channel_id));
    if (!parentId) return void stats.skipped++;
    const owners = await deps.ports.discordThreadOwners({
      guildId: d.guild_id,
      channelId: parentId,
      threadId: d.channel_id,
    });
    if (owners.length === 0) return void stats.skipped++;
    const event: TDiscordGatewayEvent = { t, s, d, parent_id: parentId };
    const externalId = discordInboundExternalId(event);
    for (const owner of owners) {
      // One gateway connection, and one store chain per thread: dispatches are stored in the order Discord sent them.
      const row = await deps.ports.ingest(log, {
        organizationId: owner.organizationId,
        connectionId: owner.connectionId,
        kind: 'discord',
        externalId,
        payload: event,
      });
      if (row.outcome === 'stored') stats.stored++;
      else stats.duplicates++;
    }
  };

  /** The gateway never redelivers what we fail to store, so storing is retried here (database restarts, …). */
  const storeWithRetry = async (
    t: TDiscordGatewayEvent['t'],
    s: number | null,
    data: unknown,
    knownParent?: string,
  ): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await store(t, s, data, knownParent);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        const ids = data as { id?: string; channel_id?: string };
        if (attempt >= STORE_ATTEMPTS || closed) {
          stats.failed++;
          log.error(
            { t, messageId: ids.id, channelId: ids.channel_id, err: msg },
            'discord gateway: could not store a dispatch; the next backfill fetches it again',
          );
          return;
        }
        log.warn({ t, messageId: ids.id, attempt, err: msg }, 'discord gateway: storing a dispatch failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(30_000, 250 * 2 ** attempt)));
      }
    }
  };

  const enqueueOrdered = (channelId: string, work: () => Promise<void>) => {
    const next = (chains.get(channelId) ?? Promise.resolve()).then(work);
    chains.set(channelId, next);
    void next.finally(() => {
      if (chains.get(channelId) === next) chains.delete(channelId);
    });
  };

  client.on(Events.Raw, (packet: GatewayDispatchPayload) => {
    if (packet.t === 'READY') {
      log.info({ guilds: packet.d.guilds.length }, 'discord gateway: new session');
      if (deps.backfill !== false) void backfill();
      return;
    }
    if (packet.t === 'RESUMED') return void log.info({}, 'discord gateway: session resumed');
    if (packet.t === 'THREAD_DELETE' || packet.t === 'CHANNEL_DELETE') return void parents.delete(packet.d.id);
    if (!(DISCORD_MESSAGE_EVENTS as readonly string[]).includes(packet.t)) return;
    stats.dispatches++;
    const d = packet.d as { channel_id?: string };
    const t = packet.t as TDiscordGatewayEvent['t'];
    enqueueOrdered(d.channel_id ?? '', () => storeWithRetry(t, packet.s, packet.d));
  });

  /**
   * Discord does not replay across sessions: what was written while no session existed (worker restarted, token
   * fixed, session invalidated) is fetched from recent threads and stored through the same dedupe keys. Deletes
   * leave nothing to fetch, so they are inferred: an operator message we show that was written before the fetch,
   * lies within the fetched window, and is no longer in the thread was deleted meanwhile → a MESSAGE_DELETE event
   * (the same dedupe key as a live one). Bounded: open conversations active in `sinceMs`, `maxThreads` threads, the
   * last `perThread` messages of each; older deletes are not seen (an operator message older than the window stays).
   */
  const backfill = async () => {
    const cfg = deps.backfill || { sinceMs: 7 * 24 * 3_600_000, maxThreads: 500, perThread: 50 };
    try {
      const threads = await deps.ports.discordThreadsForBackfill({
        since: new Date(Date.now() - cfg.sinceMs),
        limit: cfg.maxThreads,
      });
      for (const th of threads) {
        if (closed) return;
        let list: { id: string; author?: { bot?: boolean }; edited_timestamp?: string | null }[];
        const fetchedAt = Date.now();
        try {
          list = (await client.rest.get(Routes.channelMessages(th.threadId), {
            query: new URLSearchParams({ limit: String(cfg.perThread) }),
          })) as typeof list;
        } catch (err) {
          log.debug(
            {
              tenantId: th.organizationId,
              connectionId: th.connectionId,
              threadId: th.threadId,
              err: err instanceof Error ? err.message : String(err),
            },
            'discord backfill: thread not readable',
          );
          continue;
        }
        for (const m of list.reverse()) {
          if (m.author?.bot) continue;
          const d = { ...m, guild_id: th.guildId };
          enqueueOrdered(th.threadId, () => storeWithRetry('MESSAGE_CREATE', null, d, th.channelId));
          if (m.edited_timestamp)
            enqueueOrdered(th.threadId, () => storeWithRetry('MESSAGE_UPDATE', null, d, th.channelId));
          stats.backfilled++;
        }
        await reconcileDeletes(th, list, cfg.perThread, fetchedAt);
      }
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'discord backfill failed');
    }
  };

  const reconcileDeletes = async (
    th: TDiscordBackfillThread,
    list: readonly { id: string }[],
    perThread: number,
    fetchedAt: number,
  ) => {
    const present = new Set(list.map((m) => m.id));
    // A full page may not reach back to every stored message: only ids at or after its oldest one can be judged.
    const oldest =
      list.length >= perThread
        ? list.reduce((min, m) => (BigInt(m.id) < min ? BigInt(m.id) : min), BigInt(list[0]!.id))
        : 0n;
    const live = await deps.ports.liveInboundMessageIds(th.organizationId, {
      connectionId: th.connectionId,
      externalChatId: th.channelId,
      externalThreadId: th.threadId,
      limit: perThread * 2,
    });
    for (const id of live) {
      // Written after the fetch started (arrived meanwhile through the live session): not judged.
      if (present.has(id) || !/^\d{1,20}$/.test(id) || BigInt(id) < oldest || snowflakeTime(id) >= fetchedAt) continue;
      stats.missedDeletes++;
      log.info(
        { tenantId: th.organizationId, connectionId: th.connectionId, threadId: th.threadId, messageId: id },
        'discord backfill: a message deleted while disconnected',
      );
      enqueueOrdered(th.threadId, () =>
        storeWithRetry('MESSAGE_DELETE', null, { id, channel_id: th.threadId, guild_id: th.guildId }, th.channelId),
      );
    }
  };

  client.on(Events.ShardDisconnect, (event, shardId) => {
    // Only unrecoverable closes arrive here (4004 revoked token, 4014 intents): a person must act.
    log.error(
      { shardId, code: event.code },
      'discord gateway closed for good (token revoked or intents not enabled?); retrying login later',
    );
    scheduleLogin();
  });
  client.on(Events.ShardReconnecting, (shardId) => log.info({ shardId }, 'discord gateway: reconnecting'));
  client.on(Events.ShardError, (err, shardId) => log.warn({ shardId, err: err.message }, 'discord gateway error'));
  client.on(Events.Error, (err) => log.warn({ err: err.message }, 'discord client error'));

  let loginAttempt = 0;
  let loginTimer: NodeJS.Timeout | null = null;
  const scheduleLogin = () => {
    if (closed || loginTimer) return;
    const wait = LOGIN_RETRY_MS[Math.min(loginAttempt, LOGIN_RETRY_MS.length - 1)]!;
    loginAttempt++;
    loginTimer = setTimeout(() => {
      loginTimer = null;
      void login();
    }, wait);
  };
  const login = async () => {
    try {
      await client.login(deps.botToken);
      loginAttempt = 0;
      log.info({ user: client.user?.username }, 'discord gateway ready');
    } catch (err) {
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'discord gateway login failed; retrying');
      scheduleLogin();
    }
  };
  void login();

  return {
    client,
    stats,
    async idle() {
      while (chains.size > 0) await Promise.allSettled([...chains.values()]);
    },
    async close() {
      closed = true;
      if (loginTimer) clearTimeout(loginTimer);
      await Promise.allSettled([...chains.values()]);
      await client.destroy();
    },
  };
}
