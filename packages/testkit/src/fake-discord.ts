// Fake Discord on 127.0.0.1: the REST API under /api/v10 and a gateway WebSocket, for discord.js pointed at it with
// `new REST({ api: fake.apiUrl })` / `new Client({ rest: { api: fake.apiUrl } })` (the gateway URL is discovered
// from GET /gateway/bot, as in production). Test tool only: state lives in memory.
//
// Wire format per https://discord.com/developers/docs (REST: `Authorization: Bot <token>`, errors `{code, message}`
// with Discord's JSON error codes, 429 with `{message, retry_after, global}` + Retry-After / X-RateLimit-* headers;
// gateway: op 10 HELLO, op 2 IDENTIFY, op 1/11 heartbeats, op 0 dispatches with sequence numbers, op 6 RESUME with
// replay, op 7 RECONNECT, op 9 INVALID_SESSION, close 4004/4010/4011/4013/4014; sharding: GET /gateway/bot's
// `shards` and `session_start_limit`, IDENTIFY's `shard: [id, count]`, guild events routed only to the sessions whose
// shard is (guild_id >> 22) % count, DMs to shard 0). Where the fake simplifies (no zlib, no per-route bucket maths
// beyond failNext, max_concurrency reported but not enforced) the comment at that spot says so.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import busboy from 'busboy';
import { WebSocketServer, type WebSocket } from 'ws';

// ---------------------------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------------------------

/** Permission bits the fake checks (https://discord.com/developers/docs/topics/permissions). */
export const DISCORD_PERMISSIONS = {
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  Administrator: 1n << 3n,
  ManageThreads: 1n << 34n,
  CreatePublicThreads: 1n << 35n,
  SendMessagesInThreads: 1n << 38n,
} as const;
export type TDiscordPermission = keyof typeof DISCORD_PERMISSIONS;

/** Gateway intents (https://discord.com/developers/docs/events/gateway#gateway-intents). */
const INTENT_GUILDS = 1 << 0;
const INTENT_GUILD_MESSAGES = 1 << 9;
const INTENT_MESSAGE_CONTENT = 1 << 15;
const PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | INTENT_MESSAGE_CONTENT;
const ALL_KNOWN_INTENTS = (1 << 26) - 1;

export interface TFakeDiscordCall {
  method: string;
  /** Path below /api/v10, e.g. /channels/123/messages. */
  path: string;
  /** The route with ids replaced: POST /channels/:id/messages. */
  route: string;
  body: Record<string, unknown> | null;
  status: number;
  at: number;
  /** Multipart uploads of the request (`files[n]` parts). */
  files?: { part: string; filename: string; size: number; mimeType: string }[];
}

interface TUpload {
  part: string;
  filename: string;
  mimeType: string;
  bytes: Buffer;
}

/** A file of a message, as Discord describes it; `url` serves the bytes (the fake's stand-in for its CDN). */
export interface TFakeDiscordAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type?: string;
}

export interface TFakeDiscordMessage {
  id: string;
  channel_id: string;
  guild_id: string;
  author: { id: string; username: string; global_name: string | null; bot?: boolean };
  content: string;
  nonce?: string | number;
  allowed_mentions?: unknown;
  embeds: unknown[];
  /** Uploaded files (multipart `files[n]` + `payload_json`), absent when none. */
  attachments?: TFakeDiscordAttachment[];
  edited_timestamp: string | null;
  deleted: boolean;
}

export interface TFakeDiscordThread {
  id: string;
  parentId: string;
  guildId: string;
  name: string;
  archived: boolean;
  locked: boolean;
  deleted: boolean;
  autoArchiveDuration: number;
}

export interface TFakeDiscordFailure {
  status: number;
  /** Discord JSON error code (0 for a plain 429 / 5xx). */
  code?: number;
  message?: string;
  /** Seconds, for 429. */
  retryAfter?: number;
  global?: boolean;
}

export interface TFakeDiscord {
  /** What discord.js calls `api` (`rest: { api }`): http://127.0.0.1:port/api — REST appends /v10. */
  apiUrl: string;
  gatewayUrl: string;
  port: number;
  token: string;
  bot: { id: string; username: string };
  applicationId: string;
  /** OAuth2 client secret of the application (POST /oauth2/token checks it). */
  clientSecret: string;
  /**
   * The user approves the bot install on Discord's consent screen for a guild: the bot joins it (created when no
   * guildId is given) and a one-use code bound to `redirectUri` is returned, as Discord appends it to the redirect.
   */
  consentBotInstall(opts: { redirectUri: string; guildId?: string; guildName?: string }): {
    code: string;
    guildId: string;
  };
  calls: TFakeDiscordCall[];
  callsOf(route: string): TFakeDiscordCall[];
  addGuild(opts?: { id?: string; name?: string; botInGuild?: boolean; permissions?: TDiscordPermission[] }): {
    id: string;
  };
  addTextChannel(guildId: string, opts?: { id?: string; name?: string; type?: number }): { id: string };
  threads(parentId?: string): TFakeDiscordThread[];
  /** Messages of a channel or thread, oldest first (deleted ones included, flagged). */
  messages(channelId: string): TFakeDiscordMessage[];
  /** A human writes in a thread: stored, and MESSAGE_CREATE is dispatched to the sessions of the guild's shard. */
  operatorWrites(opts: {
    guildId: string;
    threadId: string;
    content: string;
    author?: { id?: string; username?: string; global_name?: string | null; bot?: boolean };
    files?: { filename: string; contentType?: string; data: Uint8Array }[];
  }): TFakeDiscordMessage;
  /** The bytes behind an attachment url (null when unknown). */
  fileBytes(url: string): Buffer | null;
  edit(opts: { threadId: string; messageId: string; content: string }): TFakeDiscordMessage;
  delete(opts: { threadId: string; messageId: string }): void;
  archiveThread(threadId: string, opts?: { locked?: boolean }): void;
  deleteThread(threadId: string): void;
  deleteChannel(channelId: string): void;
  /** The next `times` requests matching `route` (e.g. 'POST /channels/:id/messages') fail this way. */
  failNext(route: string, failure: TFakeDiscordFailure, times?: number): void;
  /** Cuts every gateway socket without a close frame: discord.js resumes, missed dispatches are replayed. */
  dropConnection(): void;
  /** Sends op 7 RECONNECT to every session. */
  requestReconnect(): void;
  /** Sends op 9 INVALID_SESSION (d = resumable) to every session. */
  invalidateSessions(resumable: boolean): void;
  /** Dispatches sent while a session was disconnected are kept; this sends one raw dispatch (routed by shard). */
  dispatch(t: string, d: Record<string, unknown>): void;
  revokeToken(): void;
  restoreToken(): void;
  /** The bot is removed from the guild: GUILD_DELETE is dispatched, REST on its channels answers 403 Missing Access. */
  kickBot(guildId: string): void;
  /** Denies the bot a permission in a channel (and its threads) through a member overwrite. */
  removePermission(channelId: string, permission: TDiscordPermission): void;
  restorePermission(channelId: string, permission: TDiscordPermission): void;
  gateway: {
    identifies: number;
    resumes: number;
    openSockets(): number;
    lastIdentify: Record<string, unknown> | null;
    /** Every IDENTIFY that started a session: its shard and when (ms since 1970). */
    identifyLog: { shard: [number, number]; at: number }[];
    /** The sessions whose socket is open now, each with its shard. */
    liveSessions(): { id: string; shard: [number, number] }[];
  };
  close(): Promise<void>;
}

