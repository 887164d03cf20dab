import { createLocalStorage } from './local-storage.js';
import { createS3Storage } from './s3-storage.js';
import type { TStorage } from './storage.js';

/** The storage variables every app shares (STORAGE_DRIVER, STORAGE_LOCAL_DIR, S3_*), as parsed by its env.ts. */
export interface TStorageConfig {
  STORAGE_DRIVER: 'local' | 's3';
  STORAGE_LOCAL_DIR?: string | undefined;
  S3_BUCKET?: string | undefined;
  S3_REGION: string;
  S3_ENDPOINT?: string | undefined;
  S3_ACCESS_KEY_ID?: string | undefined;
  S3_SECRET_ACCESS_KEY?: string | undefined;
  S3_FORCE_PATH_STYLE?: boolean | undefined;
  S3_KEY_PREFIX?: string | undefined;
}

/**
 * The attachment storage the config asks for. Realtime and worker build it the same way (same variables, same
 * default folder), so files the worker stores are served by realtime and widget uploads are read by the worker.
 */
export function createStorageFromConfig(cfg: TStorageConfig, defaultLocalDir: string, appName: string): TStorage {
  if (cfg.STORAGE_DRIVER === 's3') {
    for (const name of ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
      if (!cfg[name]) throw new Error(`${appName}: ${name} is required when STORAGE_DRIVER=s3`);
    }
    return createS3Storage({
      bucket: cfg.S3_BUCKET ?? '',
      region: cfg.S3_REGION,
      endpoint: cfg.S3_ENDPOINT,
      accessKeyId: cfg.S3_ACCESS_KEY_ID ?? '',
      secretAccessKey: cfg.S3_SECRET_ACCESS_KEY ?? '',
      forcePathStyle: cfg.S3_FORCE_PATH_STYLE,
      keyPrefix: cfg.S3_KEY_PREFIX,
    });
  }
  return createLocalStorage(cfg.STORAGE_LOCAL_DIR ?? defaultLocalDir);
}
