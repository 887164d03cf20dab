import { REST, Routes, PermissionFlagsBits, ChannelType } from 'discord.js';
import { NO_ORDERING, orderKeyFromDigits, type TInboundOrdering } from '../inbound-order.js';
import type {
  TBridge,
  TBridgeTarget,
  TInboundAction,
  TInboundFile,
  TOutgoingFile,
  TPostRateLimit,
  TThreadRef,
} from '../types.js';
import { BridgeError } from '../bridge-error.js';
import { callsTheTeam, truncate } from '../format.js';
import { ZDiscordCredentials, type TDiscordCredentials } from './credentials.js';
import { DISCORD_BOT_PERMISSIONS, discordInstallLink } from './install-link.js';
import { DISCORD_CODES, toBridgeError } from './to-bridge-error.js';
import {
  discordNonce,
  discordThreadName,
  escapeDiscordMarkdown,
  renderDiscordCard,
  renderDiscordParts,
  DISCORD_CONTENT_MAX,
} from './render.js';
import { ZDiscordGatewayEvent, discordInboundExternalId } from './gateway-event.js';

export interface TDiscordBridgeConfig {
  /** discord.js REST `api` (DISCORD_API_URL): https://discord.com/api, or a fake's. */
  apiUrl: string;
  /** The shared bot's token (DISCORD_BOT_TOKEN). Without it every call fails as unauthorized, with a message saying so. */
  botToken?: string | undefined;
  applicationId?: string | undefined;
  /**
   * A 429 that would hold a worker slot longer than this is thrown as rate_limited instead of awaited, so the job
   * is delayed and the slot freed; shorter waits are absorbed by discord.js's bucket queue.
   */
  maxInlineRateLimitWaitMs?: number;
  /** REST timeout per request (discord.js default 15 s). */
  timeoutMs?: number;
  /**
   * Posts per organization across all its channels. The bot's REST budget (about 50 requests/s) and the workers are
   * shared by every tenant: past its share a tenant's jobs are delayed, so the others' messages still go out within
   * seconds. null turns it off.
   */
  tenantPostLimit?: TPostRateLimit | null;
}

/** A tenth of the bot's global REST budget per organization, with a burst of 50. */
export const DEFAULT_DISCORD_TENANT_POST_LIMIT: TPostRateLimit = { scope: 'tenant', capacity: 50, perMs: 10_000 };

/** Every post is sent like this: visitor text can never ping anyone, whatever it contains. */
const NO_MENTIONS = { parse: [] as string[] };
/** `@here` in the content pings the channel (the bot needs "Mention @everyone, @here and All Roles"). */
const HERE_MENTION = { parse: ['everyone'] };
/** 7 days: the longest auto-archive (no longer boost-locked); an archived thread is unarchived on the next post. */
const AUTO_ARCHIVE_MINUTES = 10080;
/** Discord's epoch (2015-01-01) in ms: a snowflake's top bits count ms since it. */
const DISCORD_EPOCH_MS = 1_420_070_400_000;
/** Clock difference allowed between this worker and Discord when dating a thread by its snowflake. */
const FIND_THREAD_MARGIN_MS = 60_000;

/** Separates the ids of a message posted in several parts (content > 2000). Never appears in a snowflake. */
const PART_SEPARATOR = '+';

