import { createLocalStorage, createS3Storage, type TStorage } from '@pocketping/storage';
import type { TRealtimeEnv } from './env.js';

/** The attachment storage the env asks for (env.ts has already checked that S3 settings are complete). */
export function createStorageFromEnv(env: TRealtimeEnv, defaultLocalDir: string): TStorage {
  if (env.STORAGE_DRIVER === 's3') {
    return createS3Storage({
      bucket: env.S3_BUCKET ?? '',
      region: env.S3_REGION,
      endpoint: env.S3_ENDPOINT,
      accessKeyId: env.S3_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? '',
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
      keyPrefix: env.S3_KEY_PREFIX,
    });
  }
  return createLocalStorage(env.STORAGE_LOCAL_DIR ?? defaultLocalDir);
}
