import { z } from 'zod';
import { isValidKeyRing } from './secrets.js';

// Building blocks for each app's env.ts. Every external base URL is configurable so tests and self-hosters can
// point the official SDKs at a fake server or a proxy.

const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((v) => protocols.some((p) => v.startsWith(`${p}:`)), {
      message: `must start with ${protocols.join(' or ')}:`,
    });

export const envFields = {
  /** Bearer token for GET /metrics (Prometheus); unset = no metrics endpoint. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Where the build's prisma/migrations folder is, when not next to the app (readiness checks it). */
  MIGRATIONS_DIR: z.string().min(1).optional(),
  /**
   * realtime and worker on SIGTERM: how long they may take to hand their clients and jobs over before they exit
   * (keep it below the orchestrator's kill timeout, e.g. Kubernetes' terminationGracePeriodSeconds).
   */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(1_000).max(600_000).default(10_000),
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: url(['postgres', 'postgresql']),
  REDIS_URL: url(['redis', 'rediss']),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,40}$/)
    .default('pp'),
  /**
   * on: a Redis Cluster client on REDIS_CLUSTER_NODES (REDIS_URL then gives only the user, password and TLS of every
   * node) and the key layout it needs (BullMQ's `{…}` prefix); the app's own multi-key calls are always tagged.
   */
  REDIS_CLUSTER: z.enum(['on', 'off']).default('off'),
  /** The cluster's seed nodes, `host:port,host:port,…` (a few are enough: the client discovers the others). */
  REDIS_CLUSTER_NODES: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const nodes: { host: string; port: number }[] = [];
      for (const item of v.split(',').map((s) => s.trim())) {
        const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/.exec(item);
        const port = m ? Number(m[2]) : 0;
        if (!m || port < 1 || port > 65535) {
          ctx.addIssue({ code: 'custom', message: `"${item}" is not host:port (comma-separated list)` });
          return z.NEVER;
        }
        nodes.push({ host: m[1]!.replace(/^\[|\]$/g, ''), port });
      }
      return nodes;
    }),
  ENCRYPTION_KEY: z.string().refine(isValidKeyRing, {
    message: 'must be "<id>:<base64 of 32 bytes>[,…]" — generate with `pnpm pocketping gen-key`',
  }),
  // The placeholder of .env.example is long enough to pass a length check, and public: whoever knows it can mint
  // session cookies. Refused, as is anything that still reads like a placeholder.
  AUTH_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .refine((v) => !/REPLACE|CHANGE_?ME|PLACEHOLDER|YOUR_SECRET/i.test(v), {
      message: 'is still the placeholder of .env.example: generate one with `openssl rand -hex 32`',
    }),
  WEB_PUBLIC_URL: url(['http', 'https']),
  REALTIME_PUBLIC_URL: url(['http', 'https']),
  TELEGRAM_API_ROOT: url(['http', 'https']).default('https://api.telegram.org'),
  SLACK_API_URL: url(['http', 'https']).default('https://slack.com/api/'),
  /** The one shared Slack app (api.slack.com/apps → Basic Information). All optional: Slack stays off without them. */
  SLACK_CLIENT_ID: z
    .string()
    .regex(/^\d+\.\d+$/, 'must look like "1234567890.1234567890" (Basic Information → Client ID)')
    .optional(),
  SLACK_CLIENT_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9]{16,64}$/, "must be the app's Client Secret")
    .optional(),
  SLACK_SIGNING_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9]{16,64}$/, "must be the app's Signing Secret")
    .optional(),
  /** App-level token with connections:write, for Socket Mode (installs without a public URL). */
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-[A-Za-z0-9-]{10,300}$/, 'must be an app-level token ("xapp-…")')
    .optional(),
  DISCORD_API_URL: url(['http', 'https']).default('https://discord.com/api'),
  /** The one shared Discord bot (discord.com/developers → your app → Bot → Reset Token). Optional: Discord stays off without it. */
  DISCORD_BOT_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{50,100}$/, 'must be the bot token from the Developer Portal (Bot → Reset Token)')
    .optional(),
  /** The same application's id (General Information → Application ID), for the install link. */
  DISCORD_APPLICATION_ID: z
    .string()
    .regex(/^\d{17,20}$/, 'must be the numeric Application ID')
    .optional(),
  STRIPE_API_HOST: z.string().default('api.stripe.com'),
  STRIPE_API_PORT: z.coerce.number().int().min(1).max(65535).default(443),
  STRIPE_API_PROTOCOL: z.enum(['http', 'https']).default('https'),
  /** Stripe secret (or restricted) key (dashboard → Developers → API keys). Optional: billing stays off without it. */
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]{8,247}$/, 'must be a Stripe secret key ("sk_test_…" / "sk_live_…")')
    .optional(),
  /** Signing secret of the webhook endpoint <WEB_PUBLIC_URL>/api/webhooks/stripe (or of `stripe listen`). */
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]{8,200}$/, 'must be the endpoint\'s signing secret ("whsec_…")')
    .optional(),
  OPENAI_BASE_URL: url(['http', 'https']).default('https://api.openai.com/v1'),
  /** The platform's provider key (platform.openai.com → API keys, or a compatible server's). Optional: AI stays off without it. */
  OPENAI_API_KEY: z
    .string()
    .regex(/^[\x21-\x7e]{8,300}$/, 'must be an API key (8+ printable characters, no spaces)')
    .optional(),
  /** The model a project gets unless its AI settings name another. */
  OPENAI_MODEL: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/, 'must be a model id such as gpt-4o-mini')
    .default('gpt-4o-mini'),
  /** Embeddings for the AI's knowledge (hybrid retrieval); off = full-text search only. Needs OPENAI_API_KEY. */
  KNOWLEDGE_EMBEDDINGS: z.enum(['on', 'off']).default('off'),
  /** The embeddings model of the provider at OPENAI_BASE_URL. */
  OPENAI_EMBEDDING_MODEL: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/, 'must be a model id such as text-embedding-3-small')
    .default('text-embedding-3-small'),
  /**
   * Private addresses the knowledge crawler may fetch anyway: comma-separated IPs or CIDR subnets (127.0.0.1,
   * 10.0.0.0/8, ::1). Empty in production; local development and tests list 127.0.0.1.
   */
  KNOWLEDGE_FETCH_ALLOW: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  /** Most pages one site or sitemap source crawls. */
  KNOWLEDGE_CRAWL_MAX_PAGES: z.coerce.number().int().min(1).max(5000).default(200),
  SMTP_URL: url(['smtp', 'smtps']).default('smtp://127.0.0.1:1025'),
  /** How many proxies of ours sit in front of the service; 0 = ignore X-Forwarded-For (anyone can send one). */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
} as const;

/** For each app's superRefine: REDIS_CLUSTER=on is refused at boot without the nodes to reach the cluster by. */
export function checkRedisClusterEnv(
  env: { REDIS_CLUSTER: 'on' | 'off'; REDIS_CLUSTER_NODES?: { host: string; port: number }[] | undefined },
  ctx: z.RefinementCtx,
): void {
  if (env.REDIS_CLUSTER === 'on' && !env.REDIS_CLUSTER_NODES?.length)
    ctx.addIssue({ code: 'custom', path: ['REDIS_CLUSTER_NODES'], message: 'is required when REDIS_CLUSTER=on' });
}

export const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

/**
 * Attachment storage (`packages/storage`'s TStorageConfig): every app that reads or writes files parses the same
 * variables, so they all point at the same folder or bucket. Spread into an app's env schema.
 */
export const storageEnvFields = {
  /** local = a folder (dev, single node); s3 = any S3-compatible store. */
  STORAGE_DRIVER: z.enum(['local', 's3']).default('local'),
  /** Folder for STORAGE_DRIVER=local (default: .data/uploads at the repository root). */
  STORAGE_LOCAL_DIR: z.string().optional(),
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_ENDPOINT: z.string().url().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional(),
  S3_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
} as const;