/** One shared bot for every tenant: one REST client (one bucket queue), the connection only names guild and channel. */
export function createDiscordBridge(config: TDiscordBridgeConfig): TBridge {
  const maxWait = config.maxInlineRateLimitWaitMs ?? 3_000;
  const rest = new REST({
    api: config.apiUrl,
    timeout: config.timeoutMs ?? 15_000,
    retries: 2,
    rejectOnRateLimit: (info) => Math.max(info.retryAfter, info.timeToReset) > maxWait,
  });

  // Attachment urls come from the gateway: fetch them only from Discord's CDN (or the API's own host, for a fake).
  const allowedFileOrigins = new Set([...DISCORD_CDN_ORIGINS, new URL(config.apiUrl).origin]);
  const creds = (target: TBridgeTarget): TDiscordCredentials => {
    const parsed = ZDiscordCredentials.safeParse(target.credentials);
    if (!parsed.success)
      throw new BridgeError({
        kind: 'unauthorized',
        platform: 'discord',
        method: 'credentials',
        message: 'stored credentials do not name a Discord server and channel',
      });
    return parsed.data;
  };
  const client = (): REST => {
    if (!config.botToken) {
      throw new BridgeError({
        kind: 'unauthorized',
        platform: 'discord',
        method: 'config',
        message: 'Discord is not configured on this server (DISCORD_BOT_TOKEN is not set)',
      });
    }
    // discord.js forgets the token after a 401; the shared token may have been fixed since, so set it every time.
    rest.setToken(config.botToken);
    return rest;
  };
  const call = async <T>(
    method: string,
    on: Parameters<typeof toBridgeError>[2],
    fn: (r: REST) => Promise<unknown>,
  ): Promise<T> => {
    const r = client();
    try {
      return (await fn(r)) as T;
    } catch (err) {
      throw toBridgeError(method, err, on);
    }
  };

  /** A post in a thread, with its nonce; with `file` it is a multipart upload (`files[0]` + `payload_json`). */
  const postMessage = async (
    threadId: string,
    content: string,
    nonce: string,
    file?: TOutgoingFile,
    mentions: { parse: string[] } = NO_MENTIONS,
  ): Promise<string> => {
    const body = {
      content,
      allowed_mentions: mentions,
      nonce,
      enforce_nonce: true,
      ...(file ? { attachments: [{ id: 0, filename: file.name }] } : {}),
    };
    const files = file
      ? [
          {
            name: file.name,
            data: Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength),
            contentType: file.contentType,
          },
        ]
      : undefined;
    const on = { kind: 'thread' as const, channelId: threadId };
    const post = (r: REST) => r.post(Routes.channelMessages(threadId), files ? { body, files } : { body });
    try {
      const m = await call<{ id: string }>('createMessage', on, post);
      return m.id;
    } catch (err) {
      if (!(err instanceof BridgeError && err.platformCode === DISCORD_CODES.threadArchived)) throw err;
      // Archived and locked (an unlocked thread is unarchived by the post itself): reopen it with Manage Threads and
      // post again. If that fails too, the pipeline opens a new thread (thread_gone).
      await call('unarchiveThread', on, (r) =>
        r.patch(Routes.channel(threadId), { body: { archived: false, locked: false } }),
      );
      const m = await call<{ id: string }>('createMessage', on, post);
      return m.id;
    }
  };

  const tenantPostLimit =
    config.tenantPostLimit === undefined ? DEFAULT_DISCORD_TENANT_POST_LIMIT : config.tenantPostLimit;

  return {
    kind: 'discord',
    postRateLimits: tenantPostLimit ? [{ ...tenantPostLimit, scope: 'tenant' }] : [],

    async validateCredentials(target) {
      const c = creds(target);
      const guildOn = { kind: 'guild' as const, channelId: c.channelId };
      const me = await call<{ id: string; username: string }>('getCurrentUser', guildOn, (r) =>
        r.get(Routes.user('@me')),
      );
      const notInGuild = () =>
        new BridgeError({
          kind: 'forbidden',
          platform: 'discord',
          method: 'getGuild',
          message: `The bot is not in that Discord server${config.applicationId ? ` — add it with ${discordInstallLink(config.applicationId, config.apiUrl)}` : ''}`,
        });
      let guild: { id: string; name: string; owner_id: string; roles: { id: string; permissions: string }[] };
      try {
        guild = await call('getGuild', guildOn, (r) => r.get(Routes.guild(c.guildId)));
      } catch (err) {
        if (
          err instanceof BridgeError &&
          (err.platformCode === DISCORD_CODES.missingAccess || err.platformCode === DISCORD_CODES.unknownGuild)
        )
          throw notInGuild();
        throw err;
      }
      const channel = await call<{
        id: string;
        guild_id?: string;
        type: number;
        name?: string;
        permission_overwrites?: { id: string; type: number; allow: string; deny: string }[];
      }>('getChannel', { kind: 'channel', channelId: c.channelId }, (r) => r.get(Routes.channel(c.channelId)));
      if (channel.guild_id !== c.guildId)
        throw new BridgeError({
          kind: 'forbidden',
          platform: 'discord',
          method: 'getChannel',
          message: `channel ${c.channelId} is not in server "${guild.name}"`,
        });
      if (channel.type !== ChannelType.GuildText)
        throw new BridgeError({
          kind: 'forbidden',
          platform: 'discord',
          method: 'getChannel',
          message: `#${channel.name ?? c.channelId} is not a text channel (threads need a text channel)`,
        });
      const member = await call<{ roles: string[] }>('getGuildMember', guildOn, (r) =>
        r.get(Routes.guildMember(c.guildId, me.id)),
      );
      const perms = channelPermissions({
        guildId: c.guildId,
        ownerId: guild.owner_id,
        userId: me.id,
        roles: guild.roles,
        memberRoles: member.roles,
        overwrites: channel.permission_overwrites ?? [],
      });
      const missing = DISCORD_BOT_PERMISSIONS.filter((p) => (perms & p.bit) !== p.bit).map((p) => p.name);
      if (missing.length > 0) {
        throw new BridgeError({
          kind: 'forbidden',
          platform: 'discord',
          method: 'permissions',
          message: `The bot lacks ${missing.join(', ')} in #${channel.name ?? c.channelId}`,
        });
      }
      return {
        summary: `@${me.username} in "${guild.name}" #${channel.name ?? c.channelId}`,
        botId: me.id,
        scopeName: guild.name,
        ...(channel.name ? { targetName: channel.name } : {}),
      };
    },

    async ensureThread(target, card) {
      const c = creds(target);
      const thread = await call<{ id: string }>(
        'startThreadWithoutMessage',
        { kind: 'channel', channelId: c.channelId },
        (r) =>
          r.post(Routes.threads(c.channelId), {
            body: {
              name: discordThreadName(card),
              type: ChannelType.PublicThread,
              auto_archive_duration: AUTO_ARCHIVE_MINUTES,
            },
          }),
      );
      return { externalChatId: c.channelId, externalThreadId: thread.id };
    },

    async renameThread(_target, thread, card) {
      // PATCH with the same name is accepted and changes nothing: idempotent as the pipeline needs.
      await call('modifyThread', { kind: 'thread', channelId: thread.externalThreadId }, (r) =>
        r.patch(Routes.channel(thread.externalThreadId), { body: { name: discordThreadName(card) } }),
      );
    },

    threadLink(target, thread) {
      const c = creds(target);
      return `https://discord.com/channels/${c.guildId}/${thread.externalThreadId}`;
    },

    async postCard(_target, thread, card) {
      // The nonce makes a repeated card post (a retry after a crash) return the first one.
      await postMessage(
        thread.externalThreadId,
        renderDiscordCard(card),
        discordNonce('card', thread.externalThreadId),
      );
    },

    /**
     * The thread a worker killed mid-creation opened: an active thread of the connection's channel with this
     * conversation's name, created since the attempt began. Threads carry no metadata, so a same-named thread of
     * another conversation opened in the same moment could match: the pipeline refuses a thread already recorded
     * for another conversation (unique per connection) and then opens a new one.
     */
    async findThread(target, card, sinceMs) {
      const c = creds(target);
      const res = await call<{ threads?: { id: string; parent_id?: string | null; name?: string }[] }>(
        'listActiveThreads',
        { kind: 'guild', channelId: c.channelId },
        (r) => r.get(Routes.guildActiveThreads(c.guildId)),
      );
      const name = discordThreadName(card);
      const from = BigInt(Math.max(0, sinceMs - FIND_THREAD_MARGIN_MS) - DISCORD_EPOCH_MS) << 22n;
      const match = (res.threads ?? [])
        .filter(
          (t) => t.parent_id === c.channelId && t.name === name && /^\d{1,20}$/.test(t.id) && BigInt(t.id) >= from,
        )
        .sort((x, y) => (BigInt(x.id) < BigInt(y.id) ? -1 : 1))[0];
      return match ? { externalChatId: c.channelId, externalThreadId: match.id } : null;
    },

    async send(_target, thread, message) {
      const parts = renderDiscordParts(message);
      const ids: string[] = [];
      // Only the first part of the AI's call for a person carries (and may ping) @here; nothing else ever pings.
      const ping = callsTheTeam(message) ? HERE_MENTION : NO_MENTIONS;
      for (const [i, content] of parts.entries())
        ids.push(
          await postMessage(
            thread.externalThreadId,
            content,
            discordNonce('msg', message.messageId, String(i)),
            undefined,
            i === 0 ? ping : NO_MENTIONS,
          ),
        );
      return { externalMessageId: ids.join(PART_SEPARATOR) };
    },

    async edit(_target, thread, externalMessageId, message) {
      const ids = externalMessageId.split(PART_SEPARATOR);
      const parts = fitParts(renderDiscordParts(message), ids.length);
      const on = { kind: 'thread' as const, channelId: thread.externalThreadId };
      for (const [i, id] of ids.entries()) {
        const content = parts[i];
        try {
          if (content === undefined)
            await call('deleteMessage', on, (r) => r.delete(Routes.channelMessage(thread.externalThreadId, id)));
          else
            await call('editMessage', on, (r) =>
              r.patch(Routes.channelMessage(thread.externalThreadId, id), {
                body: { content, allowed_mentions: NO_MENTIONS },
              }),
            );
        } catch (err) {
          // Someone deleted that post on Discord: there is nothing left to edit.
          if (!(err instanceof BridgeError && err.platformCode === DISCORD_CODES.unknownMessage)) throw err;
        }
      }
    },

    async remove(_target, thread, externalMessageId) {
      const on = { kind: 'thread' as const, channelId: thread.externalThreadId };
      for (const id of externalMessageId.split(PART_SEPARATOR)) {
        try {
          await call('deleteMessage', on, (r) => r.delete(Routes.channelMessage(thread.externalThreadId, id)));
        } catch (err) {
          if (!(err instanceof BridgeError && err.platformCode === DISCORD_CODES.unknownMessage)) throw err;
        }
      }
    },

    async sendAttachment(_target, thread, file, message) {
      // The caption is the message rendered like a post (the sender label for a mirrored reply; empty for a visitor).
      const caption = (renderDiscordParts(message)[0] ?? '').trimEnd();
      const nonce = discordNonce('file', message.messageId, file.name, String(file.size));
      return { externalMessageId: await postMessage(thread.externalThreadId, caption, nonce, file) };
    },

    async downloadFile(_target, file, maxBytes) {
      return downloadAttachment(file, maxBytes, allowedFileOrigins);
    },

    async replyInThread(_target, thread, text) {
      const id = await postMessage(
        thread.externalThreadId,
        truncate(escapeDiscordMarkdown(text), DISCORD_CONTENT_MAX),
        discordNonce('reply', thread.externalThreadId, text, String(Date.now())),
      );
      return { externalMessageId: id };
    },

    async showTyping(_target, thread) {
      // "<bot> is typing…" in the thread for up to 10 s, or until the bot's next message.
      await call('triggerTypingIndicator', { kind: 'thread', channelId: thread.externalThreadId }, (r) =>
        r.post(Routes.channelTyping(thread.externalThreadId)),
      );
    },

    async postAlert(target, text) {
      const c = creds(target);
      const body = {
        content: truncate(`⚠️ ${escapeDiscordMarkdown(text)}`, DISCORD_CONTENT_MAX),
        allowed_mentions: NO_MENTIONS,
      };
      await call('createMessage', { kind: 'channel', channelId: c.channelId }, (r) =>
        r.post(Routes.channelMessages(c.channelId), { body }),
      );
    },

    inboundDeliveryId(payload) {
      const parsed = ZDiscordGatewayEvent.safeParse(payload);
      return parsed.success ? discordInboundExternalId(parsed.data) : null;
    },

    parseInbound(target, payload): TInboundAction {
      const parsed = ZDiscordGatewayEvent.safeParse(payload);
      if (!parsed.success) return { type: 'ignore', reason: 'not a Discord message dispatch' };
      const { t, d, parent_id } = parsed.data;
      const c = ZDiscordCredentials.safeParse(target.credentials);
      const guildId = c.success ? c.data.guildId : target.targetScope;
      const channelId = c.success ? c.data.channelId : target.targetId;
      // A thread id alone proves nothing: the dispatch must come from this connection's server and channel.
      if (!d.guild_id || d.guild_id !== guildId)
        return { type: 'ignore', reason: 'message from another Discord server' };
      if (parent_id !== channelId) return { type: 'ignore', reason: 'message outside the connection channel' };
      const thread: TThreadRef = { externalChatId: parent_id, externalThreadId: d.channel_id };
      // A delete carries no author: the pipeline only acts on ids it stored as operator messages.
      if (t === 'MESSAGE_DELETE') return { type: 'delete', thread, externalMessageId: d.id };
      if (d.webhook_id || !d.author || d.author.bot === true) return { type: 'ignore', reason: 'message from a bot' };
      // 0 = DEFAULT, 19 = REPLY; everything else is a system message (thread renamed, pin, …).
      if (d.type !== undefined && d.type !== 0 && d.type !== 19)
        return { type: 'ignore', reason: `system message type ${d.type}` };
      const text = d.content ?? '';
      const files: TInboundFile[] =
        t === 'MESSAGE_CREATE'
          ? (d.attachments ?? []).map((a) => ({
              ref: a.url,
              name: a.filename,
              contentType: a.content_type ?? 'application/octet-stream',
              size: a.size ?? null,
            }))
          : [];
      if (!text.trim() && files.length === 0)
        return { type: 'ignore', reason: 'no text (or the Message Content intent is off)' };
      if (t === 'MESSAGE_UPDATE') {
        if (!text.trim()) return { type: 'ignore', reason: 'edit without text' };
        if (!d.edited_timestamp) return { type: 'ignore', reason: 'update without an edit (embed resolved)' };
        return { type: 'edit', thread, externalMessageId: d.id, text };
      }
      const authorName = d.member?.nick ?? d.author.global_name ?? d.author.username;
      return {
        type: 'message',
        thread,
        externalMessageId: d.id,
        authorName: authorName || 'Operator',
        text,
        ...(files.length > 0 ? { files } : {}),
      };
    },
  };
}

