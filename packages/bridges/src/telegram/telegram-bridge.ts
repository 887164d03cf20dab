import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Api, InputFile, type ApiClientOptions } from 'grammy';
import { createBotApiFetch } from './bot-api-fetch.js';
import type {
  TBridge,
  TBridgeTarget,
  TConversationCard,
  TInboundAction,
  TInboundFile,
  TOutgoingMessage,
  TPostRateLimit,
} from '../types.js';
import { BridgeError } from '../bridge-error.js';
import {
  WIDGET_NOTE_LABEL,
  cardUrl,
  conversationTitle,
  escapeTelegramHtml,
  previousConversation,
  shownClaim,
  sourceLabel,
  truncate,
} from '../format.js';
import { NO_ORDERING, orderKeyFromDigits, type TInboundOrdering } from '../inbound-order.js';
import { ZTelegramCredentials, type TTelegramCredentials } from './credentials.js';
import { toBridgeError } from './to-bridge-error.js';
import { telegramUpdateId, ZTelegramUpdate } from './update-schema.js';

const TEXT_MAX = 4096;
const CAPTION_MAX = 1024;
const TOPIC_NAME_MAX = 128;
/** Telegram's documented per-group posting limit ("no more than 20 messages per minute"). */
export const TELEGRAM_GROUP_POSTS_PER_MINUTE = 20;
/** sendPhoto takes JPEG/PNG/WebP up to 10 MB; anything else goes as a document. */
const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);
const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
const COALESCE_SEPARATOR = '\n\n';

export interface TTelegramBridgeConfig {
  apiRoot: string;
  /** Posts per minute per group the pipeline allows itself (token bucket); 0 turns the limit off (benchmarks). */
  groupPostsPerMinute?: number;
}

export function topicName(card: TConversationCard): string {
  return truncate(conversationTitle(card), TOPIC_NAME_MAX);
}

export function renderCard(card: TConversationCard): string {
  const lines = ['<b>New conversation</b>'];
  const add = (label: string, value: string | null) => {
    if (value) lines.push(`${label}: ${escapeTelegramHtml(truncate(value, 300))}`);
  };
  add('Name', shownClaim(card.visitorName, card.verified?.name));
  add('Email', shownClaim(card.visitorEmail, card.verified?.email));
  add('Page', card.pageUrl && cardUrl(card.pageUrl));
  add('Referrer', card.referrer && cardUrl(card.referrer));
  add('Location', card.location);
  add('Browser', card.userAgent);
  const previous = previousConversation(card);
  if (previous) {
    const title = escapeTelegramHtml(truncate(previous.title, 200));
    const shown = previous.link ? `<a href="${escapeTelegramHtml(previous.link)}">${title}</a>` : title;
    lines.push(`↩ The visitor wrote before: ${shown} (${previous.when})`);
  }
  lines.push('', 'Reply in this topic to answer the visitor.');
  return lines.join('\n');
}

export function renderMessage(m: TOutgoingMessage, max = TEXT_MAX): string {
  const body = escapeTelegramHtml(m.body);
  let text: string;
  if (m.visibility === 'internal') {
    // Operator notes (/note) are never seen by the visitor; the other apps show them as notes, not replies.
    const who = m.authorName
      ? `${escapeTelegramHtml(m.authorName)} (via ${escapeTelegramHtml(sourceLabel(m.source))})`
      : escapeTelegramHtml(sourceLabel(m.source));
    // Visitor text is escaped HTML and cannot be bold: the labels cannot be imitated. A note the widget wrote from the
    // visitor's input says so instead of "Note by".
    text = m.source === 'widget' ? `📝 <b>${WIDGET_NOTE_LABEL}</b>: ${body}` : `📝 <b>Note by ${who}</b>: ${body}`;
    return text.length > max
      ? renderMessage({ ...m, body: truncate(m.body, Math.max(1, m.body.length - (text.length - max) - 16)) }, max)
      : text;
  }
  switch (m.sender) {
    case 'visitor':
      text = body;
      break;
    case 'operator':
      text = `<b>${escapeTelegramHtml(m.authorName ?? 'Operator')} (via ${escapeTelegramHtml(sourceLabel(m.source))})</b>: ${body}`;
      break;
    case 'ai':
      text = `<b>🤖 ${escapeTelegramHtml(m.authorName ?? 'AI')}</b>: ${body}`;
      break;
    case 'system':
      text = `<i>${body}</i>`;
      break;
  }
  // Truncating may cut an entity; the escaped body is the only variable part, so cut the raw body instead.
  if (text.length > max)
    return renderMessage({ ...m, body: truncate(m.body, Math.max(1, m.body.length - (text.length - max) - 16)) }, max);
  return text;
}

