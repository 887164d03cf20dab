// The Discord gateway of the shared bot, serving every tenant: split into shards (Discord routes a guild's events to
// shard (guild_id >> 22) % shardCount), each shard held by exactly one worker process through a lease, so N workers
// receive every event once. Message dispatches in a known thread are stored as InboundEvents and handed to the
// bridge.inbound job — the same path as a Telegram webhook.
import { Client, Events, GatewayIntentBits, Options, REST, Routes, type GatewayDispatchPayload } from 'discord.js';
import { z } from 'zod';
import type { TLogger } from '@pocketping/core';
import type { TInboundPorts } from '../inbound-ports.js';
import type { TLease, TTransportRuntimePorts } from '../transport-ports.js';
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
  /** Recent threads of open conversations; `guildIds` narrows them to those guilds (one shard's). */
  discordThreadsForBackfill(input: {
    since: Date;
    limit: number;
    guildIds?: readonly string[];
  }): Promise<TDiscordBackfillThread[]>;
  /** Platform ids of the operator messages shown (not deleted) in one thread of one tenant. */
  liveInboundMessageIds(
    organizationId: string,
    input: { connectionId: string; externalChatId: string; externalThreadId: string; limit: number },
  ): Promise<string[]>;
}

export interface TDiscordGatewayDeps {
  /** `createLease` holds the shards (one owner per shard across every worker process) and spaces IDENTIFYs. */
  ports: TDiscordGatewayPorts & Pick<TTransportRuntimePorts, 'createLease'>;
  log: TLogger;
  botToken: string;
  /** DISCORD_API_URL; the gateway URL itself comes from GET /gateway/bot on that API. */
  apiUrl: string;
  /** After a fresh IDENTIFY (not a resume), fetch recent messages of open conversations' threads (default on). */
  backfill?: { sinceMs: number; maxThreads: number; perThread: number } | false;
  /** DISCORD_SHARD_COUNT: overrides the `shards` GET /gateway/bot recommends (every worker must use the same). */
  shardCount?: number | undefined;
  /**
   * DISCORD_SHARD_LEASE_MS: how long a shard's lease outlives its owner (renewed every third of it). A killed
   * owner's shards are taken over within about 4/3 of it.
   */
  leaseTtlMs?: number | undefined;
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

/** One shard this worker holds the lease of. */
export interface TDiscordShardStatus {
  id: number;
  /** Its session is identified (or resumed) and receiving dispatches. */
  ready: boolean;
  /** The last new session's READY listed these guilds (the shard's). */
  guilds: number;
}

export interface TDiscordGateway {
  stats: TDiscordGatewayStats;
  /** The shard count in use: the override, else what GET /gateway/bot said; null until it answered. */
  shardCount(): number | null;
  /** The shards this worker holds, by id. */
  shards(): TDiscordShardStatus[];
  /** 'unauthorized' while Discord refuses the bot token (GET /gateway/bot 401 or close 4004). */
  state(): 'starting' | 'running' | 'unauthorized';
  /** Resolves once every dispatch received so far has been stored (tests). */
  idle(): Promise<void>;
  /**
   * Closes every shard and releases their leases so another worker takes them over at once. `release: false`
   * leaves the leases to expire, as a killed process does (tests).
   */
  close(opts?: { release?: boolean }): Promise<void>;
}

const THREAD_TYPES = new Set([10, 11, 12]);
const DISCORD_EPOCH_MS = 1_420_070_400_000;
/** When a Discord id (snowflake) was created, in ms since 1970. */
const snowflakeTime = (id: string): number => Number(BigInt(id) >> 22n) + DISCORD_EPOCH_MS;
const PARENT_CACHE_MAX = 20_000;
const STORE_ATTEMPTS = 8;
const LOGIN_RETRY_MS = [5_000, 15_000, 60_000];

/** Discord lets `max_concurrency` IDENTIFYs through per 5 s, bucketed by shard id % max_concurrency. */
const IDENTIFY_WINDOW_MS = 5_000;
const DEFAULT_LEASE_TTL_MS = 20_000;
/** How often a worker that still lacks shards asks GET /gateway/bot again (session budget, recommended count). */
const GATEWAY_INFO_REFRESH_MS = 60_000;

const ZGatewayBot = z.object({
  url: z.string().min(1).max(2048),
  shards: z.number().int().min(1).max(1_000_000),
  session_start_limit: z.object({
    total: z.number().int().min(0),
    remaining: z.number().int().min(0),
    reset_after: z.number().int().min(0),
    max_concurrency: z.number().int().min(1).max(10_000),
  }),
});

const shardLeaseKey = (count: number, id: number) => `dgw:shard:${count}:${id}`;
const identifyKey = (bucket: number) => `dgw:identify:${bucket}`;
const errMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

interface TShardSession {
  id: number;
  client: Client;
  ready: boolean;
  guilds: number;
  closed: boolean;
  loginAttempt: number;
  loginTimer: NodeJS.Timeout | null;
}

/**
 * Starts the gateway in the background: a Discord outage or a bad token never stops the worker (Telegram, Slack).
 * The shard count comes from GET /gateway/bot (or `shardCount`); every third of the lease TTL this worker renews the
 * leases of its shards — closing at once a shard whose lease it lost — and takes every shard nobody holds, opening
 * one discord.js Client per shard (`shards: [id]`). IDENTIFYs are spaced across every worker through short leases
 * per concurrency bucket, and no new session starts while GET /gateway/bot reports none remaining.
 */
export function startDiscordGateway(deps: TDiscordGatewayDeps): TDiscordGateway {
  const log = deps.log.child({ bridge: 'discord' });
  const leaseTtlMs = deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const shardLease: TLease = deps.ports.createLease(leaseTtlMs);
  const identifyLease: TLease = deps.ports.createLease(IDENTIFY_WINDOW_MS);
  const rest = new REST({ api: deps.apiUrl }).setToken(deps.botToken);
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
  /** The shards this worker holds: lease token and session. */
  const held = new Map<number, { token: string; session: TShardSession }>();
  let closed = false;
  let state: 'starting' | 'running' | 'unauthorized' = 'starting';
  let shardCount: number | null = null;
  let maxConcurrency = 1;
  let remainingSessions = Number.POSITIVE_INFINITY;
  let sessionsResetAt = 0;
  let infoAt = 0;

  const remember = (id: string, parent: string | null) => {
    if (parents.size >= PARENT_CACHE_MAX) parents.delete(parents.keys().next().value!);
    parents.set(id, parent);
  };
  const resolveParent = async (channelId: string): Promise<string | null> => {
    for (const { session } of held.values()) {
      const cached = session.client.channels.cache.get(channelId);
      if (cached) return cached.isThread() ? cached.parentId : null;
    }
    if (parents.has(channelId)) return parents.get(channelId) ?? null;
    try {
      const ch = (await rest.get(Routes.channel(channelId))) as { type: number; parent_id?: string | null };
      const parent = THREAD_TYPES.has(ch.type) ? (ch.parent_id ?? null) : null;
      remember(channelId, parent);
      return parent;
    } catch (err) {
      log.debug({ channelId, err: errMessage(err) }, 'discord gateway: channel not readable; dispatch skipped');
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
      // A guild comes through one shard only, with one store chain per thread: stored in the order Discord sent them.
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

  /**
   * Discord does not replay across sessions: what was written while no session existed (worker restarted, token
   * fixed, session invalidated) is fetched from recent threads and stored through the same dedupe keys. Deletes
   * leave nothing to fetch, so they are inferred: an operator message we show that was written before the fetch,
   * lies within the fetched window, and is no longer in the thread was deleted meanwhile → a MESSAGE_DELETE event
   * (the same dedupe key as a live one). Bounded: open conversations active in `sinceMs`, `maxThreads` threads, the
   * last `perThread` messages of each; older deletes are not seen (an operator message older than the window stays).
   * Per shard: a new session of one shard (a restart, or a takeover from a worker that died) fetches the threads of
   * the guilds its READY lists, which are exactly the guilds whose events that shard missed.
   */
  const backfill = async (session: TShardSession, guildIds: string[]) => {
    const cfg = deps.backfill || { sinceMs: 7 * 24 * 3_600_000, maxThreads: 500, perThread: 50 };
    try {
      const threads = await deps.ports.discordThreadsForBackfill({
        since: new Date(Date.now() - cfg.sinceMs),
        limit: cfg.maxThreads,
        guildIds,
      });
      for (const th of threads) {
        if (closed || session.closed) return;
        let list: { id: string; author?: { bot?: boolean }; edited_timestamp?: string | null }[];
        const fetchedAt = Date.now();
        try {
          list = (await rest.get(Routes.channelMessages(th.threadId), {
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

  /** Spaces IDENTIFYs across every worker process: one per concurrency bucket per 5 s (a lease left to expire). */
  const identifyThrottler = {
    async waitForIdentify(shardId: number, signal: AbortSignal): Promise<void> {
      const key = identifyKey(shardId % maxConcurrency);
      for (;;) {
        if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('identify aborted');
        // The shard was closed meanwhile (its lease lost, the gateway closing): it must not identify any more.
        if (closed || held.get(shardId)?.session.closed !== false) throw new Error('shard no longer held');
        const token = await identifyLease.acquire(key).catch((err: unknown) => {
          log.warn({ shardId, err: errMessage(err) }, 'discord gateway: identify slot not readable; waiting');
          return null;
        });
        if (token) return;
        await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
      }
    },
  };

  /** One Client for one shard: `shards: [id]` of `count`; its dispatches go through the shared store chains. */
  const openShard = (id: number, count: number): TShardSession => {
    const slog = log.child({ shardId: id, shardCount: count });
    const client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
      rest: { api: deps.apiUrl },
      shards: [id],
      shardCount: count,
      ws: { buildIdentifyThrottler: () => identifyThrottler },
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
    const session: TShardSession = {
      id,
      client,
      ready: false,
      guilds: 0,
      closed: false,
      loginAttempt: 0,
      loginTimer: null,
    };

    client.on(Events.Raw, (packet: GatewayDispatchPayload) => {
      if (session.closed) return;
      if (packet.t === 'READY') {
        session.ready = true;
        session.guilds = packet.d.guilds.length;
        state = 'running';
        slog.info({ guilds: session.guilds }, 'discord gateway: new session');
        if (deps.backfill !== false)
          void backfill(
            session,
            packet.d.guilds.map((g) => g.id),
          );
        return;
      }
      if (packet.t === 'RESUMED') {
        session.ready = true;
        return void slog.info({}, 'discord gateway: session resumed');
      }
      if (packet.t === 'THREAD_DELETE' || packet.t === 'CHANNEL_DELETE') return void parents.delete(packet.d.id);
      if (!(DISCORD_MESSAGE_EVENTS as readonly string[]).includes(packet.t)) return;
      stats.dispatches++;
      const d = packet.d as { channel_id?: string };
      const t = packet.t as TDiscordGatewayEvent['t'];
      enqueueOrdered(d.channel_id ?? '', () => storeWithRetry(t, packet.s, packet.d));
    });
    client.on(Events.ShardDisconnect, (event) => {
      // Only unrecoverable closes arrive here (4004 revoked token, 4014 intents): a person must act.
      session.ready = false;
      if (event.code === 4004) state = 'unauthorized';
      slog.error(
        { code: event.code },
        'discord gateway closed for good (token revoked or intents not enabled?); retrying login later',
      );
      scheduleLogin(session);
    });
    client.on(Events.ShardReconnecting, () => {
      session.ready = false;
      slog.info({}, 'discord gateway: reconnecting');
    });
    client.on(Events.ShardError, (err) => slog.warn({ err: err.message }, 'discord gateway error'));
    client.on(Events.Error, (err) => slog.warn({ err: err.message }, 'discord client error'));
    void login(session, slog);
    return session;
  };

  const scheduleLogin = (session: TShardSession) => {
    if (closed || session.closed || session.loginTimer) return;
    const wait = LOGIN_RETRY_MS[Math.min(session.loginAttempt, LOGIN_RETRY_MS.length - 1)]!;
    session.loginAttempt++;
    session.loginTimer = setTimeout(() => {
      session.loginTimer = null;
      void login(session, log.child({ shardId: session.id }));
    }, wait);
  };
  const login = async (session: TShardSession, slog: TLogger) => {
    if (closed || session.closed) return;
    try {
      await session.client.login(deps.botToken);
      session.loginAttempt = 0;
      slog.info({ user: session.client.user?.username }, 'discord gateway ready');
    } catch (err) {
      if (session.closed) return;
      if (/token/i.test(errMessage(err))) state = 'unauthorized';
      slog.error({ err: errMessage(err) }, 'discord gateway login failed; retrying');
      scheduleLogin(session);
    }
  };

  const closeShard = async (session: TShardSession) => {
    session.closed = true;
    session.ready = false;
    if (session.loginTimer) clearTimeout(session.loginTimer);
    await session.client.destroy().catch(() => undefined);
  };

  /** GET /gateway/bot: the recommended shard count and the session budget. False when Discord did not answer. */
  const refreshGatewayInfo = async (): Promise<boolean> => {
    try {
      const info = ZGatewayBot.parse(await rest.get(Routes.gatewayBot()));
      infoAt = Date.now();
      const count = deps.shardCount ?? info.shards;
      if (shardCount !== null && count !== shardCount)
        log.warn(
          { was: shardCount, recommended: info.shards },
          'discord gateway: the recommended shard count changed; restart the workers (or set DISCORD_SHARD_COUNT) to reshard',
        );
      shardCount ??= count;
      maxConcurrency = info.session_start_limit.max_concurrency;
      remainingSessions = info.session_start_limit.remaining;
      sessionsResetAt = Date.now() + info.session_start_limit.reset_after;
      if (state === 'unauthorized') state = 'starting';
      return true;
    } catch (err) {
      const status = (err as { status?: unknown }).status;
      if (status === 401) {
        if (state !== 'unauthorized')
          log.error({}, 'discord gateway: the bot token was refused (401; DISCORD_BOT_TOKEN revoked?); retrying later');
        state = 'unauthorized';
      } else log.warn({ err: errMessage(err) }, 'discord gateway: GET /gateway/bot failed; retrying');
      return false;
    }
  };

  /** One round: renew what we hold (closing what we lost), then take every shard nobody holds. */
  const round = async () => {
    for (const [id, h] of held) {
      const kept = await shardLease.extend(shardLeaseKey(shardCount!, id), h.token).catch((err: unknown) => {
        log.warn({ shardId: id, err: errMessage(err) }, 'discord gateway: shard lease not renewable');
        return false;
      });
      if (kept || closed) continue;
      log.warn({ shardId: id }, 'discord gateway: shard lease lost; closing the shard');
      held.delete(id);
      await closeShard(h.session);
    }
    const missing = shardCount === null || held.size < shardCount;
    if (!missing || closed) return;
    if (shardCount === null || Date.now() - infoAt >= GATEWAY_INFO_REFRESH_MS) {
      if (!(await refreshGatewayInfo())) return;
    }
    const count = shardCount!;
    for (let id = 0; id < count && !closed; id++) {
      if (held.has(id)) continue;
      if (remainingSessions <= 0 && Date.now() < sessionsResetAt) {
        log.warn({ resetInMs: sessionsResetAt - Date.now() }, 'discord gateway: no session starts left; waiting');
        return;
      }
      const token = await shardLease.acquire(shardLeaseKey(count, id)).catch(() => null);
      if (!token) continue;
      if (closed) {
        await shardLease.release(shardLeaseKey(count, id), token).catch(() => undefined);
        return;
      }
      remainingSessions--;
      log.info({ shardId: id, shardCount: count }, 'discord gateway: shard taken');
      held.set(id, { token, session: openShard(id, count) });
    }
  };

  const renewEveryMs = Math.max(100, Math.floor(leaseTtlMs / 3));
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<void> = Promise.resolve();
  const loop = () => {
    if (closed) return;
    current = round()
      .catch((err: unknown) => log.warn({ err: errMessage(err) }, 'discord gateway: shard round failed'))
      .finally(() => {
        if (!closed) timer = setTimeout(loop, renewEveryMs);
      });
  };
  loop();

  return {
    stats,
    shardCount: () => shardCount,
    shards: () =>
      [...held.entries()]
        .map(([id, h]) => ({ id, ready: h.session.ready, guilds: h.session.guilds }))
        .sort((a, b) => a.id - b.id),
    state: () => state,
    async idle() {
      while (chains.size > 0) await Promise.allSettled([...chains.values()]);
    },
    async close(opts = {}) {
      closed = true;
      if (timer) clearTimeout(timer);
      await current;
      const mine = [...held.entries()];
      held.clear();
      await Promise.allSettled(
        mine.map(async ([id, h]) => {
          await closeShard(h.session);
          if (opts.release !== false && shardCount !== null)
            await shardLease.release(shardLeaseKey(shardCount, id), h.token).catch(() => undefined);
        }),
      );
      await Promise.allSettled([...chains.values()]);
    },
  };
}
