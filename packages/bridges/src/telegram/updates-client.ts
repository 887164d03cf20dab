import { Api } from 'grammy';
import { BridgeError } from '../bridge-error.js';
import { toBridgeError } from './to-bridge-error.js';

/** The update kinds the pipeline handles; the same list setWebhook registers. */
export const TELEGRAM_ALLOWED_UPDATES = ['message', 'edited_message'] as const;

/**
 * Telegram's pull side for one bot (long polling, for installs without a public URL). The worker drives the loop;
 * this only makes the calls and classifies their failures as BridgeErrors like every other bridge call.
 */
export interface TTelegramUpdatesClient {
  /** getUpdates{offset, timeout}: held open by Telegram up to `timeoutSeconds` when nothing is waiting. */
  getUpdates(input: {
    offset?: number;
    timeoutSeconds: number;
    limit?: number;
    signal?: AbortSignal;
  }): Promise<unknown[]>;
  /** The webhook URL currently set for the bot ('' when none): polling and a webhook exclude each other. */
  webhookUrl(signal?: AbortSignal): Promise<string>;
  /** Removes the webhook (pending updates are kept, so switching to polling loses nothing). */
  deleteWebhook(signal?: AbortSignal): Promise<void>;
}

/**
 * True for Telegram's 409 "can't use getUpdates method while webhook is active"; the other 409, "terminated by
 * other getUpdates request", means a second poller runs for the same bot.
 */
export function isWebhookConflict(err: unknown): boolean {
  return err instanceof BridgeError && err.platformCode === 409 && /webhook/i.test(err.message);
}

export function isPollConflict(err: unknown): boolean {
  return err instanceof BridgeError && err.platformCode === 409 && !/webhook/i.test(err.message);
}

/** grammY types its signal parameter with the abort-controller shim; the runtime takes a standard AbortSignal. */
type TGrammySignal = Parameters<Api['getUpdates']>[1];

export function createTelegramUpdatesClient(
  config: { apiRoot: string },
  botToken: string,
  opts: { maxPollSeconds?: number } = {},
): TTelegramUpdatesClient {
  // The HTTP timeout must outlast the long poll Telegram holds open, or every idle poll would end as an error.
  const api = new Api(botToken, { apiRoot: config.apiRoot, timeoutSeconds: (opts.maxPollSeconds ?? 50) + 15 });
  const call = async <T>(method: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toBridgeError(method, err);
    }
  };
  return {
    async getUpdates(input) {
      const updates = await call('getUpdates', () =>
        api.getUpdates(
          {
            ...(input.offset !== undefined ? { offset: input.offset } : {}),
            timeout: input.timeoutSeconds,
            limit: input.limit ?? 100,
            allowed_updates: [...TELEGRAM_ALLOWED_UPDATES],
          },
          input.signal as TGrammySignal,
        ),
      );
      return updates as unknown[];
    },
    async webhookUrl(signal) {
      const info = await call('getWebhookInfo', () => api.getWebhookInfo(signal as TGrammySignal));
      return info.url ?? '';
    },
    async deleteWebhook(signal) {
      await call('deleteWebhook', () => api.deleteWebhook({ drop_pending_updates: false }, signal as TGrammySignal));
    },
  };
}