/**
 * How many of the leading messages fit in one post when joined with blank lines (at least one: a single message
 * is already cut to the limit by renderMessage), and that post's text.
 */
export function renderCoalesced(messages: readonly TOutgoingMessage[]): { text: string; count: number } {
  let text = '';
  let count = 0;
  for (const m of messages) {
    const part = renderMessage(m);
    const next = count === 0 ? part : `${text}${COALESCE_SEPARATOR}${part}`;
    if (count > 0 && next.length > TEXT_MAX) break;
    text = next;
    count += 1;
  }
  return { text, count };
}

/**
 * A link that opens a topic of a supergroup in the Telegram apps (members only): t.me/c/<chat id without -100>/<topic>.
 * Null for a chat id that is not a supergroup's.
 */
export function telegramTopicLink(thread: { externalChatId: string; externalThreadId: string }): string | null {
  const m = /^-100(\d+)$/.exec(thread.externalChatId);
  return m && /^\d+$/.test(thread.externalThreadId) ? `https://t.me/c/${m[1]}/${thread.externalThreadId}` : null;
}

/** The file an operator posted: the original size of a photo, or the document. */
export function inboundFiles(msg: {
  message_id: number;
  photo?: { file_id: string; file_size?: number | undefined }[] | undefined;
  document?:
    | {
        file_id: string;
        file_name?: string | undefined;
        mime_type?: string | undefined;
        file_size?: number | undefined;
      }
    | undefined;
}): TInboundFile[] {
  const files: TInboundFile[] = [];
  const photo = msg.photo?.[msg.photo.length - 1];
  if (photo)
    files.push({
      ref: photo.file_id,
      name: `photo-${msg.message_id}.jpg`,
      contentType: 'image/jpeg',
      size: photo.file_size ?? null,
    });
  if (msg.document) {
    files.push({
      ref: msg.document.file_id,
      name: msg.document.file_name ?? `file-${msg.message_id}`,
      contentType: msg.document.mime_type ?? 'application/octet-stream',
      size: msg.document.file_size ?? null,
    });
  }
  return files;
}

/** One keep-alive agent per process and scheme, shared by every bot token's Api client. */
const agents = new Map<string, HttpAgent | HttpsAgent>();
function keepAliveAgent(apiRoot: string): HttpAgent | HttpsAgent {
  const https = apiRoot.startsWith('https:');
  const key = https ? 'https' : 'http';
  let agent = agents.get(key);
  if (!agent) {
    agent = https
      ? new HttpsAgent({ keepAlive: true, maxSockets: 64 })
      : new HttpAgent({ keepAlive: true, maxSockets: 64 });
    agents.set(key, agent);
  }
  return agent;
}

