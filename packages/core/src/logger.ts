import { pino, type DestinationStream, type Logger } from 'pino';

export type TLogger = Logger;

/** Field names that hold a secret wherever they appear, at the top of a log object or one level down. */
export const REDACTED_FIELDS = [
  'token',
  'botToken',
  'accessToken',
  'refreshToken',
  'visitorToken',
  'apiKey',
  'credentials',
  'secret',
  'webhookSecret',
  'signingSecret',
  'clientSecret',
  'identitySecret',
  'password',
  'passwordHash',
  'authorization',
  'cookie',
] as const;

/**
 * pino, object first. Secrets never go into log objects; these paths are redacted in case one slips in.
 * `destination` is for tests (pino writes to stdout otherwise).
 */
export function createLogger(name: string, level = 'info', destination?: DestinationStream): TLogger {
  const paths = [
    ...REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`]),
    'headers["x-telegram-bot-api-secret-token"]',
    '*.headers["x-telegram-bot-api-secret-token"]',
    '*.headers.authorization',
    '*.headers.cookie',
  ];
  const options = { name, level, redact: { paths, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
