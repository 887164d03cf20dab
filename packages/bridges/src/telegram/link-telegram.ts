import { Api } from 'grammy';
import { truncate } from '../format.js';
import { ZTelegramCredentials } from './credentials.js';
import { toBridgeError } from './to-bridge-error.js';

/**
 * The calls the dashboard's Telegram setup makes with a token that is not a connection yet: who the bot is, the
 * `/link CODE` message in the group (read with getUpdates while no webhook is set), what the group is and what the
 * bot may do there, and a plain reply. Read-only except `sendText` and `deleteWebhook`.
 */
export interface TTelegramSetupClient {
  getMe(): Promise<{ id: number; username: string }>;
  /** Short poll (seconds); returns raw updates. */
  getUpdates(input: { offset?: number; timeoutSeconds: number }): Promise<unknown[]>;
  getChat(chatId: number): Promise<{ id: number; type: string; title: string; isForum: boolean }>;
  getBotMember(chatId: number, botId: number): Promise<{ status: string; canManageTopics: boolean }>;
  /** Plain text (no parse mode) in the chat; in a forum it lands in the General topic. */
  sendText(chatId: number, text: string): Promise<{ messageId: number }>;
  deleteWebhook(): Promise<void>;
}

/** A token's shape check without a network call; the message is for a person. */
export function isTelegramBotToken(token: string): boolean {
  return ZTelegramCredentials.shape.botToken.safeParse(token).success;
}

export function createTelegramSetupClient(config: { apiRoot: string }, botToken: string): TTelegramSetupClient {
  const api = new Api(botToken, { apiRoot: config.apiRoot, timeoutSeconds: 15 });
  const call = async <T>(method: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toBridgeError(method, err);
    }
  };
  return {
    async getMe() {
      const me = await call('getMe', () => api.getMe());
      return { id: me.id, username: me.username };
    },
    async getUpdates(input) {
      const updates = await call('getUpdates', () =>
        api.getUpdates({
          ...(input.offset !== undefined ? { offset: input.offset } : {}),
          timeout: input.timeoutSeconds,
          limit: 100,
          allowed_updates: ['message'],
        }),
      );
      return updates as unknown[];
    },
    async getChat(chatId) {
      const chat = await call('getChat', () => api.getChat(chatId));
      const title = 'title' in chat && typeof chat.title === 'string' ? chat.title : String(chat.id);
      return { id: chat.id, type: chat.type, title, isForum: 'is_forum' in chat && chat.is_forum === true };
    },
    async getBotMember(chatId, botId) {
      const m = await call('getChatMember', () => api.getChatMember(chatId, botId));
      return {
        status: m.status,
        canManageTopics: m.status === 'creator' || (m.status === 'administrator' && m.can_manage_topics === true),
      };
    },
    async sendText(chatId, text) {
      const sent = await call('sendMessage', () =>
        api.sendMessage(chatId, truncate(text, 4000), { link_preview_options: { is_disabled: true } }),
      );
      return { messageId: sent.message_id };
    },
    async deleteWebhook() {
      await call('deleteWebhook', () => api.deleteWebhook({ drop_pending_updates: false }));
    },
  };
}

export interface TLinkCommandMatch {
  updateId: number;
  chatId: number;
  /** 'group' (basic), 'supergroup', 'private', 'channel'. */
  chatType: string;
  chatTitle: string | null;
}

interface TRawUpdate {
  update_id?: unknown;
  message?: { text?: unknown; chat?: { id?: unknown; type?: unknown; title?: unknown } };
}

/**
 * Finds `/link CODE` (or `/link@botname CODE`) in a batch of updates — the last match wins, so a person who sent the
 * command again after fixing the group is seen in that group. A command addressed to another bot is ignored. Pure.
 */
export function findLinkCommand(
  updates: readonly unknown[],
  input: { code: string; botUsername: string },
): TLinkCommandMatch | null {
  let found: TLinkCommandMatch | null = null;
  for (const raw of updates) {
    const u = raw as TRawUpdate;
    const text = typeof u.message?.text === 'string' ? u.message.text : '';
    const m = /^\/link(?:@([A-Za-z0-9_]{3,64}))?\s+([A-Za-z0-9-]{4,32})\s*$/.exec(text.trim());
    if (!m) continue;
    if (m[1] && m[1].toLowerCase() !== input.botUsername.toLowerCase()) continue;
    if ((m[2] ?? '').toUpperCase() !== input.code.toUpperCase()) continue;
    const chat = u.message?.chat;
    if (typeof chat?.id !== 'number' || typeof u.update_id !== 'number') continue;
    found = {
      updateId: u.update_id,
      chatId: chat.id,
      chatType: typeof chat.type === 'string' ? chat.type : 'unknown',
      chatTitle: typeof chat.title === 'string' ? chat.title : null,
    };
  }
  return found;
}

/** Highest update_id in a batch, or null: the next getUpdates offset is this + 1. */
export function lastUpdateId(updates: readonly unknown[]): number | null {
  let max: number | null = null;
  for (const raw of updates) {
    const id = (raw as TRawUpdate).update_id;
    if (typeof id === 'number' && (max === null || id > max)) max = id;
  }
  return max;
}
