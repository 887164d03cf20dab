import type { WebClient } from '@slack/web-api';
import { NO_ORDERING, orderKeyFromSlackTs, type TInboundOrdering } from '../inbound-order.js';
import type {
  TBridge,
  TBridgeTarget,
  TInboundAction,
  TInboundFile,
  TOutgoingMessage,
  TPostRateLimit,
} from '../types.js';
import { BridgeError } from '../bridge-error.js';
import { createSlackClient, DEFAULT_SLACK_API_URL } from './create-slack-client.js';
import { ZSlackCredentials, type TSlackCredentials } from './credentials.js';
import { SLACK_INSTALL_EVENTS, ZSlackEventCallback, type TSlackFile } from './event-schema.js';
import { escapeSlackText, escapeSlackVisitorText } from './escape-mrkdwn.js';
import { mrkdwnToPlain } from './mrkdwn-to-plain.js';
import { renderCard, renderMessage } from './render.js';
import { downloadSlackFile, findSlackUpload, uploadSlackFile } from './slack-files.js';
import { toBridgeError } from './to-bridge-error.js';

/** Operator names change rarely; a few minutes of staleness saves a users.info call per reply. */
const USER_NAME_TTL_MS = 5 * 60_000;
const USER_NAME_CACHE_MAX = 5_000;
/** Message subtypes that are a person writing in a thread; everything else (joins, topic changes, bots) is not. */
const HUMAN_SUBTYPES = new Set([undefined, 'thread_broadcast', 'file_share', 'me_message']);

export interface TSlackBridgeConfig {
  apiUrl?: string;
  /**
   * Posts per channel the pipeline allows itself (token bucket shared by every conversation of the channel).
   * Slack allows about one message per second per channel with short bursts; null turns the bucket off
   * (benchmarks against the fake). It is also what makes a 429's Retry-After hold every job of the channel.
   */
  channelPostLimit?: TPostRateLimit | null;
  /**
   * Posts per organization across all its channels: every tenant shares this one app and the workers that drive
   * it, so one tenant's flood is paced (its jobs delayed) while the others' messages go out. null turns it off.
   */
  tenantPostLimit?: TPostRateLimit | null;
}

const DEFAULT_CHANNEL_POST_LIMIT: TPostRateLimit = { scope: 'target', capacity: 10, perMs: 10_000 };
/** About three channels' worth of Slack's per-channel pace, for one organization. */
export const DEFAULT_SLACK_TENANT_POST_LIMIT: TPostRateLimit = { scope: 'tenant', capacity: 30, perMs: 10_000 };

/** The Slack bridge: TBridge with its optional parts present (users.info names, file uploads and downloads). */
export interface TSlackBridge extends TBridge {
  resolveUserName(target: TBridgeTarget, userId: string): Promise<string>;
  sendAttachment: NonNullable<TBridge['sendAttachment']>;
  downloadFile: NonNullable<TBridge['downloadFile']>;
}

/** Hosted files of a file_share message, as the pipeline's inbound files (ref = the private download URL). */
export function inboundSlackFiles(files: readonly TSlackFile[] | undefined): TInboundFile[] {
  const out: TInboundFile[] = [];
  for (const f of files ?? []) {
    const url = f.url_private_download ?? f.url_private;
    // Tombstones (deleted files), files hidden by the plan's limit and external links have nothing to fetch.
    if (!url || (f.mode !== undefined && f.mode !== 'hosted' && f.mode !== 'snippet' && f.mode !== 'post')) continue;
    out.push({
      ref: url,
      name: f.name || f.title || `file-${f.id}`,
      contentType: f.mimetype || 'application/octet-stream',
      size: f.size ?? null,
    });
  }
  return out;
}

/** File ids (uploads) are recorded as the platform id of an attachment post; message ts look like "1712345678.000100". */
const isFileId = (id: string) => /^F[A-Z0-9]{2,}$/.test(id);

/** No options that make Slack post differently than it is told: no unfurls, no name linking, no auto-parsing. */
const POST_OPTIONS = { unfurl_links: false, unfurl_media: false, link_names: false, parse: 'none' } as const;

