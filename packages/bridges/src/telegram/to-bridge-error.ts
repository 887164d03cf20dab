import { GrammyError, HttpError } from 'grammy';
import { BridgeError } from '../bridge-error.js';

/** Maps a grammY failure to the pipeline's vocabulary. Descriptions are Telegram's own, matched loosely. */
export function toBridgeError(method: string, err: unknown): BridgeError {
  if (err instanceof GrammyError) {
    const d = err.description.toLowerCase();
    const base = { platform: 'telegram', method, platformCode: err.error_code, message: err.description };
    if (err.error_code === 429) {
      const seconds = err.parameters.retry_after ?? 1;
      return new BridgeError({ ...base, kind: 'rate_limited', retryAfterMs: seconds * 1000 });
    }
    if (
      d.includes('thread not found') ||
      d.includes('topic_deleted') ||
      d.includes('topic_id_invalid') ||
      d.includes('topic closed')
    ) {
      return new BridgeError({ ...base, kind: 'thread_gone' });
    }
    if (err.error_code === 401)
      return new BridgeError({
        ...base,
        kind: 'unauthorized',
        message: 'The bot token was revoked or is wrong (Telegram: Unauthorized)',
      });
    if (err.error_code === 403)
      return new BridgeError({
        ...base,
        kind: 'forbidden',
        message: `The bot was removed from the group or blocked (${err.description})`,
      });
    if (d.includes('chat not found'))
      return new BridgeError({
        ...base,
        kind: 'target_gone',
        message: 'The Telegram group no longer exists or the bot is not in it (chat not found)',
      });
    if (d.includes('not enough rights') || d.includes('have no rights') || d.includes('chat_admin_required')) {
      return new BridgeError({
        ...base,
        kind: 'forbidden',
        message: `The bot lost its admin rights in the group (${err.description})`,
      });
    }
    if (d.includes('not a forum'))
      return new BridgeError({
        ...base,
        kind: 'forbidden',
        message: 'Topics are turned off in the Telegram group (the chat is not a forum)',
      });
    if (err.error_code >= 500) return new BridgeError({ ...base, kind: 'transient' });
    return new BridgeError({ ...base, kind: 'rejected' });
  }
  if (err instanceof HttpError) {
    return new BridgeError({
      kind: 'transient',
      platform: 'telegram',
      method,
      message: `network error: ${String((err.error as Error | undefined)?.message ?? err.message)}`,
    });
  }
  return new BridgeError({
    kind: 'transient',
    platform: 'telegram',
    method,
    message: err instanceof Error ? err.message : String(err),
  });
}
