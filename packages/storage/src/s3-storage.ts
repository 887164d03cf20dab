import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { assertStorageKey, type TStorage } from './storage.js';

export interface TS3StorageConfig {
  bucket: string;
  region: string;
  /** S3-compatible endpoint (R2, MinIO, …); omit for AWS. */
  endpoint?: string | undefined;
  accessKeyId: string;
  secretAccessKey: string;
  /** Path-style URLs (MinIO and most self-hosted stores need it). */
  forcePathStyle?: boolean | undefined;
  /** Prefix of every key in the bucket, e.g. "attachments". */
  keyPrefix?: string | undefined;
}

/** Attachment bytes in S3-compatible object storage through the official SDK (endpoint override for non-AWS stores). */
export function createS3Storage(cfg: TS3StorageConfig): TStorage {
  const client = new S3Client({
    region: cfg.region,
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
    forcePathStyle: cfg.forcePathStyle ?? Boolean(cfg.endpoint),
    credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey },
    // Bodies are Buffers of known length: a plain Content-Length upload works on every S3-compatible store,
    // where the SDK's default streaming checksums (aws-chunked) do not.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const full = (key: string) => {
    assertStorageKey(key);
    return cfg.keyPrefix ? `${cfg.keyPrefix.replace(/\/+$/, '')}/${key}` : key;
  };
  return {
    kind: 's3',
    async put(key, body, meta) {
      await client.send(new PutObjectCommand({
        Bucket: cfg.bucket,
        Key: full(key),
        Body: body,
        ContentLength: body.length,
        ContentType: meta.contentType,
        // Served only through our signed route: the object itself is never public.
        Metadata: { sha256: meta.sha256 },
      }));
    },
    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: cfg.bucket, Key: full(key) }));
        if (!out.Body) return null;
        const body = out.Body instanceof Readable ? out.Body : Readable.from(await out.Body.transformToByteArray());
        return { body, size: Number(out.ContentLength ?? 0) };
      } catch (err) {
        if (err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404)) return null;
        throw err;
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: cfg.bucket, Key: full(key) }));
    },
  };
}