/** Where Discord serves attachments (the `url` / `proxy_url` of a message's attachments). */
const DISCORD_CDN_ORIGINS = ['https://cdn.discordapp.com', 'https://media.discordapp.net'];

/**
 * Fetches an operator's attachment from its url, refusing anything past `maxBytes` — by the size Discord announced
 * and again while reading — and any url outside Discord's CDN (the url comes from a gateway event: never fetch an
 * arbitrary host on its say-so).
 */
async function downloadAttachment(
  file: TInboundFile,
  maxBytes: number,
  allowed: ReadonlySet<string>,
): Promise<{ data: Uint8Array; name: string; contentType: string }> {
  const rejected = (message: string) =>
    new BridgeError({ kind: 'rejected', platform: 'discord', method: 'downloadFile', message });
  let url: URL;
  try {
    url = new URL(file.ref);
  } catch {
    throw rejected('not a file link');
  }
  if (!allowed.has(url.origin)) throw rejected("the file is not on Discord's CDN");
  if (file.size !== null && file.size > maxBytes)
    throw rejected(`larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new BridgeError({
      kind: 'transient',
      platform: 'discord',
      method: 'downloadFile',
      message: err instanceof Error ? err.message : String(err),
    });
  }
  if (res.status === 404 || res.status === 403) throw rejected('the file is no longer available on Discord');
  if (!res.ok || !res.body)
    throw new BridgeError({
      kind: 'transient',
      platform: 'discord',
      method: 'downloadFile',
      message: `HTTP ${res.status}`,
    });
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw rejected(`larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
    }
    chunks.push(value);
  }
  return { data: Buffer.concat(chunks, total), name: file.name, contentType: file.contentType };
}

