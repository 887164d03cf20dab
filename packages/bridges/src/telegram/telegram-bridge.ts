import { Api } from 'grammy';
import type { TBridge, TBridgeTarget, TConversationCard, TInboundAction, TOutgoingMessage } from '../types.js';
import { BridgeError } from '../bridge-error.js';
import { escapeTelegramHtml, sourceLabel, truncate } from '../format.js';
import { ZTelegramCredentials, type TTelegramCredentials } from './credentials.js';
import { toBridgeError } from './to-bridge-error.js';
import { ZTelegramUpdate } from './update-schema.js';

const TEXT_MAX = 4096;
const TOPIC_NAME_MAX = 128;

export function topicName(card: TConversationCard): string {
  const who = card.visitorName ?? card.visitorEmail ?? null;
  let where: string | null = null;
  if (!who && card.pageUrl) {
    try {
      const u = new URL(card.pageUrl);
      where = `${u.hostname}${u.pathname === '/' ? '' : u.pathname}`;
    } catch {
      where = null;
    }
  }
  const name = who ?? card.location ?? where ?? `Visitor ${card.conversationId.slice(-6)}`;
  return truncate(name.replace(/\s+/g, ' ').trim() || 'Visitor', TOPIC_NAME_MAX);
}

export function renderCard(card: TConversationCard): string {
  const lines = ['<b>New conversation</b>'];
  const add = (label: string, value: string | null) => {
    if (value) lines.push(`${label}: ${escapeTelegramHtml(truncate(value, 300))}`);
  };
  add('Name', card.visitorName);
  add('Email', card.visitorEmail);
  add('Page', card.pageUrl);
  add('Referrer', card.referrer);
  add('Location', card.location);
  add('Browser', card.userAgent);
  lines.push('', 'Reply in this topic to answer the visitor.');
  return lines.join('\n');
}

export function renderMessage(m: TOutgoingMessage): string {
  const body = escapeTelegramHtml(m.body);
  let text: string;
  switch (m.sender) {
    case 'visitor':
      text = body;
      break;
    case 'operator':
      text = `<b>${escapeTelegramHtml(m.authorName ?? 'Operator')} (via ${escapeTelegramHtml(sourceLabel(m.source))})</b>: ${body}`;
      break;
    case 'ai':
      text = `<b>🤖 AI</b>: ${body}`;
      break;
    case 'system':
      text = `<i>${body}</i>`;
      break;
  }
  // Truncating may cut an entity; the escaped body is the only variable part, so cut the raw body instead.
  if (text.length > TEXT_MAX) return renderMessage({ ...m, body: truncate(m.body, Math.max(1, m.body.length - (text.length - TEXT_MAX) - 16)) });
  return text;
}

/** Telegram through grammY's Api class (no Bot runtime: the worker and the webhook route drive it). */
export function createTelegramBridge(config: { apiRoot: string }): TBridge {
  const apis = new Map<string, Api>();
  const api = (creds: TTelegramCredentials): Api => {
    let a = apis.get(creds.botToken);
    if (!a) {
      a = new Api(creds.botToken, { apiRoot: config.apiRoot });
      apis.set(creds.botToken, a);
    }
    return a;
  };
  const creds = (target: TBridgeTarget): TTelegramCredentials => {
    const parsed = ZTelegramCredentials.safeParse(target.credentials);
    if (!parsed.success) throw new BridgeError({ kind: 'unauthorized', platform: 'telegram', method: 'credentials', message: 'stored credentials are not a valid Telegram bot token' });
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

  return {
    kind: 'telegram',

    async validateCredentials(target) {
      const c = creds(target);
      const me = await call('getMe', () => api(c).getMe());
      const chat = await call('getChat', () => api(c).getChat(chatId(target)));
      if (chat.type !== 'supergroup' || !('is_forum' in chat) || !chat.is_forum) {
        throw new BridgeError({ kind: 'forbidden', platform: 'telegram', method: 'getChat', message: 'The group must be a supergroup with Topics turned on (Group settings → Topics)' });
      }
      const member = await call('getChatMember', () => api(c).getChatMember(chatId(target), me.id));
      if (member.status !== 'administrator' && member.status !== 'creator') {
        throw new BridgeError({ kind: 'forbidden', platform: 'telegram', method: 'getChatMember', message: `@${me.username} must be an administrator of the group` });
      }
      if (member.status === 'administrator' && !member.can_manage_topics) {
        throw new BridgeError({ kind: 'forbidden', platform: 'telegram', method: 'getChatMember', message: `@${me.username} needs the "Manage topics" admin right` });
      }
      return { summary: `@${me.username} in "${chat.title}"`, botId: String(me.id) };
    },

    async ensureThread(target, card) {
      const c = creds(target);
      const topic = await call('createForumTopic', () => api(c).createForumTopic(chatId(target), topicName(card)));
      const thread = { externalChatId: target.targetId, externalThreadId: String(topic.message_thread_id) };
      await call('sendMessage', () =>
        api(c).sendMessage(chatId(target), renderCard(card), { message_thread_id: topic.message_thread_id, parse_mode: 'HTML', link_preview_options: { is_disabled: true } }),
      );
      return thread;
    },

    async send(target, thread, message) {
      const c = creds(target);
      const sent = await call('sendMessage', () =>
        api(c).sendMessage(Number(thread.externalChatId), renderMessage(message), {
          message_thread_id: Number(thread.externalThreadId),
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
        }),
      );
      return { externalMessageId: String(sent.message_id) };
    },

    async edit(target, thread, externalMessageId, message) {
      const c = creds(target);
      await call('editMessageText', () =>
        api(c).editMessageText(Number(thread.externalChatId), Number(externalMessageId), renderMessage(message), { parse_mode: 'HTML' }),
      );
    },

    async remove(target, thread, externalMessageId) {
      const c = creds(target);
      await call('deleteMessage', () => api(c).deleteMessage(Number(thread.externalChatId), Number(externalMessageId)));
    },

    async registerWebhook(target, input) {
      const c = creds(target);
      await call('setWebhook', () =>
        api(c).setWebhook(input.url, { secret_token: input.secret, allowed_updates: ['message', 'edited_message'], drop_pending_updates: false }),
      );
    },

    inboundDeliveryId(payload) {
      const parsed = ZTelegramUpdate.safeParse(payload);
      return parsed.success ? String(parsed.data.update_id) : null;
    },

    parseInbound(target, payload): TInboundAction {
      const parsed = ZTelegramUpdate.safeParse(payload);
      if (!parsed.success) return { type: 'ignore', reason: 'not a Telegram update' };
      const update = parsed.data;
      const msg = update.message ?? update.edited_message;
      if (!msg) return { type: 'ignore', reason: 'update kind not handled' };
      if (String(msg.chat.id) !== target.targetId) return { type: 'ignore', reason: 'message from another chat' };
      if (!msg.message_thread_id || msg.is_topic_message !== true) return { type: 'ignore', reason: 'message outside a topic' };
      if (!msg.from || msg.from.is_bot) return { type: 'ignore', reason: 'message from a bot' };
      const text = msg.text ?? msg.caption;
      if (!text) return { type: 'ignore', reason: 'no text' };
      const thread = { externalChatId: String(msg.chat.id), externalThreadId: String(msg.message_thread_id) };
      if (update.edited_message) return { type: 'edit', thread, externalMessageId: String(msg.message_id), text };
      const authorName = [msg.from.first_name, msg.from.last_name].filter(Boolean).join(' ') || msg.from.username || 'Operator';
      return { type: 'message', thread, externalMessageId: String(msg.message_id), authorName, text };
    },
  };
}
