import { createLocalStorage, createS3Storage, type TStorage } from '@pocketping/storage';
import type { TWorkerEnv } from './env.js';

/**
 * The attachment storage, configured like apps/realtime's (same variables, same default folder), so files the
 * worker stores from a platform are served by realtime and widget uploads are read here.
 */
export function createStorageFromEnv(env: TWorkerEnv, defaultLocalDir: string): TStorage {
  if (env.STORAGE_DRIVER === 's3') {
    for (const name of ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
      if (!env[name]) throw new Error(`worker: ${name} is required when STORAGE_DRIVER=s3`);
    }
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
