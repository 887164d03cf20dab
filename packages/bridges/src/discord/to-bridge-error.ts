import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { BridgeError } from '../bridge-error.js';

/** Discord JSON error codes the bridge acts on (https://discord.com/developers/docs/topics/opcodes-and-status-codes). */
export const DISCORD_CODES = {
  unknownChannel: 10003,
  unknownGuild: 10004,
  unknownMessage: 10008,
  missingAccess: 50001,
  missingPermissions: 50013,
  threadArchived: 50083,
} as const;

/**
 * Maps a discord.js REST failure to the pipeline's vocabulary. `on` says what the failing call addressed: an
 * Unknown Channel on the tenant's channel needs a person (target_gone), on a conversation's thread it only means
 * "open a new thread" (thread_gone).
 */
export function toBridgeError(
  method: string,
  err: unknown,
  on: { kind: 'channel' | 'thread' | 'guild'; channelId: string },
): BridgeError {
  const base = { platform: 'discord', method };
  const where = `channel ${on.channelId}`;
  if (err instanceof RateLimitError) {
    const waitMs = Math.max(err.retryAfter, err.timeToReset, 1);
    return new BridgeError({
      ...base,
      kind: 'rate_limited',
      platformCode: 429,
      retryAfterMs: Math.ceil(waitMs),
      message: `rate limited for ${Math.ceil(waitMs)} ms (${err.global ? 'global' : err.route})`,
    });
  }
  if (err instanceof DiscordAPIError) {
    const code = typeof err.code === 'number' ? err.code : null;
    const b = { ...base, platformCode: code ?? err.status };
    if (err.status === 401)
      return new BridgeError({
        ...b,
        kind: 'unauthorized',
        message: 'The Discord bot token was revoked or is wrong (DISCORD_BOT_TOKEN on the server: 401 Unauthorized)',
      });
    if (code === DISCORD_CODES.missingAccess) {
      return new BridgeError({
        ...b,
        kind: 'forbidden',
        message: `The bot can no longer see ${where}: it was removed from the Discord server or lost "View Channel" (Missing Access)`,
      });
    }
    if (code === DISCORD_CODES.missingPermissions) {
      return new BridgeError({
        ...b,
        kind: 'forbidden',
        message: `The bot lost permission to post in ${where} (Missing Permissions: it needs Send Messages in Threads, Create Public Threads, Manage Threads)`,
      });
    }
    if (code === DISCORD_CODES.unknownChannel) {
      if (on.kind === 'thread')
        return new BridgeError({
          ...b,
          kind: 'thread_gone',
          message: `thread ${on.channelId} no longer exists (Unknown Channel)`,
        });
      return new BridgeError({
        ...b,
        kind: 'target_gone',
        message: `The Discord ${where} no longer exists (Unknown Channel)`,
      });
    }
    if (code === DISCORD_CODES.unknownGuild)
      return new BridgeError({
        ...b,
        kind: 'target_gone',
        message: 'The Discord server no longer exists or the bot was never added to it (Unknown Guild)',
      });
    if (code === DISCORD_CODES.threadArchived)
      return new BridgeError({ ...b, kind: 'thread_gone', message: `thread ${on.channelId} is archived and locked` });
    if (err.status === 403)
      return new BridgeError({
        ...b,
        kind: 'forbidden',
        message: `Discord refused the bot in ${where}: ${err.message}`,
      });
    if (err.status >= 500) return new BridgeError({ ...b, kind: 'transient', message: err.message });
    return new BridgeError({ ...b, kind: 'rejected', message: err.message });
  }
  if (err instanceof HTTPError)
    return new BridgeError({
      ...base,
      kind: 'transient',
      platformCode: err.status,
      message: `HTTP ${err.status} ${err.message}`,
    });
  // Network errors and timeouts (AbortError) from undici.
  return new BridgeError({
    ...base,
    kind: 'transient',
    message: `network error: ${err instanceof Error ? err.message : String(err)}`,
  });
}