/** Telegram through grammY's Api class (no Bot runtime: the worker and the webhook route drive it). */
export function createTelegramBridge(config: TTelegramBridgeConfig): TBridge {
  const perMinute = config.groupPostsPerMinute ?? TELEGRAM_GROUP_POSTS_PER_MINUTE;
  const postRateLimits: TPostRateLimit[] =
    perMinute > 0 ? [{ scope: 'target', capacity: perMinute, perMs: 60_000 }] : [];
  const apis = new Map<string, Api>();
  const botApiFetch = createBotApiFetch(keepAliveAgent(config.apiRoot));
  const api = (creds: TTelegramCredentials): Api => {
    let a = apis.get(creds.botToken);
    if (!a) {
      // Bounded below the pipeline's pair lease (15 s), so a hung call cannot outlive the lease that orders it.
      // Keep-alive agent, requests made by createBotApiFetch (lighter than grammY's default node-fetch).
      a = new Api(creds.botToken, {
        apiRoot: config.apiRoot,
        timeoutSeconds: 10,
        fetch: botApiFetch as unknown as ApiClientOptions['fetch'],
      });
      apis.set(creds.botToken, a);
    }
    return a;
  };
  const creds = (target: TBridgeTarget): TTelegramCredentials => {
    const parsed = ZTelegramCredentials.safeParse(target.credentials);
    if (!parsed.success)
      throw new BridgeError({
        kind: 'unauthorized',
        platform: 'telegram',
        method: 'credentials',
        message: 'stored credentials are not a valid Telegram bot token',
      });
    return parsed.data;
  };
  const call = async <T>(method: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toBridgeError(method, err);
    }
  };
  const chatId = (target: TBridgeTarget) => Number(target.targetId);

  const post = (c: TTelegramCredentials, thread: { externalChatId: string; externalThreadId: string }, html: string) =>
    call('sendMessage', () =>
      api(c).sendMessage(Number(thread.externalChatId), html, {
        message_thread_id: Number(thread.externalThreadId),
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
      }),
    );
  // Edits and deletes are retried by the pipeline, so "already so" answers count as success.
  const idempotent = async (fn: () => Promise<unknown>, okWhen: RegExp) => {
    try {
      await fn();
    } catch (err) {
      if (err instanceof BridgeError && okWhen.test(err.message)) return;
      throw err;
    }
  };

  return {
    kind: 'telegram',
    postRateLimits,

    async validateCredentials(target) {
      const c = creds(target);
      const me = await call('getMe', () => api(c).getMe());
      const chat = await call('getChat', () => api(c).getChat(chatId(target)));
      if (chat.type !== 'supergroup' || !('is_forum' in chat) || !chat.is_forum) {
        throw new BridgeError({
          kind: 'forbidden',
          platform: 'telegram',
          method: 'getChat',
          message: 'The group must be a supergroup with Topics turned on (Group settings → Topics)',
        });
      }
      const member = await call('getChatMember', () => api(c).getChatMember(chatId(target), me.id));
      if (member.status !== 'administrator' && member.status !== 'creator') {
        throw new BridgeError({
          kind: 'forbidden',
          platform: 'telegram',
          method: 'getChatMember',
          message: `@${me.username} must be an administrator of the group`,
        });
      }
      if (member.status === 'administrator' && !member.can_manage_topics) {
        throw new BridgeError({
          kind: 'forbidden',
          platform: 'telegram',
          method: 'getChatMember',
          message: `@${me.username} needs the "Manage topics" admin right`,
        });
      }
      return {
        summary: `@${me.username} in "${chat.title}"`,
        botId: String(me.id),
        ...(chat.title ? { targetName: chat.title } : {}),
      };
    },

    async ensureThread(target, card) {
      const c = creds(target);
      const topic = await call('createForumTopic', () => api(c).createForumTopic(chatId(target), topicName(card)));
      return { externalChatId: target.targetId, externalThreadId: String(topic.message_thread_id) };
    },

    async postCard(target, thread, card) {
      const c = creds(target);
      await call('sendMessage', () =>
        api(c).sendMessage(chatId(target), renderCard(card), {
          message_thread_id: Number(thread.externalThreadId),
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
        }),
      );
    },

    async renameThread(target, thread, card) {
      const c = creds(target);
      await idempotent(
        () =>
          call('editForumTopic', () =>
            api(c).editForumTopic(Number(thread.externalChatId), Number(thread.externalThreadId), {
              name: topicName(card),
            }),
          ),
        /TOPIC_NOT_MODIFIED/,
      );
    },

    threadLink: (_target, thread) => telegramTopicLink(thread),

    async send(target, thread, message) {
      const sent = await post(creds(target), thread, renderMessage(message));
      return { externalMessageId: String(sent.message_id) };
    },

    async sendCoalesced(target, thread, messages) {
      const { text, count } = renderCoalesced(messages);
      const sent = await post(creds(target), thread, text);
      return { externalMessageId: String(sent.message_id), count };
    },

    async edit(target, thread, externalMessageId, message) {
      const c = creds(target);
      await idempotent(
        () =>
          call('editMessageText', () =>
            api(c).editMessageText(Number(thread.externalChatId), Number(externalMessageId), renderMessage(message), {
              parse_mode: 'HTML',
            }),
          ),
        /message is not modified/i,
      );
    },

    async remove(target, thread, externalMessageId) {
      const c = creds(target);
      await idempotent(
        () =>
          call('deleteMessage', () => api(c).deleteMessage(Number(thread.externalChatId), Number(externalMessageId))),
        /message to delete not found/i,
      );
    },

    async sendAttachment(target, thread, file, message) {
      const c = creds(target);
      const caption = message.body || message.sender !== 'visitor' ? renderMessage(message, CAPTION_MAX) : undefined;
      const input = new InputFile(file.data, file.name);
      const opts = {
        message_thread_id: Number(thread.externalThreadId),
        ...(caption ? { caption, parse_mode: 'HTML' as const } : {}),
      };
      const sent =
        PHOTO_TYPES.has(file.contentType) && file.size <= PHOTO_MAX_BYTES
          ? await call('sendPhoto', () => api(c).sendPhoto(Number(thread.externalChatId), input, opts))
          : await call('sendDocument', () => api(c).sendDocument(Number(thread.externalChatId), input, opts));
      return { externalMessageId: String(sent.message_id) };
    },

    async replyInThread(target, thread, text) {
      const sent = await post(creds(target), thread, escapeTelegramHtml(truncate(text, TEXT_MAX - 200)));
      return { externalMessageId: String(sent.message_id) };
    },

    async showTyping(target, thread) {
      // Shown as "<bot> is typing…" in the topic for 5 s, or until the bot's next message.
      const c = creds(target);
      await call('sendChatAction', () =>
        api(c).sendChatAction(Number(thread.externalChatId), 'typing', {
          message_thread_id: Number(thread.externalThreadId),
        }),
      );
    },

    async postAlert(target, text) {
      // No message_thread_id: in a forum that is the General topic, where the owner sees it outside any conversation.
      const c = creds(target);
      await call('sendMessage', () =>
        api(c).sendMessage(chatId(target), `⚠️ ${escapeTelegramHtml(truncate(text, TEXT_MAX - 200))}`, {
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
        }),
      );
    },

    async downloadFile(target, file, maxBytes) {
      const c = creds(target);
      const tooBig = () =>
        new BridgeError({
          kind: 'rejected',
          platform: 'telegram',
          method: 'getFile',
          message: `file "${file.name}" is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`,
        });
      if (file.size !== null && file.size > maxBytes) throw tooBig();
      const info = await call('getFile', () => api(c).getFile(file.ref));
      if (!info.file_path)
        throw new BridgeError({
          kind: 'rejected',
          platform: 'telegram',
          method: 'getFile',
          message: 'Telegram gave no file path (file too big for bots?)',
        });
      if (info.file_size !== undefined && info.file_size > maxBytes) throw tooBig();
      let res: Response;
      try {
        res = await fetch(`${config.apiRoot}/file/bot${c.botToken}/${info.file_path}`, {
          signal: AbortSignal.timeout(30_000),
        });
      } catch (err) {
        throw new BridgeError({
          kind: 'transient',
          platform: 'telegram',
          method: 'downloadFile',
          message: `network error: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
      if (!res.ok || !res.body)
        throw new BridgeError({
          kind: res.status >= 500 ? 'transient' : 'rejected',
          platform: 'telegram',
          method: 'downloadFile',
          platformCode: res.status,
          message: `download failed (HTTP ${res.status})`,
        });
      // Counted while streaming: a wrong or missing Content-Length cannot make us buffer more than the limit.
      const chunks: Uint8Array[] = [];
      let total = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        total += chunk.byteLength;
        if (total > maxBytes) throw tooBig();
        chunks.push(chunk);
      }
      return { data: Buffer.concat(chunks, total), name: file.name, contentType: file.contentType };
    },

    async registerWebhook(target, input) {
      const c = creds(target);
      await call('setWebhook', () =>
        api(c).setWebhook(input.url, {
          secret_token: input.secret,
          allowed_updates: ['message', 'edited_message'],
          drop_pending_updates: false,
        }),
      );
    },

    inboundDeliveryId: telegramUpdateId,

    parseInbound(target, payload): TInboundAction {
      const parsed = ZTelegramUpdate.safeParse(payload);
      if (!parsed.success) return { type: 'ignore', reason: 'not a Telegram update' };
      const update = parsed.data;
      const msg = update.message ?? update.edited_message;
      if (!msg) return { type: 'ignore', reason: 'update kind not handled' };
      if (String(msg.chat.id) !== target.targetId) return { type: 'ignore', reason: 'message from another chat' };
      if (!msg.message_thread_id || msg.is_topic_message !== true)
        return { type: 'ignore', reason: 'message outside a topic' };
      if (!msg.from || msg.from.is_bot) return { type: 'ignore', reason: 'message from a bot' };
      const text = msg.text ?? msg.caption ?? '';
      const files = inboundFiles(msg);
      if (!text.trim() && files.length === 0) return { type: 'ignore', reason: 'no text' };
      const thread = { externalChatId: String(msg.chat.id), externalThreadId: String(msg.message_thread_id) };
      if (update.edited_message)
        return text.trim()
          ? { type: 'edit', thread, externalMessageId: String(msg.message_id), text }
          : { type: 'ignore', reason: 'edit without text' };
      const authorName =
        [msg.from.first_name, msg.from.last_name].filter(Boolean).join(' ') || msg.from.username || 'Operator';
      return {
        type: 'message',
        thread,
        externalMessageId: String(msg.message_id),
        authorName,
        text,
        ...(files.length > 0 ? { files } : {}),
      };
    },
  };
}

/** Where an inbound delivery stands in its thread's order (see TInboundOrdering). Pure. */
export function telegramInboundOrdering(payload: unknown): TInboundOrdering {
  const parsed = ZTelegramUpdate.safeParse(payload);
  if (!parsed.success) return NO_ORDERING;
  const msg = parsed.data.message ?? parsed.data.edited_message;
  // update_id grows by one per update of the bot: the platform's own order of everything it delivers.
  const orderKey = orderKeyFromDigits(String(parsed.data.update_id));
  return { threadKey: msg?.message_thread_id ? `${msg.chat.id}/${msg.message_thread_id}` : null, orderKey };
}