export interface TFakeDiscordOptions {
  /** Listening port on 127.0.0.1 (0 = any free port, the default). */
  port?: number;
  token?: string;
  /** The application id (= the bot user's id); a fresh snowflake by default. */
  applicationId?: string;
  clientSecret?: string;
  /** Whether the bot application has the Message Content privileged intent enabled (IDENTIFY with it fails with 4014 otherwise). */
  messageContentIntent?: boolean;
  heartbeatIntervalMs?: number;
  latencyMs?: number;
  /** The shard count GET /gateway/bot recommends (default 1). */
  shards?: number;
  /** session_start_limit.max_concurrency reported by GET /gateway/bot (default 1; not enforced by the fake). */
  maxConcurrency?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------------------------------------------

const DISCORD_EPOCH = 1_420_070_400_000n;
const THREAD_NAME_MAX = 100;
const CONTENT_MAX = 2000;
/** Discord's upload limit for a bot in a server without boosts: 10 MiB per request (then 413, code 40005). */
const UPLOAD_MAX_BYTES = 10 * 1024 * 1024;
const MAX_FILES = 10;
const NONCE_MAX = 25;
/** Discord keeps enforced nonces "for a few minutes"; the fake uses 5. */
const NONCE_TTL_MS = 5 * 60_000;
const ALLOWED_ARCHIVE_DURATIONS = new Set([60, 1440, 4320, 10080]);
const TEXT_CHANNEL = 0;
const PUBLIC_THREAD = 11;

interface TGuild {
  id: string;
  name: string;
  botInGuild: boolean;
  ownerId: string;
  everyonePermissions: bigint;
}
interface TChannel {
  id: string;
  guildId: string;
  name: string;
  type: number;
  deleted: boolean;
  /** Permissions denied to the bot by a member overwrite. */
  botDeny: bigint;
}
interface TSession {
  id: string;
  seq: number;
  /** Every dispatch of the session, for RESUME replay (the fake never trims it: tests are short). */
  log: { s: number; t: string; d: unknown }[];
  socket: WebSocket | null;
  intents: number;
  /** [shard_id, num_shards] from IDENTIFY ([0, 1] when absent, as Discord). */
  shard: [number, number];
}

class DiscordApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
const errors = {
  unauthorized: () => new DiscordApiError(401, 0, '401: Unauthorized'),
  missingAccess: () => new DiscordApiError(403, 50001, 'Missing Access'),
  missingPermissions: () => new DiscordApiError(403, 50013, 'Missing Permissions'),
  unknownChannel: () => new DiscordApiError(404, 10003, 'Unknown Channel'),
  unknownGuild: () => new DiscordApiError(404, 10004, 'Unknown Guild'),
  unknownMessage: () => new DiscordApiError(404, 10008, 'Unknown Message'),
  unknownMember: () => new DiscordApiError(404, 10007, 'Unknown Member'),
  archived: () => new DiscordApiError(400, 50083, 'Thread is archived'),
  notAuthor: () => new DiscordApiError(403, 50005, 'Cannot edit a message authored by another user'),
  invalidBody: (field: string, what: string) =>
    Object.assign(new DiscordApiError(400, 50035, 'Invalid Form Body'), { field, what }),
};

let guildIdSeq = 0n;
/**
 * A fresh guild id (snowflake) whose events Discord routes to `shard` of `count`: (id >> 22) % count === shard.
 * For `addGuild({ id })` in sharding tests.
 */
export function discordGuildIdOnShard(shard: number, count: number): string {
  let ms = BigInt(Date.now()) - DISCORD_EPOCH - 1_000_000n - (guildIdSeq++ % 1_000_000n) * BigInt(count);
  ms -= ms % BigInt(count);
  return (((ms + BigInt(shard)) << 22n) | (guildIdSeq & 0xfffn)).toString();
}

export async function startFakeDiscord(opts: TFakeDiscordOptions = {}): Promise<TFakeDiscord> {
  const token =
    opts.token ??
    `${randomBytes(18).toString('base64url')}.${randomBytes(4).toString('base64url')}.${randomBytes(20).toString('base64url')}`;
  let revoked = false;
  let counter = 0n;
  const snowflake = (): string => (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (counter++ & 0xfffn)).toString();
  const bot = { id: opts.applicationId ?? snowflake(), username: 'PocketPing' };
  const applicationId = bot.id; // a bot user's id equals its application's id on Discord
  const clientSecret = opts.clientSecret ?? randomBytes(24).toString('base64url');
  const oauthCodes = new Map<string, { guildId: string; redirectUri: string; expiresAt: number }>();
  const guilds = new Map<string, TGuild>();
  const channels = new Map<string, TChannel>();
  const threads = new Map<string, TFakeDiscordThread>();
  const messages = new Map<string, TFakeDiscordMessage[]>();
  const nonces = new Map<string, { messageId: string; at: number }>();
  /** Attachment bytes by url path (/attachments/<channel>/<attachment>/<filename>). */
  const files = new Map<string, { bytes: Buffer; contentType: string }>();
  const storeAttachment = (
    channelId: string,
    f: { filename: string; contentType?: string | undefined; data: Uint8Array },
  ): TFakeDiscordAttachment => {
    const id = snowflake();
    const path = `/attachments/${channelId}/${id}/${encodeURIComponent(f.filename)}`;
    const bytes = Buffer.from(f.data);
    files.set(path, { bytes, contentType: f.contentType ?? 'application/octet-stream' });
    // Like the CDN's signed links: query parameters the client must keep (ex = expiry, hm = signature).
    const url = `http://127.0.0.1:${port}${path}?ex=${Math.floor(Date.now() / 1000 + 86_400).toString(16)}&hm=${randomBytes(8).toString('hex')}`;
    return {
      id,
      filename: f.filename,
      size: bytes.length,
      url,
      proxy_url: url,
      ...(f.contentType ? { content_type: f.contentType } : {}),
    };
  };
  const failures: { route: string; failure: TFakeDiscordFailure; left: number }[] = [];
  const calls: TFakeDiscordCall[] = [];
  const sessions = new Map<string, TSession>();
  const sockets = new Set<WebSocket>();
  const gatewayStats = {
    identifies: 0,
    resumes: 0,
    lastIdentify: null as Record<string, unknown> | null,
    identifyLog: [] as { shard: [number, number]; at: number }[],
  };
  /** Discord's rule: the shard that receives a guild's events. */
  const shardOfGuild = (guildId: string, count: number) => Number((BigInt(guildId) >> 22n) % BigInt(count));
  /** Whether a session receives a dispatch: events of a guild go to its shard only, the rest (DMs) to shard 0. */
  const sessionGets = (s: TSession, t: string, d: Record<string, unknown>) => {
    const guildId =
      typeof d.guild_id === 'string' ? d.guild_id : t.startsWith('GUILD_') && typeof d.id === 'string' ? d.id : null;
    return guildId === null ? s.shard[0] === 0 : shardOfGuild(guildId, s.shard[1]) === s.shard[0];
  };
  const heartbeatInterval = opts.heartbeatIntervalMs ?? 41_250;
  const allPermissions =
    Object.values(DISCORD_PERMISSIONS).reduce((a, b) => a | b, 0n) & ~DISCORD_PERMISSIONS.Administrator;

  // ---- permission & lookup helpers ----------------------------------------------------------------------------
  const guildOf = (id: string): TGuild => {
    const g = guilds.get(id);
    if (!g) throw errors.unknownGuild();
    if (!g.botInGuild) throw errors.missingAccess();
    return g;
  };
  /** A channel or a thread, as the bot can see it; permissions are the parent's for a thread. */
  const resolveChannel = (id: string): { channel: TChannel; thread: TFakeDiscordThread | null; perms: bigint } => {
    const thread = threads.get(id) ?? null;
    const channel = channels.get(thread ? thread.parentId : id);
    if (!channel || channel.deleted || thread?.deleted) throw errors.unknownChannel();
    const guild = guilds.get(channel.guildId);
    if (!guild?.botInGuild) throw errors.missingAccess();
    const perms = guild.everyonePermissions & ~channel.botDeny;
    if (!(perms & DISCORD_PERMISSIONS.ViewChannel)) throw errors.missingAccess();
    return { channel, thread, perms };
  };
  const need = (perms: bigint, p: bigint) => {
    if (!(perms & p)) throw errors.missingPermissions();
  };
  const channelJson = (c: TChannel) => ({
    id: c.id,
    type: c.type,
    guild_id: c.guildId,
    name: c.name,
    position: 0,
    parent_id: null,
    topic: null,
    nsfw: false,
    last_message_id: null,
    rate_limit_per_user: 0,
    permission_overwrites: c.botDeny ? [{ id: bot.id, type: 1, allow: '0', deny: c.botDeny.toString() }] : [],
    flags: 0,
  });
  const threadJson = (t: TFakeDiscordThread) => ({
    id: t.id,
    type: PUBLIC_THREAD,
    guild_id: t.guildId,
    parent_id: t.parentId,
    name: t.name,
    owner_id: bot.id,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
    message_count: (messages.get(t.id) ?? []).filter((m) => !m.deleted).length,
    member_count: 1,
    thread_metadata: {
      archived: t.archived,
      locked: t.locked,
      auto_archive_duration: t.autoArchiveDuration,
      archive_timestamp: new Date().toISOString(),
      create_timestamp: new Date().toISOString(),
    },
    total_message_sent: (messages.get(t.id) ?? []).length,
  });
  const guildJson = (g: TGuild) => ({
    id: g.id,
    name: g.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: g.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    features: [],
    emojis: [],
    stickers: [],
    roles: [
      {
        id: g.id,
        name: '@everyone',
        permissions: g.everyonePermissions.toString(),
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
  });
  const messageJson = (m: TFakeDiscordMessage) => {
    const { deleted: _deleted, ...rest } = m;
    void _deleted;
    return {
      ...rest,
      type: 0,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: m.attachments ?? [],
      pinned: false,
      timestamp: timestampOf(m.id),
      flags: 0,
      components: [],
    };
  };
  const timestampOf = (id: string) => new Date(Number((BigInt(id) >> 22n) + DISCORD_EPOCH)).toISOString();
  const botAuthor = () => ({
    id: bot.id,
    username: bot.username,
    global_name: null,
    bot: true,
    discriminator: '0',
    avatar: null,
  });

  // ---- gateway dispatch ---------------------------------------------------------------------------------------
  const send = (ws: WebSocket, payload: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
  };
  const dispatchTo = (session: TSession, t: string, d: unknown) => {
    session.seq += 1;
    session.log.push({ s: session.seq, t, d });
    if (session.socket) send(session.socket, { op: 0, t, s: session.seq, d });
  };
  const wantsMessages = (s: TSession) => (s.intents & INTENT_GUILD_MESSAGES) !== 0;
  const dispatchAll = (t: string, d: Record<string, unknown>) => {
    for (const s of sessions.values()) {
      if (!sessionGets(s, t, d)) continue;
      if (t.startsWith('MESSAGE_') && !wantsMessages(s)) continue;
      // Without MESSAGE_CONTENT, Discord blanks content of messages that do not mention the bot.
      const data =
        t.startsWith('MESSAGE_') && !(s.intents & INTENT_MESSAGE_CONTENT) && 'content' in d ? { ...d, content: '' } : d;
      dispatchTo(s, t, data);
    }
  };

  const guildCreatePayload = (g: TGuild) => ({
    ...guildJson(g),
    unavailable: false,
    large: false,
    member_count: 2,
    joined_at: new Date().toISOString(),
    voice_states: [],
    presences: [],
    members: [
      { user: botAuthor(), roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 },
    ],
    channels: [...channels.values()].filter((c) => c.guildId === g.id && !c.deleted).map(channelJson),
    threads: [...threads.values()].filter((t) => t.guildId === g.id && !t.deleted && !t.archived).map(threadJson),
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  });

  // ---- REST routes --------------------------------------------------------------------------------------------
  type THandler = (
    params: string[],
    body: Record<string, unknown> | null,
    query: URLSearchParams,
    uploads: TUpload[],
  ) => { status?: number; json: unknown };
  const routes: { method: string; pattern: RegExp; route: string; handler: THandler }[] = [];
  const on = (method: string, route: string, handler: THandler) => {
    const pattern = new RegExp(`^${route.replace(/:[a-z_]+/g, '([^/]+)')}$`);
    routes.push({ method, pattern, route: `${method} ${route}`, handler });
  };

  on('GET', '/gateway/bot', () => ({
    json: {
      url: `ws://127.0.0.1:${port}/gateway`,
      shards: opts.shards ?? 1,
      session_start_limit: {
        total: 1000,
        remaining: Math.max(0, 1000 - gatewayStats.identifies),
        reset_after: 86_400_000,
        max_concurrency: opts.maxConcurrency ?? 1,
      },
    },
  }));
  on('GET', '/gateway', () => ({ json: { url: `ws://127.0.0.1:${port}/gateway` } }));
  on('GET', '/users/@me', () => ({ json: { ...botAuthor(), verified: true, flags: 0, mfa_enabled: false } }));
  // Partial guilds the bot is in, by id; `limit` (1–200) and `after` page like Discord's.
  on('GET', '/users/@me/guilds', (_p, _b, query) => {
    const limit = Math.min(200, Math.max(1, Number(query.get('limit') ?? 200) || 200));
    const after = BigInt(query.get('after') ?? '0');
    const list = [...guilds.values()]
      .filter((g) => g.botInGuild && BigInt(g.id) > after)
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
      .slice(0, limit);
    return {
      json: list.map((g) => ({
        id: g.id,
        name: g.name,
        icon: null,
        banner: null,
        owner: false,
        permissions: g.everyonePermissions.toString(),
        features: [],
      })),
    };
  });
  on('GET', '/guilds/:id', ([id]) => ({ json: guildJson(guildOf(id!)) }));
  on('GET', '/guilds/:id/channels', ([id]) => {
    guildOf(id!);
    return { json: [...channels.values()].filter((c) => c.guildId === id && !c.deleted).map(channelJson) };
  });
  // List Active Guild Threads: every unarchived thread of the server the bot can see, and the bot's memberships.
  on('GET', '/guilds/:id/threads/active', ([id]) => {
    const g = guildOf(id!);
    const list = [...threads.values()].filter((t) => t.guildId === g.id && !t.deleted && !t.archived);
    return {
      json: {
        threads: list.map(threadJson),
        members: list.map((t) => ({ id: t.id, user_id: bot.id, join_timestamp: new Date().toISOString(), flags: 1 })),
      },
    };
  });
  on('GET', '/guilds/:id/members/:uid', ([id, uid]) => {
    const g = guildOf(id!);
    if (uid !== bot.id) throw errors.unknownMember();
    return {
      json: {
        user: botAuthor(),
        roles: [],
        joined_at: new Date().toISOString(),
        deaf: false,
        mute: false,
        flags: 0,
        nick: null,
        guild_id: g.id,
      },
    };
  });
  on('GET', '/channels/:id', ([id]) => {
    const { channel, thread } = resolveChannel(id!);
    return { json: thread ? threadJson(thread) : channelJson(channel) };
  });
  on('PATCH', '/channels/:id', ([id], body) => {
    const { thread, perms } = resolveChannel(id!);
    if (!thread) throw errors.missingPermissions(); // the fake only edits threads
    const b = body ?? {};
    if ((b.locked !== undefined || thread.locked) && !(perms & DISCORD_PERMISSIONS.ManageThreads))
      throw errors.missingPermissions();
    if (typeof b.archived === 'boolean') thread.archived = b.archived;
    if (typeof b.locked === 'boolean') thread.locked = b.locked;
    if (b.name !== undefined) {
      // Discord refuses a name outside 1–100 characters (it never cuts one).
      if (typeof b.name !== 'string' || b.name.length < 1 || b.name.length > THREAD_NAME_MAX)
        throw errors.invalidBody('name', `Must be between 1 and ${THREAD_NAME_MAX} in length.`);
      thread.name = b.name;
    }
    dispatchAll('THREAD_UPDATE', threadJson(thread));
    return { json: threadJson(thread) };
  });
  on('POST', '/channels/:id/threads', ([id], body) => {
    const { channel, thread: isThread, perms } = resolveChannel(id!);
    if (isThread || channel.type !== TEXT_CHANNEL)
      throw new DiscordApiError(400, 50024, 'Cannot execute action on this channel type');
    need(perms, DISCORD_PERMISSIONS.CreatePublicThreads);
    const b = body ?? {};
    const name = b.name;
    if (typeof name !== 'string' || name.length < 1 || name.length > THREAD_NAME_MAX)
      throw errors.invalidBody('name', `Must be between 1 and ${THREAD_NAME_MAX} in length.`);
    const type = b.type ?? PUBLIC_THREAD; // without a starter message Discord defaults to a private thread; the fake only does public ones
    if (type !== PUBLIC_THREAD) throw errors.invalidBody('type', 'The fake only creates public threads (11).');
    const duration = b.auto_archive_duration ?? 4320;
    if (typeof duration !== 'number' || !ALLOWED_ARCHIVE_DURATIONS.has(duration))
      throw errors.invalidBody('auto_archive_duration', 'Value must be one of {60, 1440, 4320, 10080}.');
    const thread: TFakeDiscordThread = {
      id: snowflake(),
      parentId: channel.id,
      guildId: channel.guildId,
      name,
      archived: false,
      locked: false,
      deleted: false,
      autoArchiveDuration: duration,
    };
    threads.set(thread.id, thread);
    messages.set(thread.id, []);
    dispatchAll('THREAD_CREATE', { ...threadJson(thread), newly_created: true });
    return { status: 201, json: threadJson(thread) };
  });
  on('POST', '/channels/:id/messages', ([id], body, _query, uploads) => {
    const { channel, thread, perms } = resolveChannel(id!);
    need(perms, thread ? DISCORD_PERMISSIONS.SendMessagesInThreads : DISCORD_PERMISSIONS.SendMessages);
    if (uploads.length > 0) need(perms, DISCORD_PERMISSIONS.AttachFiles);
    const b = body ?? {};
    const content = typeof b.content === 'string' ? b.content : '';
    const embeds = Array.isArray(b.embeds) ? (b.embeds as unknown[]) : [];
    if (!content && embeds.length === 0 && uploads.length === 0)
      throw new DiscordApiError(400, 50006, 'Cannot send an empty message');
    if (uploads.length > MAX_FILES) throw errors.invalidBody('files', `Must be ${MAX_FILES} or fewer in length.`);
    // Files are the multipart parts `files[n]`; `attachments[].id` in payload_json refers to n (filename may be renamed there).
    const described = Array.isArray(b.attachments) ? (b.attachments as { id?: unknown; filename?: unknown }[]) : [];
    const uploaded = uploads.map((u) => {
      const n = /^files\[(\d+)\]$/.exec(u.part)?.[1];
      if (n === undefined)
        throw errors.invalidBody('files', `Unexpected form part "${u.part}" (files go in files[n]).`);
      const named = described.find((a) => String(a.id) === n)?.filename;
      return {
        filename: typeof named === 'string' && named ? named : u.filename,
        contentType: u.mimeType,
        data: u.bytes,
      };
    });
    if (content.length > CONTENT_MAX) throw errors.invalidBody('content', `Must be ${CONTENT_MAX} or fewer in length.`);
    const nonce = b.nonce;
    if (nonce !== undefined && (typeof nonce === 'string' ? nonce.length > NONCE_MAX : typeof nonce !== 'number'))
      throw errors.invalidBody('nonce', 'Must be 25 or fewer in length.');
    if (b.enforce_nonce === true && nonce !== undefined) {
      // Same author + same nonce within a few minutes → the first message, nothing new (across channels too).
      const seen = nonces.get(String(nonce));
      if (seen && Date.now() - seen.at < NONCE_TTL_MS) {
        const first = [...messages.values()].flat().find((m) => m.id === seen.messageId);
        if (first) return { json: messageJson(first) };
      }
    }
    if (thread?.archived) {
      // A locked thread stays archived until someone with Manage Threads unlocks it (PATCH /channels/:id).
      if (thread.locked) throw errors.archived();
      // Sending into an archived, unlocked thread unarchives it (Discord does the same).
      thread.archived = false;
      dispatchAll('THREAD_UPDATE', threadJson(thread));
    }
    const m: TFakeDiscordMessage = {
      id: snowflake(),
      channel_id: id!,
      guild_id: channel.guildId,
      author: botAuthor(),
      content,
      embeds,
      edited_timestamp: null,
      deleted: false,
      ...(nonce !== undefined ? { nonce: nonce as string | number } : {}),
      ...(b.allowed_mentions !== undefined ? { allowed_mentions: b.allowed_mentions } : {}),
      ...(uploaded.length > 0 ? { attachments: uploaded.map((f) => storeAttachment(id!, f)) } : {}),
    };
    const list = messages.get(id!) ?? [];
    list.push(m);
    messages.set(id!, list);
    if (b.enforce_nonce === true && nonce !== undefined) nonces.set(String(nonce), { messageId: m.id, at: Date.now() });
    dispatchAll('MESSAGE_CREATE', { ...messageJson(m), guild_id: channel.guildId });
    return { json: messageJson(m) };
  });
  const findMessage = (channelId: string, messageId: string) => {
    const m = (messages.get(channelId) ?? []).find((x) => x.id === messageId && !x.deleted);
    if (!m) throw errors.unknownMessage();
    return m;
  };
  on('GET', '/channels/:id/messages', ([id], _b, query) => {
    const { perms } = resolveChannel(id!);
    need(perms, DISCORD_PERMISSIONS.ReadMessageHistory);
    const after = query.get('after');
    const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 50)));
    let list = (messages.get(id!) ?? []).filter((m) => !m.deleted);
    if (after) list = list.filter((m) => BigInt(m.id) > BigInt(after)).slice(0, limit);
    else list = list.slice(-limit);
    return { json: list.reverse().map(messageJson) }; // newest first, like Discord
  });
  on('GET', '/channels/:id/messages/:mid', ([id, mid]) => {
    const { perms } = resolveChannel(id!);
    need(perms, DISCORD_PERMISSIONS.ReadMessageHistory);
    return { json: messageJson(findMessage(id!, mid!)) };
  });
  on('PATCH', '/channels/:id/messages/:mid', ([id, mid], body) => {
    const { channel, thread } = resolveChannel(id!);
    if (thread?.archived) throw errors.archived();
    const m = findMessage(id!, mid!);
    if (m.author.id !== bot.id) throw errors.notAuthor();
    const content = body?.content;
    if (typeof content === 'string') {
      if (content.length > CONTENT_MAX)
        throw errors.invalidBody('content', `Must be ${CONTENT_MAX} or fewer in length.`);
      m.content = content;
    }
    if (body?.allowed_mentions !== undefined) m.allowed_mentions = body.allowed_mentions;
    m.edited_timestamp = new Date().toISOString();
    dispatchAll('MESSAGE_UPDATE', { ...messageJson(m), guild_id: channel.guildId });
    return { json: messageJson(m) };
  });
  on('DELETE', '/channels/:id/messages/:mid', ([id, mid]) => {
    const { channel, thread, perms } = resolveChannel(id!);
    if (thread?.archived) throw errors.archived();
    const m = findMessage(id!, mid!);
    if (m.author.id !== bot.id) need(perms, DISCORD_PERMISSIONS.ManageMessages);
    m.deleted = true;
    dispatchAll('MESSAGE_DELETE', { id: m.id, channel_id: id!, guild_id: channel.guildId });
    return { status: 204, json: null };
  });

