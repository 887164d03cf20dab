import type { Readable } from 'node:stream';

/** A stored file as read back: a stream of its bytes and its length. */
export interface TStoredObject {
  body: Readable;
  size: number;
}

/**
 * Where attachment bytes live. The database keeps the metadata (Attachment rows); this interface only moves bytes,
 * so the local folder (dev, tests) and S3-compatible storage (production) are interchangeable.
 */
export interface TStorage {
  readonly kind: 'local' | 's3';
  put(key: string, body: Buffer, meta: { contentType: string; sha256: string }): Promise<void>;
  /**
   * Stores a stream without holding it in memory whole (the local folder writes as it reads; S3 uploads parts of
   * `S3_PART_BYTES`). If the stream fails — a size limit passed, the client went away — the call rejects with that
   * error and nothing is left under `key`, not even a partial object. Resolves with the number of bytes stored.
   */
  putStream(key: string, body: Readable, meta: { contentType: string }): Promise<{ size: number }>;
  /** null when the object does not exist. */
  get(key: string): Promise<TStoredObject | null>;
  delete(key: string): Promise<void>;
}

const KEY = /^[A-Za-z0-9_-]{1,128}(\/[A-Za-z0-9_-]{1,128}){0,7}$/;

/** Keys are built by us from ids and random tokens; anything else (dots, traversal, empty parts) is a bug. */
export function assertStorageKey(key: string): void {
  if (!KEY.test(key)) throw new Error(`invalid storage key: ${JSON.stringify(key.slice(0, 80))}`);
}
