import { z } from 'zod';
import { envFields, parseEnv, port } from '@pocketping/core';

const ZRealtimeEnv = z.object({
  NODE_ENV: envFields.NODE_ENV,
  LOG_LEVEL: envFields.LOG_LEVEL,
  DATABASE_URL: envFields.DATABASE_URL,
  REDIS_URL: envFields.REDIS_URL,
  REDIS_PREFIX: envFields.REDIS_PREFIX,
  REALTIME_PORT: port(3001),
  REALTIME_HOST: z.string().default('0.0.0.0'),
  /** Folder of the built widget (loader.js + chunks), served at /widget/*. */
  WIDGET_DIST_DIR: z.string().optional(),
});
export type TRealtimeEnv = z.infer<typeof ZRealtimeEnv>;

export function loadEnv(source: Record<string, string | undefined> = process.env): TRealtimeEnv {
  return parseEnv(ZRealtimeEnv, source, 'realtime');
}