  // Trigger Typing Indicator: 204, needs the right to post where it shows (in a thread: Send Messages in Threads).
  on('POST', '/channels/:id/typing', ([id]) => {
    const { thread, perms } = resolveChannel(id!);
    need(perms, thread ? DISCORD_PERMISSIONS.SendMessagesInThreads : DISCORD_PERMISSIONS.SendMessages);
    return { status: 204, json: null };
  });

  // ---- HTTP server --------------------------------------------------------------------------------------------
  const reply = (res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}) => {
    const body = json === null ? '' : JSON.stringify(json);
    res.writeHead(status, { ...(json === null ? {} : { 'content-type': 'application/json' }), ...headers });
    res.end(body);
  };
  const readBody = (req: IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      let data = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (data += c));
      req.on('end', () => resolve(data));
      req.on('error', reject);
    });
  /** multipart/form-data (a message with files): `payload_json` is the JSON body, `files[n]` the files. */
  const readMultipart = (req: IncomingMessage): Promise<{ raw: string; uploads: TUpload[]; tooBig: boolean }> =>
    new Promise((resolve, reject) => {
      const bb = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { fileSize: UPLOAD_MAX_BYTES } });
      let raw = '';
      let total = 0;
      let tooBig = false;
      const uploads: TUpload[] = [];
      const reading: Promise<void>[] = [];
      bb.on('field', (name, value) => {
        if (name === 'payload_json') raw = value;
      });
      bb.on('file', (part, stream, info) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => {
          total += c.length;
          chunks.push(c);
        });
        stream.on('limit', () => (tooBig = true));
        reading.push(
          new Promise((done) =>
            stream.on('close', () => {
              uploads.push({
                part,
                filename: info.filename || part,
                mimeType: info.mimeType,
                bytes: Buffer.concat(chunks),
              });
              done();
            }),
          ),
        );
      });
      bb.on(
        'close',
        () =>
          void Promise.all(reading).then(() => resolve({ raw, uploads, tooBig: tooBig || total > UPLOAD_MAX_BYTES })),
      );
      bb.on('error', reject);
      req.pipe(bb);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/health') return reply(res, 200, { ok: true });
    if (req.method === 'GET' && url.pathname.startsWith('/attachments/')) {
      // The CDN: no Authorization needed, the link itself is the capability.
      const f = files.get(url.pathname);
      if (!f) return reply(res, 404, { message: '404: Not Found', code: 0 });
      res.writeHead(200, { 'content-type': f.contentType, 'content-length': String(f.bytes.length) });
      return res.end(f.bytes);
    }
    if (req.method === 'GET' && url.pathname === '/oauth2/authorize') {
      // Discord's consent screen, approved at once: the bot joins the server named by guild_id (else the first
      // one), then the browser goes back to redirect_uri with code, state and guild_id, as Discord does.
      if (url.searchParams.get('client_id') !== applicationId)
        return reply(res, 400, { message: 'Invalid OAuth2 application', code: 0 });
      const guildId = url.searchParams.get('guild_id') ?? [...guilds.keys()][0];
      const redirectUri = url.searchParams.get('redirect_uri');
      if (!redirectUri) {
        // The plain bot link: no redirect, Discord shows "Authorized".
        if (guildId) fake.consentBotInstall({ redirectUri: '', guildId });
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        return res.end(`fake Discord: the bot was added to ${guildId ? guilds.get(guildId)?.name : 'a new server'}\n`);
      }
      const grant = fake.consentBotInstall({ redirectUri, ...(guildId ? { guildId } : {}) });
      const back = new URL(redirectUri);
      back.searchParams.set('code', grant.code);
      const state = url.searchParams.get('state');
      if (state !== null) back.searchParams.set('state', state);
      back.searchParams.set('guild_id', grant.guildId);
      back.searchParams.set('permissions', url.searchParams.get('permissions') ?? '0');
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (req.method === 'POST' && /^\/api(\/v10)?\/oauth2\/token$/.test(url.pathname)) {
      // OAuth2 code exchange (x-www-form-urlencoded). A bot install's answer carries the chosen guild.
      const form = new URLSearchParams(await readBody(req));
      const record = (status: number) =>
        calls.push({
          method: 'POST',
          path: '/oauth2/token',
          route: 'POST /oauth2/token',
          body: null,
          status,
          at: Date.now(),
        });
      if (form.get('client_id') !== applicationId || form.get('client_secret') !== clientSecret) {
        record(401);
        return reply(res, 401, { error: 'invalid_client' });
      }
      const code = form.get('code') ?? '';
      const grant = oauthCodes.get(code);
      oauthCodes.delete(code);
      if (
        form.get('grant_type') !== 'authorization_code' ||
        !grant ||
        grant.expiresAt < Date.now() ||
        grant.redirectUri !== form.get('redirect_uri')
      ) {
        record(400);
        return reply(res, 400, { error: 'invalid_grant', error_description: 'Invalid "code" in request.' });
      }
      record(200);
      const g = guilds.get(grant.guildId)!;
      return reply(res, 200, {
        access_token: randomBytes(20).toString('base64url'),
        token_type: 'Bearer',
        expires_in: 604800,
        refresh_token: randomBytes(20).toString('base64url'),
        scope: 'bot',
        guild: guildJson(g),
      });
    }
    const m = /^\/api\/v10(\/.*)$/.exec(url.pathname);
    if (!m) return reply(res, 404, { message: '404: Not Found', code: 0 });
    const path = decodeURIComponent(m[1]!); // discord.js sends /users/%40me
    const method = (req.method ?? 'GET').toUpperCase();
    const multipart = (req.headers['content-type'] ?? '').startsWith('multipart/form-data');
    const form = multipart ? await readMultipart(req).catch(() => null) : null;
    const raw = form ? form.raw : await readBody(req);
    const uploads = form?.uploads ?? [];
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    let body: Record<string, unknown> | null = null;
    const record = (route: string, status: number) =>
      calls.push({
        method,
        path,
        route,
        body,
        status,
        at: Date.now(),
        ...(uploads.length
          ? {
              files: uploads.map((u) => ({
                part: u.part,
                filename: u.filename,
                size: u.bytes.length,
                mimeType: u.mimeType,
              })),
            }
          : {}),
      });
    if (multipart && !form) {
      record(`${method} ?`, 400);
      return reply(res, 400, { message: '400: Bad Request', code: 50109 });
    }
    if (form?.tooBig) {
      record(`${method} ?`, 413);
      return reply(res, 413, { message: 'Request entity too large', code: 40005 });
    }
    if (raw) {
      try {
        const parsed = JSON.parse(raw) as unknown;
        body =
          typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
            ? (parsed as Record<string, unknown>)
            : null;
      } catch {
        record(`${method} ?`, 400);
        return reply(res, 400, { message: '400: Bad Request', code: 50109 });
      }
    }
    const match = routes
      .map((r) => ({ r, params: r.method === method ? r.pattern.exec(path) : null }))
      .find((x) => x.params);
    if (!match?.params) {
      record(`${method} ?`, 404);
      return reply(res, 404, { message: '404: Not Found', code: 0 });
    }
    const { r } = match;
    const auth = req.headers.authorization;
    if (revoked || auth !== `Bot ${token}`) {
      record(r.route, 401);
      return reply(res, 401, { message: '401: Unauthorized', code: 0 });
    }
    const failure = failures.find((f) => f.route === r.route && f.left > 0);
    if (failure) {
      failure.left -= 1;
      const f = failure.failure;
      record(r.route, f.status);
      if (f.status === 429) {
        const retryAfter = f.retryAfter ?? 1;
        const headers: Record<string, string> = {
          'retry-after': String(Math.ceil(retryAfter)),
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(retryAfter),
          'x-ratelimit-reset': String(Date.now() / 1000 + retryAfter),
          'x-ratelimit-bucket': 'fakebucket',
          'x-ratelimit-scope': f.global ? 'global' : 'user',
        };
        if (f.global) headers['x-ratelimit-global'] = 'true';
        return reply(
          res,
          429,
          {
            message: f.message ?? 'You are being rate limited.',
            retry_after: retryAfter,
            global: f.global ?? false,
            ...(f.code ? { code: f.code } : {}),
          },
          headers,
        );
      }
      return reply(res, f.status, { message: f.message ?? 'failure', code: f.code ?? 0 });
    }
    try {
      const out = r.handler(match.params.slice(1), body, url.searchParams, uploads);
      const status = out.status ?? 200;
      record(r.route, status);
      // Only bucket headers that say "plenty left": the fake does not simulate buckets (failNext does the 429s).
      reply(res, status, status === 204 ? null : out.json, {
        'x-ratelimit-limit': '50',
        'x-ratelimit-remaining': '49',
        'x-ratelimit-reset-after': '1',
        'x-ratelimit-bucket': 'fakebucket',
      });
    } catch (err) {
      if (!(err instanceof DiscordApiError)) throw err;
      record(r.route, err.status);
      const extra =
        'field' in err
          ? {
              errors: {
                [String(err.field)]: {
                  _errors: [
                    { code: 'BASE_TYPE_BAD_LENGTH', message: String((err as unknown as { what: string }).what) },
                  ],
                },
              },
            }
          : {};
      reply(res, err.status, { message: err.message, code: err.code, ...extra });
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => reply(res, 500, { message: `fake error: ${String(err)}`, code: 0 }));
  });

  // ---- gateway ------------------------------------------------------------------------------------------------
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.replace(/\/$/, '') !== '/gateway') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws, url));
  });
  const onSocket = (ws: WebSocket, url: URL) => {
    sockets.add(ws);
    if (url.searchParams.get('v') !== '10') return ws.close(4012, 'Invalid API version');
    if ((url.searchParams.get('encoding') ?? 'json') !== 'json') return ws.close(4002, 'Decode error'); // the fake speaks JSON only
    let session: TSession | null = null;
    let lastBeat = Date.now();
    const zombie = setInterval(() => {
      // Discord closes a connection that stops heartbeating.
      if (Date.now() - lastBeat > heartbeatInterval * 1.5 + 1_000) ws.close(4009, 'Session timed out');
    }, heartbeatInterval);
    ws.on('close', () => {
      clearInterval(zombie);
      sockets.delete(ws);
      if (session?.socket === ws) session.socket = null;
    });
    ws.on('error', () => undefined);
    send(ws, { op: 10, d: { heartbeat_interval: heartbeatInterval }, s: null, t: null });
    ws.on('message', (data) => {
      let p: { op?: unknown; d?: unknown };
      try {
        p = JSON.parse(String(data)) as { op?: unknown; d?: unknown };
      } catch {
        return ws.close(4002, 'Decode error');
      }
      const d = (typeof p.d === 'object' && p.d !== null ? p.d : {}) as Record<string, unknown>;
      switch (p.op) {
        case 1:
          lastBeat = Date.now();
          return send(ws, { op: 11, d: null, s: null, t: null });
        case 2: {
          if (session) return ws.close(4005, 'Already authenticated');
          gatewayStats.identifies += 1;
          gatewayStats.lastIdentify = { ...d, token: '<redacted>' };
          if (revoked || d.token !== token) return ws.close(4004, 'Authentication failed');
          const intents = d.intents;
          if (
            typeof intents !== 'number' ||
            !Number.isInteger(intents) ||
            intents < 0 ||
            (intents & ~ALL_KNOWN_INTENTS) !== 0
          )
            return ws.close(4013, 'Invalid intent(s)');
          const privileged = intents & PRIVILEGED_INTENTS;
          const allowed = opts.messageContentIntent === false ? 0 : INTENT_MESSAGE_CONTENT;
          if ((privileged & ~allowed) !== 0) return ws.close(4014, 'Disallowed intent(s)');
          const shard = d.shard === undefined ? [0, 1] : d.shard;
          if (
            !Array.isArray(shard) ||
            shard.length !== 2 ||
            !shard.every((n) => typeof n === 'number' && Number.isInteger(n)) ||
            shard[1] < 1 ||
            shard[0] < 0 ||
            shard[0] >= shard[1]
          )
            return ws.close(4010, 'Invalid shard');
          const [shardId, shardCount] = shard as [number, number];
          const inBot = [...guilds.values()].filter((g) => g.botInGuild);
          // Discord requires a shard per 2,500 guilds.
          if (Math.ceil(inBot.length / 2500) > shardCount) return ws.close(4011, 'Sharding required');
          session = {
            id: randomBytes(16).toString('hex'),
            seq: 0,
            log: [],
            socket: ws,
            intents,
            shard: [shardId, shardCount],
          };
          sessions.set(session.id, session);
          gatewayStats.identifyLog.push({ shard: [shardId, shardCount], at: Date.now() });
          const joined = inBot.filter((g) => shardOfGuild(g.id, shardCount) === shardId);
          dispatchTo(session, 'READY', {
            v: 10,
            user: { ...botAuthor(), verified: true, flags: 0, mfa_enabled: false },
            guilds: joined.map((g) => ({ id: g.id, unavailable: true })),
            session_id: session.id,
            resume_gateway_url: `ws://127.0.0.1:${port}/gateway`,
            shard: [shardId, shardCount],
            application: { id: applicationId, flags: 0 },
          });
          if (intents & INTENT_GUILDS)
            for (const g of joined) dispatchTo(session, 'GUILD_CREATE', guildCreatePayload(g));
          return;
        }
        case 6: {
          gatewayStats.resumes += 1;
          const old = typeof d.session_id === 'string' ? sessions.get(d.session_id) : undefined;
          if (revoked || d.token !== token) return ws.close(4004, 'Authentication failed');
          if (!old || typeof d.seq !== 'number') return send(ws, { op: 9, d: false, s: null, t: null });
          if (old.socket && old.socket !== ws) old.socket.terminate();
          session = old;
          old.socket = ws;
          for (const e of old.log.filter((x) => x.s > (d.seq as number))) send(ws, { op: 0, t: e.t, s: e.s, d: e.d });
          dispatchTo(old, 'RESUMED', {});
          return;
        }
        default:
          return ws.close(4001, 'Unknown opcode');
      }
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;

  const getThread = (id: string) => {
    const t = threads.get(id);
    if (!t) throw new Error(`fake discord: no thread ${id}`);
    return t;
  };

  const fake: TFakeDiscord = {
    apiUrl: `http://127.0.0.1:${port}/api`,
    gatewayUrl: `ws://127.0.0.1:${port}/gateway`,
    port,
    token,
    bot,
    applicationId,
    clientSecret,
    consentBotInstall(o) {
      let g = o.guildId ? guilds.get(o.guildId) : undefined;
      if (o.guildId && !g) throw new Error(`fake discord: no guild ${o.guildId}`);
      if (!g) {
        g = {
          id: snowflake(),
          name: o.guildName ?? 'Acme Support',
          botInGuild: false,
          ownerId: snowflake(),
          everyonePermissions: allPermissions,
        };
        guilds.set(g.id, g);
      }
      if (!g.botInGuild) {
        g.botInGuild = true;
        dispatchAll('GUILD_CREATE', guildCreatePayload(g));
      }
      const code = randomBytes(15).toString('base64url');
      oauthCodes.set(code, { guildId: g.id, redirectUri: o.redirectUri, expiresAt: Date.now() + 10 * 60_000 });
      return { code, guildId: g.id };
    },
    calls,
    callsOf: (route) => calls.filter((c) => c.route === route && c.status < 300),
    addGuild(o = {}) {
      const g: TGuild = {
        id: o.id ?? snowflake(),
        name: o.name ?? 'Acme Support',
        botInGuild: o.botInGuild ?? true,
        ownerId: snowflake(),
        everyonePermissions: o.permissions
          ? o.permissions.reduce((a, p) => a | DISCORD_PERMISSIONS[p], 0n)
          : allPermissions,
      };
      guilds.set(g.id, g);
      if (g.botInGuild) dispatchAll('GUILD_CREATE', guildCreatePayload(g));
      return { id: g.id };
    },
    addTextChannel(guildId, o = {}) {
      if (!guilds.has(guildId)) throw new Error(`fake discord: no guild ${guildId}`);
      const c: TChannel = {
        id: o.id ?? snowflake(),
        guildId,
        name: o.name ?? 'support',
        type: o.type ?? TEXT_CHANNEL,
        deleted: false,
        botDeny: 0n,
      };
      channels.set(c.id, c);
      messages.set(c.id, []);
      dispatchAll('CHANNEL_CREATE', channelJson(c));
      return { id: c.id };
    },
    threads: (parentId) =>
      [...threads.values()].filter((t) => !parentId || t.parentId === parentId).map((t) => ({ ...t })),
    messages: (channelId) => (messages.get(channelId) ?? []).map((m) => ({ ...m })),
    fileBytes(u) {
      const f = files.get(new URL(u, 'http://127.0.0.1').pathname);
      return f ? Buffer.from(f.bytes) : null;
    },
    operatorWrites(o) {
      const t = getThread(o.threadId);
      if (t.guildId !== o.guildId) throw new Error('fake discord: thread is in another guild');
      const author = {
        id: o.author?.id ?? '80351110224678912',
        username: o.author?.username ?? 'sarah',
        global_name: o.author?.global_name ?? 'Sarah',
        ...(o.author?.bot ? { bot: true } : {}),
      };
      const m: TFakeDiscordMessage = {
        id: snowflake(),
        channel_id: t.id,
        guild_id: t.guildId,
        author,
        content: o.content,
        embeds: [],
        edited_timestamp: null,
        deleted: false,
        ...(o.files?.length ? { attachments: o.files.map((f) => storeAttachment(t.id, f)) } : {}),
      };
      messages.get(t.id)!.push(m);
      t.archived = false;
      dispatchAll('MESSAGE_CREATE', {
        ...messageJson(m),
        guild_id: t.guildId,
        member: { roles: [], joined_at: new Date().toISOString(), nick: null, deaf: false, mute: false, flags: 0 },
      });
      return { ...m };
    },
    edit(o) {
      const t = getThread(o.threadId);
      const m = (messages.get(t.id) ?? []).find((x) => x.id === o.messageId);
      if (!m) throw new Error(`fake discord: no message ${o.messageId}`);
      m.content = o.content;
      m.edited_timestamp = new Date().toISOString();
      dispatchAll('MESSAGE_UPDATE', { ...messageJson(m), guild_id: t.guildId });
      return { ...m };
    },
    delete(o) {
      const t = getThread(o.threadId);
      const m = (messages.get(t.id) ?? []).find((x) => x.id === o.messageId);
      if (!m) throw new Error(`fake discord: no message ${o.messageId}`);
      m.deleted = true;
      dispatchAll('MESSAGE_DELETE', { id: m.id, channel_id: t.id, guild_id: t.guildId });
    },
    archiveThread(threadId, o = {}) {
      const t = getThread(threadId);
      t.archived = true;
      t.locked = o.locked ?? false;
      dispatchAll('THREAD_UPDATE', threadJson(t));
    },
    deleteThread(threadId) {
      const t = getThread(threadId);
      t.deleted = true;
      dispatchAll('THREAD_DELETE', { id: t.id, guild_id: t.guildId, parent_id: t.parentId, type: PUBLIC_THREAD });
    },
    deleteChannel(channelId) {
      const c = channels.get(channelId);
      if (!c) throw new Error(`fake discord: no channel ${channelId}`);
      c.deleted = true;
      for (const t of threads.values()) if (t.parentId === channelId) t.deleted = true;
      dispatchAll('CHANNEL_DELETE', channelJson(c));
    },
    failNext(route, failure, times = 1) {
      failures.push({ route, failure, left: times });
    },
    dropConnection() {
      for (const ws of sockets) ws.terminate();
    },
    requestReconnect() {
      for (const s of sessions.values()) if (s.socket) send(s.socket, { op: 7, d: null, s: null, t: null });
    },
    invalidateSessions(resumable) {
      for (const s of sessions.values()) {
        if (!resumable) sessions.delete(s.id);
        if (s.socket) send(s.socket, { op: 9, d: resumable, s: null, t: null });
      }
    },
    dispatch: (t, d) => dispatchAll(t, d),
    revokeToken() {
      revoked = true;
      for (const s of sessions.values()) s.socket?.close(4004, 'Authentication failed');
      sessions.clear();
    },
    restoreToken() {
      revoked = false;
    },
    kickBot(guildId) {
      const g = guilds.get(guildId);
      if (!g) throw new Error(`fake discord: no guild ${guildId}`);
      g.botInGuild = false;
      dispatchAll('GUILD_DELETE', { id: guildId }); // no `unavailable`: the bot was removed
    },
    removePermission(channelId, permission) {
      const c = channels.get(channelId);
      if (!c) throw new Error(`fake discord: no channel ${channelId}`);
      c.botDeny |= DISCORD_PERMISSIONS[permission];
    },
    restorePermission(channelId, permission) {
      const c = channels.get(channelId);
      if (!c) throw new Error(`fake discord: no channel ${channelId}`);
      c.botDeny &= ~DISCORD_PERMISSIONS[permission];
    },
    gateway: {
      get identifies() {
        return gatewayStats.identifies;
      },
      get resumes() {
        return gatewayStats.resumes;
      },
      get lastIdentify() {
        return gatewayStats.lastIdentify;
      },
      identifyLog: gatewayStats.identifyLog,
      liveSessions: () =>
        [...sessions.values()]
          .filter((x) => x.socket !== null && x.socket.readyState === x.socket.OPEN)
          .map((x) => ({ id: x.id, shard: [...x.shard] as [number, number] })),
      openSockets: () => sockets.size,
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
