import { AppError } from '@pocketping/core';
import { isBridgeError, type BridgeError } from './bridge-error.js';

/** The part of a BridgeError a person should read ("telegram.getMe: Unauthorized" → "Unauthorized"). */
export function platformMessage(err: BridgeError): string {
  const prefix = `${err.platform}.${err.method}: `;
  return err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
}

/**
 * A platform failure during setup as an AppError: the platform refusing (bad token, missing rights, gone channel)
 * is 422 with a message for a person, the platform being down or rate limiting is 503 "try again".
 */
export function toSetupError(
  err: unknown,
  messages: { unauthorized?: string; forbidden?: string; target_gone?: string } = {},
): unknown {
  if (!isBridgeError(err)) return err;
  const text = platformMessage(err);
  switch (err.kind) {
    case 'unauthorized':
      return new AppError('unprocessable', messages.unauthorized ?? text, { platform: err.platform, kind: err.kind });
    case 'forbidden':
      return new AppError('unprocessable', messages.forbidden ?? text, { platform: err.platform, kind: err.kind });
    case 'target_gone':
      return new AppError('unprocessable', messages.target_gone ?? text, { platform: err.platform, kind: err.kind });
    case 'rate_limited':
    case 'transient':
      return new AppError(
        'unavailable',
        `${capitalize(err.platform)} did not answer in time (${text}). Try again in a moment.`,
        { platform: err.platform, kind: err.kind },
      );
    default:
      return new AppError('unprocessable', text, { platform: err.platform, kind: err.kind });
  }
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export async function mapSetupErrors<T>(
  fn: () => Promise<T>,
  messages?: Parameters<typeof toSetupError>[1],
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toSetupError(err, messages);
  }
}
