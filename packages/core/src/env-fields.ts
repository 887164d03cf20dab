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
  /** The one shared Slack app (api.slack.com/apps → Basic Information). All optional: Slack stays off without them. */
  SLACK_CLIENT_ID: z.string().regex(/^\d+\.\d+$/, 'must look like "1234567890.1234567890" (Basic Information → Client ID)').optional(),
  SLACK_CLIENT_SECRET: z.string().regex(/^[A-Za-z0-9]{16,64}$/, 'must be the app\'s Client Secret').optional(),
  SLACK_SIGNING_SECRET: z.string().regex(/^[A-Za-z0-9]{16,64}$/, 'must be the app\'s Signing Secret').optional(),
  /** App-level token with connections:write, for Socket Mode (installs without a public URL). */
  SLACK_APP_TOKEN: z.string().regex(/^xapp-[A-Za-z0-9-]{10,300}$/, 'must be an app-level token ("xapp-…")').optional(),
  DISCORD_API_URL: url(['http', 'https']).default('https://discord.com/api'),
  /** The one shared Discord bot (discord.com/developers → your app → Bot → Reset Token). Optional: Discord stays off without it. */
  DISCORD_BOT_TOKEN: z.string().regex(/^[A-Za-z0-9_.-]{50,100}$/, 'must be the bot token from the Developer Portal (Bot → Reset Token)').optional(),
  /** The same application's id (General Information → Application ID), for the install link. */
  DISCORD_APPLICATION_ID: z.string().regex(/^\d{17,20}$/, 'must be the numeric Application ID').optional(),
  STRIPE_API_HOST: z.string().default('api.stripe.com'),
  STRIPE_API_PORT: z.coerce.number().int().min(1).max(65535).default(443),
  STRIPE_API_PROTOCOL: z.enum(['http', 'https']).default('https'),
  OPENAI_BASE_URL: url(['http', 'https']).default('https://api.openai.com/v1'),
  SMTP_URL: url(['smtp', 'smtps']).default('smtp://127.0.0.1:1025'),
} as const;

export const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
