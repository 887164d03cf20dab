import { z } from 'zod';
import { envFields, parseEnv } from '@pocketping/core';

const ZWorkerEnv = z.object({
  NODE_ENV: envFields.NODE_ENV,
  LOG_LEVEL: envFields.LOG_LEVEL,
  DATABASE_URL: envFields.DATABASE_URL,
  REDIS_URL: envFields.REDIS_URL,
  REDIS_PREFIX: envFields.REDIS_PREFIX,
  ENCRYPTION_KEY: envFields.ENCRYPTION_KEY,
  TELEGRAM_API_ROOT: envFields.TELEGRAM_API_ROOT,
  SLACK_API_URL: envFields.SLACK_API_URL,
  DISCORD_API_URL: envFields.DISCORD_API_URL,
  OPENAI_BASE_URL: envFields.OPENAI_BASE_URL,
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(50),
  /** How often the outbox sweeper looks for rows whose job was lost (ms). */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(200).max(600_000).default(5_000),
});
export type TWorkerEnv = z.infer<typeof ZWorkerEnv>;

export function loadEnv(source: Record<string, string | undefined> = process.env): TWorkerEnv {
  return parseEnv(ZWorkerEnv, source, 'worker');
}
