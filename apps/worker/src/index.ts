// apps/worker — BullMQ runtime: bridge delivery, inbound processing, outbox sweeper.
import { createLogger, exitOnSignals, parseKeyRing } from '@pocketping/core';
import { loadEnv } from './env.js';
import { startWorker } from './runtime.js';

const env = loadEnv();
const log = createLogger('worker', env.LOG_LEVEL);

const worker = await startWorker({
  databaseUrl: env.DATABASE_URL,
  redis: { url: env.REDIS_URL, prefix: env.REDIS_PREFIX },
  keyRing: parseKeyRing(env.ENCRYPTION_KEY),
  bridges: { telegram: { apiRoot: env.TELEGRAM_API_ROOT } },
  concurrency: env.WORKER_CONCURRENCY,
  sweepIntervalMs: env.SWEEP_INTERVAL_MS,
  log,
});
log.info({ concurrency: env.WORKER_CONCURRENCY }, 'worker started');

exitOnSignals(log, () => worker.close(), 10_000);
