// apps/realtime — Socket.IO service for widget sessions.
import { fileURLToPath } from 'node:url';
import { createLogger, exitOnSignals } from '@pocketping/core';
import { loadEnv } from './env.js';
import { startRealtimeServer } from './server.js';

const env = loadEnv();
const log = createLogger('realtime', env.LOG_LEVEL);
const widgetDistDir = env.WIDGET_DIST_DIR ?? fileURLToPath(new URL('../../widget/dist/', import.meta.url));

const server = await startRealtimeServer({
  databaseUrl: env.DATABASE_URL,
  redis: { url: env.REDIS_URL, prefix: env.REDIS_PREFIX },
  port: env.REALTIME_PORT,
  host: env.REALTIME_HOST,
  widgetDistDir,
  log,
});
log.info({ port: server.port }, 'realtime listening');

exitOnSignals(log, () => server.close(), 5_000);
