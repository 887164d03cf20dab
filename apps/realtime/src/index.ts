// apps/realtime — Socket.IO service for widget sessions, the widget bundle and attachment uploads.
import { fileURLToPath } from 'node:url';
import { createLogger, exitOnSignals, parseKeyRing } from '@pocketping/core';
import { redisConfigFromEnv } from '@pocketping/jobs';
import { loadEnv } from './env.js';
import { startRealtimeServer } from './server.js';
import { createStorageFromConfig } from '@pocketping/storage';

const env = loadEnv();
const log = createLogger('realtime', env.LOG_LEVEL);
const widgetDistDir = env.WIDGET_DIST_DIR ?? fileURLToPath(new URL('../../widget/dist/', import.meta.url));

const server = await startRealtimeServer({
  databaseUrl: env.DATABASE_URL,
  redis: redisConfigFromEnv(env),
  port: env.REALTIME_PORT,
  host: env.REALTIME_HOST,
  widgetDistDir,
  keyRing: parseKeyRing(env.ENCRYPTION_KEY),
  authSecret: env.AUTH_SECRET,
  publicUrl: env.REALTIME_PUBLIC_URL,
  storage: createStorageFromConfig(env, fileURLToPath(new URL('../../../.data/uploads/', import.meta.url)), 'realtime'),
  fileUrlTtlSeconds: env.FILE_URL_TTL_SECONDS,
  visitorLeftDelayMs: env.VISITOR_LEFT_DELAY_MS,
  presenceCheckMs: env.PRESENCE_CHECK_MS,
  connectionLimits: {
    perIp: env.WIDGET_CONNECTIONS_PER_IP_PER_MIN,
    perProject: env.WIDGET_CONNECTIONS_PER_PROJECT_PER_MIN,
  },
  eventLimitScale: env.WIDGET_EVENT_LIMIT_SCALE,
  trustProxyHops: env.TRUST_PROXY_HOPS,
  ...(env.MIGRATIONS_DIR ? { migrationsDir: env.MIGRATIONS_DIR } : {}),
  ...(env.METRICS_TOKEN ? { metricsToken: env.METRICS_TOKEN } : {}),
  orphanUploads: { intervalMs: env.ORPHAN_UPLOAD_SWEEP_MS, olderThanMs: env.ORPHAN_UPLOAD_MAX_AGE_MS },
  log,
});
log.info({ port: server.port, storage: env.STORAGE_DRIVER }, 'realtime listening');

// SIGTERM: clients move to another node (they resume by seq), the events being handled finish, then the pools close.
exitOnSignals(
  log,
  async () => {
    await server.drain(env.SHUTDOWN_GRACE_MS);
    await server.close();
  },
  env.SHUTDOWN_GRACE_MS + 5_000,
);