/** Metadata on every message post: our message id, so a post whose answer was lost can be found again (findPost). */
const POST_EVENT_TYPE = 'pocketping_message';
const FIND_POST_MARGIN_MS = 60_000;
const FIND_POST_PAGES = 5;
const postMetadata = (message: TOutgoingMessage) => ({
  event_type: POST_EVENT_TYPE,
  event_payload: { message_id: message.messageId },
});
const THREAD_EVENT_TYPE = 'pocketping_conversation';
const threadMetadata = (conversationId: string) => ({
  event_type: THREAD_EVENT_TYPE,
  event_payload: { conversation_id: conversationId },
});
const isThreadOf = (metadata: unknown, conversationId: string): boolean => {
  const m = metadata as { event_type?: unknown; event_payload?: { conversation_id?: unknown } } | undefined;
  return m?.event_type === THREAD_EVENT_TYPE && m.event_payload?.conversation_id === conversationId;
};
const isPostOf = (metadata: unknown, messageId: string): boolean => {
  const m = metadata as { event_type?: unknown; event_payload?: { message_id?: unknown } } | undefined;
  return m?.event_type === POST_EVENT_TYPE && m.event_payload?.message_id === messageId;
};

/** Slack through @slack/web-api's WebClient: one parent message per conversation, its thread for the rest. */
export function createSlackBridge(config: TSlackBridgeConfig = {}): TSlackBridge {
  const apiUrl = config.apiUrl ?? DEFAULT_SLACK_API_URL;
  const clients = new Map<string, WebClient>();
  const names = new Map<string, { name: string; expiresAt: number }>();

  const client = (c: TSlackCredentials): WebClient => {
    let wc = clients.get(c.botToken);
    if (!wc) {
      wc = createSlackClient(c.botToken, apiUrl);
      clients.set(c.botToken, wc);
    }
    return wc;
  };
  const creds = (target: TBridgeTarget): TSlackCredentials => {
    const parsed = ZSlackCredentials.safeParse(target.credentials);
    if (!parsed.success)
      throw new BridgeError({
        kind: 'unauthorized',
        platform: 'slack',
        method: 'credentials',
        message: 'stored credentials are not a valid Slack bot token',
      });
    return parsed.data;
  };
  const call = async <T>(method: string, fn: () => Promise<T>, opts: { threaded?: boolean } = {}): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toBridgeError(method, err, opts);
    }
  };

  const channelPostLimit = config.channelPostLimit === undefined ? DEFAULT_CHANNEL_POST_LIMIT : config.channelPostLimit;
  const tenantPostLimit =
    config.tenantPostLimit === undefined ? DEFAULT_SLACK_TENANT_POST_LIMIT : config.tenantPostLimit;

  return {
    kind: 'slack',
    postRateLimits: [
      ...(channelPostLimit ? [{ ...channelPostLimit, scope: 'target' as const }] : []),
      ...(tenantPostLimit ? [{ ...tenantPostLimit, scope: 'tenant' as const }] : []),
    ],

    async validateCredentials(target) {
      const c = creds(target);
      const auth = await call('auth.test', () => client(c).auth.test());
      if (auth.team_id !== c.teamId) {
        throw new BridgeError({
          kind: 'unauthorized',
          platform: 'slack',
          method: 'auth.test',
          message: `The token belongs to another Slack workspace (${auth.team ?? auth.team_id ?? 'unknown'})`,
        });
      }
      const info = await call('conversations.info', () => client(c).conversations.info({ channel: target.targetId }));
      const channel = info.channel;
      if (!channel)
        throw new BridgeError({
          kind: 'target_gone',
          platform: 'slack',
          method: 'conversations.info',
          message: 'The Slack channel was not found',
        });
      if (channel.is_archived)
        throw new BridgeError({
          kind: 'target_gone',
          platform: 'slack',
          method: 'conversations.info',
          message: `#${channel.name ?? target.targetId} is archived`,
        });
      if (channel.is_member === false) {
        throw new BridgeError({
          kind: 'forbidden',
          platform: 'slack',
          method: 'conversations.info',
          message: `The app is not a member of #${channel.name ?? target.targetId}; invite it with /invite`,
        });
      }
      return {
        summary: `@${auth.user ?? 'bot'} in #${channel.name ?? target.targetId} (${auth.team ?? c.teamId})`,
        botId: auth.user_id ?? c.botUserId,
      };
    },

    async ensureThread(target, card) {
      const c = creds(target);
      const { text, blocks } = renderCard(card);
      const res = await call('chat.postMessage', () =>
        client(c).chat.postMessage({
          channel: target.targetId,
          text,
          blocks,
          metadata: threadMetadata(card.conversationId),
          ...POST_OPTIONS,
        }),
      );
      if (!res.ts)
        throw new BridgeError({
          kind: 'transient',
          platform: 'slack',
          method: 'chat.postMessage',
          message: 'Slack answered without a ts',
        });
      return { externalChatId: res.channel ?? target.targetId, externalThreadId: res.ts };
    },

    async renameThread(target, thread, card) {
      // The thread's parent post is the card: its header carries the title. Updating it to the same content is
      // accepted, so a retried rename changes nothing. The metadata is sent again so findThread still knows it.
      const c = creds(target);
      const { text, blocks } = renderCard(card);
      await call('chat.update', () =>
        client(c).chat.update({
          channel: thread.externalChatId,
          ts: thread.externalThreadId,
          text,
          blocks,
          metadata: threadMetadata(card.conversationId),
          link_names: false,
          parse: 'none',
        }),
      );
    },

    async send(target, thread, message) {
      const c = creds(target);
      const res = await call(
        'chat.postMessage',
        () =>
          client(c).chat.postMessage({
            channel: thread.externalChatId,
            thread_ts: thread.externalThreadId,
            text: renderMessage(message),
            metadata: postMetadata(message),
            ...POST_OPTIONS,
          }),
        { threaded: true },
      );
      if (!res.ts)
        throw new BridgeError({
          kind: 'transient',
          platform: 'slack',
          method: 'chat.postMessage',
          message: 'Slack answered without a ts',
        });
      return { externalMessageId: res.ts };
    },

    async findThread(target, card, sinceMs) {
      const c = creds(target);
      const oldest = ((sinceMs - FIND_POST_MARGIN_MS) / 1000).toFixed(6);
      let cursor: string | undefined;
      for (let page = 0; page < FIND_POST_PAGES; page += 1) {
        const res = await call('conversations.history', () =>
          client(c).conversations.history({
            channel: target.targetId,
            oldest,
            inclusive: true,
            include_all_metadata: true,
            limit: 200,
            ...(cursor ? { cursor } : {}),
          }),
        );
        const found = (res.messages ?? []).find((m) => m.bot_id && isThreadOf(m.metadata, card.conversationId));
        if (found?.ts) return { externalChatId: target.targetId, externalThreadId: found.ts };
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!res.has_more || !cursor) return null;
      }
      return null;
    },

    async findPost(target, thread, message, sinceMs) {
      const c = creds(target);
      // Our posts carry the message id as metadata (send above); read the thread back from a little before the
      // interrupted call started, a few pages at most (a thread rarely gets more in that time).
      const oldest = ((sinceMs - FIND_POST_MARGIN_MS) / 1000).toFixed(6);
      let cursor: string | undefined;
      for (let page = 0; page < FIND_POST_PAGES; page += 1) {
        const res = await call(
          'conversations.replies',
          () =>
            client(c).conversations.replies({
              channel: thread.externalChatId,
              ts: thread.externalThreadId,
              oldest,
              inclusive: true,
              include_all_metadata: true,
              limit: 200,
              ...(cursor ? { cursor } : {}),
            }),
          { threaded: true },
        );
        const found = (res.messages ?? []).find((m) => m.bot_id && isPostOf(m.metadata, message.messageId));
        if (found?.ts) return { externalMessageId: found.ts };
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!res.has_more || !cursor) return null;
      }
      return null;
    },

    async edit(target, thread, externalMessageId, message) {
      // An uploaded file's caption cannot be changed through chat.update; the text part of the message carries the edit.
      if (isFileId(externalMessageId)) return;
      const c = creds(target);
      await call('chat.update', () =>
        client(c).chat.update({
          channel: thread.externalChatId,
          ts: externalMessageId,
          text: renderMessage(message),
          link_names: false,
          parse: 'none',
        }),
      );
    },

    async remove(target, thread, externalMessageId) {
      const c = creds(target);
      if (isFileId(externalMessageId)) {
        try {
          await client(c).files.delete({ file: externalMessageId });
        } catch (err) {
          const e = toBridgeError('files.delete', err);
          if (e.platformCode === 'file_not_found' || e.platformCode === 'file_deleted') return;
          throw e;
        }
        return;
      }
      try {
        await client(c).chat.delete({ channel: thread.externalChatId, ts: externalMessageId });
      } catch (err) {
        const e = toBridgeError('chat.delete', err);
        // Deleting what is already gone is done, not failed: a retried delete must not end up as an error.
        if (e.platformCode === 'message_not_found') return;
        throw e;
      }
    },

    async sendAttachment(target, thread, file, message, hooks) {
      const c = creds(target);
      // Like Telegram's caption: the sender label (and text, if any) for everything but a bare visitor file.
      const comment = message.body || message.sender !== 'visitor' ? renderMessage(message) : undefined;
      const onPending = hooks?.onPending?.bind(hooks);
      const fileId = await uploadSlackFile({
        client: client(c),
        call,
        channel: thread.externalChatId,
        threadTs: thread.externalThreadId,
        file,
        ...(comment ? { comment } : {}),
        ...(onPending ? { onPending } : {}),
      });
      return { externalMessageId: fileId };
    },

    async findUpload(target, thread, ref) {
      const c = creds(target);
      const shared = await findSlackUpload({
        client: client(c),
        call,
        channel: thread.externalChatId,
        threadTs: thread.externalThreadId,
        fileId: ref,
      });
      return shared ? { externalMessageId: ref } : null;
    },

    async downloadFile(target, file, maxBytes) {
      const c = creds(target);
      return downloadSlackFile({ apiUrl, botToken: c.botToken, file, maxBytes });
    },

    async replyInThread(target, thread, text) {
      const c = creds(target);
      const res = await call(
        'chat.postMessage',
        // Plain text by contract, and it may quote the visitor (/info's card): no formatting at all.
        () =>
          client(c).chat.postMessage({
            channel: thread.externalChatId,
            thread_ts: thread.externalThreadId,
            text: escapeSlackVisitorText(text),
            ...POST_OPTIONS,
          }),
        { threaded: true },
      );
      return { externalMessageId: res.ts ?? '' };
    },

    async postAlert(target, text) {
      const c = creds(target);
      await call('chat.postMessage', () =>
        client(c).chat.postMessage({
          channel: target.targetId,
          text: `:warning: ${escapeSlackText(text)}`,
          ...POST_OPTIONS,
        }),
      );
    },

    inboundDeliveryId(payload) {
      const parsed = ZSlackEventCallback.safeParse(payload);
      return parsed.success ? parsed.data.event_id : null;
    },

    parseInbound(target, payload): TInboundAction {
      const parsed = ZSlackEventCallback.safeParse(payload);
      if (!parsed.success) return { type: 'ignore', reason: 'not a Slack event_callback' };
      const c = creds(target);
      const { team_id: teamId, event } = parsed.data;
      if (teamId !== c.teamId) return { type: 'ignore', reason: 'event from another workspace' };
      if (SLACK_INSTALL_EVENTS.has(event.type)) {
        if (event.type === 'app_uninstalled')
          return {
            type: 'connection_lost',
            reason: 'The PocketPing app was uninstalled from the Slack workspace; add it to Slack again to resume',
          };
        if (!event.tokens?.bot?.includes(c.botUserId))
          return { type: 'ignore', reason: 'tokens revoked for another user' };
        return {
          type: 'connection_lost',
          reason: 'The Slack bot token was revoked (tokens_revoked); reinstall the Slack app',
        };
      }
      if (event.type !== 'message') return { type: 'ignore', reason: `event type ${event.type} not handled` };
      if (event.channel !== target.targetId) return { type: 'ignore', reason: 'message from another channel' };
      const channel = event.channel;
      const isBot = (m: { bot_id?: string | undefined; subtype?: string | undefined; user?: string | undefined }) =>
        Boolean(m.bot_id) || m.subtype === 'bot_message' || m.user === c.botUserId;

      if (event.subtype === 'message_changed') {
        const m = event.message;
        if (!m?.ts || !m.thread_ts || m.thread_ts === m.ts)
          return { type: 'ignore', reason: 'edit outside a thread (or of the parent)' };
        if (isBot(m)) return { type: 'ignore', reason: 'edit of a bot message' };
        if (m.text === undefined) return { type: 'ignore', reason: 'edit without text' };
        // Slack also sends message_changed when it adds an unfurl; the text is the same then, and applying it again is harmless.
        return {
          type: 'edit',
          thread: { externalChatId: channel, externalThreadId: m.thread_ts },
          externalMessageId: m.ts,
          text: mrkdwnToPlain(m.text),
        };
      }
      if (event.subtype === 'message_deleted') {
        const prev = event.previous_message;
        if (!event.deleted_ts || !prev?.thread_ts || prev.thread_ts === event.deleted_ts)
          return { type: 'ignore', reason: 'delete outside a thread (or of the parent)' };
        if (isBot(prev)) return { type: 'ignore', reason: 'delete of a bot message' };
        return {
          type: 'delete',
          thread: { externalChatId: channel, externalThreadId: prev.thread_ts },
          externalMessageId: event.deleted_ts,
        };
      }
      if (!HUMAN_SUBTYPES.has(event.subtype))
        return { type: 'ignore', reason: `subtype ${event.subtype ?? ''} not handled` };
      if (isBot(event)) return { type: 'ignore', reason: 'message from a bot' };
      if (!event.user || !event.ts) return { type: 'ignore', reason: 'message without a user' };
      if (!event.thread_ts || event.thread_ts === event.ts)
        return { type: 'ignore', reason: 'message outside a thread' };
      const text = mrkdwnToPlain(event.text ?? '').trim();
      const files = inboundSlackFiles(event.files);
      if (!text && files.length === 0) return { type: 'ignore', reason: 'no text' };
      const profile = event.user_profile;
      const authorName = profile?.display_name || profile?.real_name || profile?.name || `Slack user ${event.user}`;
      // authorId: the pipeline asks users.info (cached) for the display name; the profile above is only the fallback.
      return {
        type: 'message',
        thread: { externalChatId: channel, externalThreadId: event.thread_ts },
        externalMessageId: event.ts,
        authorName,
        authorId: event.user,
        text,
        ...(files.length > 0 ? { files } : {}),
      };
    },

    async resolveUserName(target, userId) {
      const key = `${target.connectionId}:${userId}`;
      const cached = names.get(key);
      if (cached && cached.expiresAt > Date.now()) return cached.name;
      const c = creds(target);
      const res = await call('users.info', () => client(c).users.info({ user: userId }));
      const u = res.user;
      const name =
        u?.profile?.display_name || u?.real_name || u?.profile?.real_name || u?.name || `Slack user ${userId}`;
      if (names.size >= USER_NAME_CACHE_MAX) names.delete(names.keys().next().value as string);
      names.set(key, { name, expiresAt: Date.now() + USER_NAME_TTL_MS });
      return name;
    },
  };
}

/** Where an inbound delivery stands in its thread's order (see TInboundOrdering). Pure. */
export function slackInboundOrdering(payload: unknown): TInboundOrdering {
  const parsed = ZSlackEventCallback.safeParse(payload);
  if (!parsed.success) return NO_ORDERING;
  const e = parsed.data.event;
  if (e.type !== 'message' || !e.channel) return NO_ORDERING;
  // The thread is named by its parent's ts; an edit or delete names it in the message it changes.
  const threadTs = e.thread_ts ?? e.message?.thread_ts ?? e.previous_message?.thread_ts;
  // ts of an event is Slack's per-channel order; an edit's or delete's own ts comes after its message's.
  return { threadKey: threadTs ? `${e.channel}/${threadTs}` : null, orderKey: orderKeyFromSlackTs(e.event_ts ?? e.ts) };
}