/** New text for a post that already has `n` parts: extra parts are folded into the last one (cut at the limit). */
function fitParts(parts: string[], n: number): string[] {
  if (parts.length <= n) return parts;
  const head = parts.slice(0, n - 1);
  const tail = parts.slice(n - 1).join('');
  return [...head, truncate(tail, DISCORD_CONTENT_MAX)];
}

/** Discord's permission algorithm (base from roles, then channel overwrites: @everyone, roles, member). */
export function channelPermissions(input: {
  guildId: string;
  ownerId: string;
  userId: string;
  roles: { id: string; permissions: string }[];
  memberRoles: string[];
  overwrites: { id: string; type: number; allow: string; deny: string }[];
}): bigint {
  const all = (1n << 53n) - 1n;
  if (input.ownerId === input.userId) return all;
  const roleMap = new Map(input.roles.map((r) => [r.id, BigInt(r.permissions)]));
  let base = roleMap.get(input.guildId) ?? 0n;
  for (const id of input.memberRoles) base |= roleMap.get(id) ?? 0n;
  if (base & PermissionFlagsBits.Administrator) return all;
  let perms = base;
  const everyone = input.overwrites.find((o) => o.id === input.guildId);
  if (everyone) perms = (perms & ~BigInt(everyone.deny)) | BigInt(everyone.allow);
  let allow = 0n;
  let deny = 0n;
  for (const o of input.overwrites) {
    if (o.type === 0 && input.memberRoles.includes(o.id)) {
      allow |= BigInt(o.allow);
      deny |= BigInt(o.deny);
    }
  }
  perms = (perms & ~deny) | allow;
  const member = input.overwrites.find((o) => o.type === 1 && o.id === input.userId);
  if (member) perms = (perms & ~BigInt(member.deny)) | BigInt(member.allow);
  return perms;
}

/** Where an inbound delivery stands in its thread's order (see TInboundOrdering). Pure. */
export function discordInboundOrdering(payload: unknown): TInboundOrdering {
  const parsed = ZDiscordGatewayEvent.safeParse(payload);
  if (!parsed.success) return NO_ORDERING;
  const { d } = parsed.data;
  // Snowflakes grow with time: a message's id is its place in the thread; its edits and delete carry the same
  // id and follow it by arrival.
  return { threadKey: `${parsed.data.parent_id}/${d.channel_id}`, orderKey: orderKeyFromDigits(d.id) };
}
