import { z } from 'zod';
import { checkRedisClusterEnv, envFields, storageEnvFields, withoutEmpty } from '@pocketping/core';

/**
 * The web app's configuration. Nothing else in apps/web reads `process.env`.
 *
 * Read lazily through `getEnv()`: `next build` imports route and page modules, and a module-level parse would break
 * the build on any machine without a runtime env (CI, Docker build stage). A missing or malformed variable makes the
 * first request that needs it fail with an error naming every bad variable.
 */
export const ZWebEnv = z.object({
  NODE_ENV: envFields.NODE_ENV,
  /** Private addresses a webhook endpoint may point at anyway (IPs/CIDRs): local development and tests only. */
  WEBHOOK_FETCH_ALLOW: envFields.KNOWLEDGE_FETCH_ALLOW,
  LOG_LEVEL: envFields.LOG_LEVEL,
  DATABASE_URL: envFields.DATABASE_URL,
  REDIS_URL: envFields.REDIS_URL,
  REDIS_PREFIX: envFields.REDIS_PREFIX,
  REDIS_CLUSTER: envFields.REDIS_CLUSTER,
  REDIS_CLUSTER_NODES: envFields.REDIS_CLUSTER_NODES,
  ENCRYPTION_KEY: envFields.ENCRYPTION_KEY,
  AUTH_SECRET: envFields.AUTH_SECRET,
  WEB_PUBLIC_URL: envFields.WEB_PUBLIC_URL,
  REALTIME_PUBLIC_URL: envFields.REALTIME_PUBLIC_URL,
  MIGRATIONS_DIR: envFields.MIGRATIONS_DIR,
  TELEGRAM_API_ROOT: envFields.TELEGRAM_API_ROOT,
  SLACK_API_URL: envFields.SLACK_API_URL,
  SLACK_CLIENT_ID: envFields.SLACK_CLIENT_ID,
  SLACK_CLIENT_SECRET: envFields.SLACK_CLIENT_SECRET,
  SLACK_SIGNING_SECRET: envFields.SLACK_SIGNING_SECRET,
  DISCORD_API_URL: envFields.DISCORD_API_URL,
  STRIPE_API_HOST: envFields.STRIPE_API_HOST,
  STRIPE_API_PORT: envFields.STRIPE_API_PORT,
  STRIPE_API_PROTOCOL: envFields.STRIPE_API_PROTOCOL,
  STRIPE_SECRET_KEY: envFields.STRIPE_SECRET_KEY,
  STRIPE_WEBHOOK_SECRET: envFields.STRIPE_WEBHOOK_SECRET,
  OPENAI_BASE_URL: envFields.OPENAI_BASE_URL,
  OPENAI_API_KEY: envFields.OPENAI_API_KEY,
  OPENAI_MODEL: envFields.OPENAI_MODEL,
  OPENAI_EMBEDDING_MODEL: envFields.OPENAI_EMBEDDING_MODEL,
  KNOWLEDGE_EMBEDDINGS: envFields.KNOWLEDGE_EMBEDDINGS,
  SMTP_URL: envFields.SMTP_URL,
  TRUST_PROXY_HOPS: envFields.TRUST_PROXY_HOPS,
  /**
   * How long a webhook delivery (Telegram, Slack) that may have overtaken an earlier one of the same thread waits
   * for it before it is applied: platforms deliver concurrently, and replies must keep the order they were written in.
   */
  INBOUND_REORDER_WINDOW_MS: z.coerce.number().int().min(0).max(5_000).default(250),
  /** REST API text search (`GET /api/v1/conversations?q=`): Postgres cancels it after this long (422 search_timeout). */
  API_SEARCH_TIMEOUT_MS: z.coerce.number().int().min(1).max(60_000).default(5_000),
  MAIL_FROM: z.string().min(3).default('PocketPing <no-reply@pocketping.local>'),
  /** OAuth sign-in: each provider is offered only when both of its variables are set. */
  AUTH_GITHUB_ID: z.string().optional(),
  AUTH_GITHUB_SECRET: z.string().optional(),
  AUTH_GOOGLE_ID: z.string().optional(),
  AUTH_GOOGLE_SECRET: z.string().optional(),
  /** GitHub Enterprise Server base URL (https://github.example.com); github.com when unset. Tests: the fake provider. */
  AUTH_GITHUB_URL: z
    .string()
    .url()
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  /** OpenID issuer for Google sign-in; https://accounts.google.com when unset. Tests: the fake provider. */
  AUTH_GOOGLE_ISSUER: z
    .string()
    .url()
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  /** Discord application (one shared bot for every tenant): used for the install link and the setup pickers. */
  DISCORD_APPLICATION_ID: envFields.DISCORD_APPLICATION_ID,
  DISCORD_BOT_TOKEN: envFields.DISCORD_BOT_TOKEN,
  /** OAuth2 client secret of the same application: the bot-install callback exchanges its code to learn which server was chosen. */
  DISCORD_CLIENT_SECRET: z.string().min(1).optional(),
  /** The Discord application's public key (hex, Developer Portal → General Information): signs interaction requests. */
  DISCORD_PUBLIC_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be the 64-hex-digit application public key')
    .optional(),
  /**
   * Attachment storage, the same variables as realtime and worker (the inbox serves the files they stored). The
   * local folder defaults to .data/uploads at the repository root, like theirs.
   */
  ...storageEnvFields,
  /** Written by `npm start` after it bootstraps the demo project; /demo falls back to it. */
  DEMO_PROJECT_KEY: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^pk_[A-Za-z0-9_-]{10,60}$/, 'must look like "pk_…"')
      .optional(),
  ),
});
export type TWebEnv = z.infer<typeof ZWebEnv>;

/** Thrown instead of `process.exit`: inside Next a config error must fail the request, not kill the server. */
export class EnvError extends Error {
  readonly variables: string[];
  constructor(variables: string[], lines: string[]) {
    super(`[web] configuration error — fix these environment variables (see .env.example):\n${lines.join('\n')}`);
    this.name = 'EnvError';
    this.variables = variables;
  }
}

/** Same report as `parseEnv` of @pocketping/core (one line per variable, naming it), but it throws. */
export function parseWebEnv(source: Record<string, string | undefined>): TWebEnv {
  const result = ZWebEnv.superRefine(checkRedisClusterEnv).safeParse(withoutEmpty(source));
  if (result.success) return result.data;
  const variables: string[] = [];
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(env)';
    variables.push(name);
    const value = source[String(issue.path[0])];
    const why = value === undefined || value === '' ? 'is missing' : `is invalid: ${issue.message}`;
    return `  - ${name} ${why}`;
  });
  throw new EnvError(variables, lines);
}

let cached: TWebEnv | undefined;
let reported = false;

export function getEnv(): TWebEnv {
  if (cached) return cached;
  try {
    cached = parseWebEnv(process.env);
    return cached;
  } catch (err) {
    // Printed once per process, not once per request; every request still fails with the same error.
    if (!reported && err instanceof EnvError) {
      console.error(err.message);
      reported = true;
    }
    throw err;
  }
}

/**
 * Auth.js takes its canonical URL only from process.env.AUTH_URL; without it, it builds magic links and redirects
 * from the URL Next hands the route (http://localhost:<port> behind `next start`). Pinned to our public URL so mailed
 * links always point at WEB_PUBLIC_URL, whatever the request's Host says. (Here because only env.ts touches process.env.)
 */
export function pinAuthJsUrl(env: Pick<TWebEnv, 'WEB_PUBLIC_URL'>): void {
  process.env.AUTH_URL ??= env.WEB_PUBLIC_URL;
}
