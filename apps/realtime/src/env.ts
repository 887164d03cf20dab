import { z } from 'zod';
import { checkRedisClusterEnv, envFields, parseEnv, port, storageEnvFields } from '@pocketping/core';

const ZRealtimeEnv = z
  .object({
    NODE_ENV: envFields.NODE_ENV,
    LOG_LEVEL: envFields.LOG_LEVEL,
    DATABASE_URL: envFields.DATABASE_URL,
    REDIS_URL: envFields.REDIS_URL,
    REDIS_PREFIX: envFields.REDIS_PREFIX,
    REDIS_CLUSTER: envFields.REDIS_CLUSTER,
    REDIS_CLUSTER_NODES: envFields.REDIS_CLUSTER_NODES,
    /** Unseals project identity secrets; also the root of the file-URL signing keys. */
    ENCRYPTION_KEY: envFields.ENCRYPTION_KEY,
    /** Same value as the web app's: verifies the dashboard's realtime tokens. Unset = the /dashboard namespace refuses all. */
    AUTH_SECRET: envFields.AUTH_SECRET.optional(),
    /** Base of the signed attachment URLs handed to widgets. */
    REALTIME_PUBLIC_URL: envFields.REALTIME_PUBLIC_URL.default('http://localhost:3001'),
    REALTIME_PORT: port(3001),
    REALTIME_HOST: z.string().default('0.0.0.0'),
    MIGRATIONS_DIR: envFields.MIGRATIONS_DIR,
    METRICS_TOKEN: envFields.METRICS_TOKEN,
    SHUTDOWN_GRACE_MS: envFields.SHUTDOWN_GRACE_MS,
    /** Folder of the built widget (loader.js + chunks), served at /widget/*. */
    WIDGET_DIST_DIR: z.string().optional(),
    /** Attachment storage: the same variables as web, realtime and worker (all must point at the same place). */
    ...storageEnvFields,
    /** Lifetime of a signed attachment URL (history re-signs them, so short is fine). */
    FILE_URL_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(30)
      .max(7 * 24 * 3600)
      .default(3600),
    /** How long a visitor's last socket must stay closed before the inbox notes "Visitor left" (never posted to the chat apps). */
    VISITOR_LEFT_DELAY_MS: z.coerce
      .number()
      .int()
      .min(100)
      .max(24 * 3600_000)
      .default(60_000),
    /**
     * New widget connections allowed per minute from one address (IPv6: one /64; a big office NAT needs more) / of NEW
     * visitors to one project (a circuit breaker: returning visitors are never refused by it).
     */
    WIDGET_CONNECTIONS_PER_IP_PER_MIN: z.coerce.number().int().min(1).default(60),
    WIDGET_CONNECTIONS_PER_PROJECT_PER_MIN: z.coerce.number().int().min(1).default(600),
    /**
     * How many reverse proxies of your own sit in front of realtime (load balancer, CDN). 0: the socket's address is
     * the client's and X-Forwarded-For is ignored; N: the client is the address N entries from the right of
     * X-Forwarded-For + socket address. Set it only when every request passes through those proxies.
     */
    TRUST_PROXY_HOPS: envFields.TRUST_PROXY_HOPS,
    WIDGET_EVENT_LIMIT_SCALE: z.coerce.number().min(0.01).max(1_000_000).default(1),
    /** Uploads never attached to a message are deleted (row + bytes) once this old… */
    ORPHAN_UPLOAD_MAX_AGE_MS: z.coerce.number().int().min(60_000).default(3_600_000),
    /** …by a pass that runs this often on every node (0 turns it off, e.g. when another service does it). */
    ORPHAN_UPLOAD_SWEEP_MS: z.coerce.number().int().min(0).default(600_000),
    /** How often each node re-checks operator presence for the projects it serves (the switch to "away"). */
    PRESENCE_CHECK_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  })
  .superRefine((env, ctx) => {
    checkRedisClusterEnv(env, ctx);
    if (env.STORAGE_DRIVER !== 's3') return;
    for (const name of ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
      if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when STORAGE_DRIVER=s3' });
    }
  });
export type TRealtimeEnv = z.infer<typeof ZRealtimeEnv>;

export function loadEnv(source: Record<string, string | undefined> = process.env): TRealtimeEnv {
  return parseEnv(ZRealtimeEnv, source, 'realtime');
}
