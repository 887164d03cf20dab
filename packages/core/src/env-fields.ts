import { z } from 'zod';
import { isValidKeyRing } from './secrets.js';

// Building blocks for each app's env.ts. Every external base URL is configurable so tests and self-hosters can
// point the official SDKs at a fake server or a proxy.

const url = (protocols: string[]) =>
  z.string().url().refine((v) => protocols.some((p) => v.startsWith(`${p}:`)), { message: `must start with ${protocols.join(' or ')}:` });

export const envFields = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: url(['postgres', 'postgresql']),
  REDIS_URL: url(['redis', 'rediss']),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/).default('pp'),
  ENCRYPTION_KEY: z.string().refine(isValidKeyRing, { message: 'must be "<id>:<base64 of 32 bytes>[,…]" — generate with `pnpm pocketping gen-key`' }),
  AUTH_SECRET: z.string().min(32, 'must be at least 32 characters'),
  WEB_PUBLIC_URL: url(['http', 'https']),
  REALTIME_PUBLIC_URL: url(['http', 'https']),
  TELEGRAM_API_ROOT: url(['http', 'https']).default('https://api.telegram.org'),
  SLACK_API_URL: url(['http', 'https']).default('https://slack.com/api/'),
  DISCORD_API_URL: url(['http', 'https']).default('https://discord.com/api'),
  STRIPE_API_HOST: z.string().default('api.stripe.com'),
  STRIPE_API_PORT: z.coerce.number().int().min(1).max(65535).default(443),
  STRIPE_API_PROTOCOL: z.enum(['http', 'https']).default('https'),
  OPENAI_BASE_URL: url(['http', 'https']).default('https://api.openai.com/v1'),
  SMTP_URL: url(['smtp', 'smtps']).default('smtp://127.0.0.1:1025'),
} as const;

export const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
