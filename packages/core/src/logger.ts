import { pino, type Logger } from 'pino';

export type TLogger = Logger;

/** pino, object first. Secrets never go into log objects; these paths are redacted in case one slips in. */
export function createLogger(name: string, level = 'info'): TLogger {
  return pino({
    name,
    level,
    redact: {
      paths: ['token', '*.token', 'botToken', '*.botToken', 'credentials', '*.credentials', 'secret', '*.secret', 'authorization', '*.authorization', 'headers["x-telegram-bot-api-secret-token"]'],
      censor: '[redacted]',
    },
  });
}
