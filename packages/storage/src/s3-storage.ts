import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
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
  /** Part size of streamed uploads (the memory one upload holds); S3 requires at least 5 MiB for all parts but the last. */
  partBytes?: number | undefined;
}

/** S3's smallest part (all parts of a multipart upload but the last). */
export const S3_MIN_PART_BYTES = 5 * 1024 * 1024;

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
      await client.send(
        new PutObjectCommand({
          Bucket: cfg.bucket,
          Key: full(key),
          Body: body,
          ContentLength: body.length,
          ContentType: meta.contentType,
          // Served only through our signed route: the object itself is never public.
          Metadata: { sha256: meta.sha256 },
        }),
      );
    },
    async putStream(key, body, meta) {
      const Key = full(key);
      const partBytes = Math.max(cfg.partBytes ?? S3_MIN_PART_BYTES, S3_MIN_PART_BYTES);
      // A stream has no length up front and aws-chunked uploads do not work on every S3-compatible store: the body
      // is cut into parts of known length. A body that fits in one part is one plain PUT; a longer one a multipart
      // upload, aborted (parts dropped by the store) if the stream fails.
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let size = 0;
      let uploadId: string | undefined;
      const parts: { ETag: string; PartNumber: number }[] = [];
      const flushPart = async () => {
        const part = Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        if (!uploadId) {
          const created = await client.send(
            new CreateMultipartUploadCommand({ Bucket: cfg.bucket, Key, ContentType: meta.contentType }),
          );
          if (!created.UploadId) throw new Error('S3 CreateMultipartUpload answered no UploadId');
          uploadId = created.UploadId;
        }
        const PartNumber = parts.length + 1;
        const out = await client.send(
          new UploadPartCommand({
            Bucket: cfg.bucket,
            Key,
            UploadId: uploadId,
            PartNumber,
            Body: part,
            ContentLength: part.length,
          }),
        );
        parts.push({ ETag: out.ETag ?? '', PartNumber });
      };
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          size += chunk.length;
          pending.push(chunk);
          pendingBytes += chunk.length;
          if (pendingBytes >= partBytes) await flushPart();
        }
        if (!uploadId) {
          const whole = Buffer.concat(pending, pendingBytes);
          await client.send(
            new PutObjectCommand({
              Bucket: cfg.bucket,
              Key,
              Body: whole,
              ContentLength: whole.length,
              ContentType: meta.contentType,
            }),
          );
          return { size };
        }
        if (pendingBytes > 0) await flushPart();
        await client.send(
          new CompleteMultipartUploadCommand({
            Bucket: cfg.bucket,
            Key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
          }),
        );
        return { size };
      } catch (err) {
        if (uploadId) {
          await client
            .send(new AbortMultipartUploadCommand({ Bucket: cfg.bucket, Key, UploadId: uploadId }))
            .catch(() => undefined);
        }
        body.destroy();
        throw err;
      }
    },
    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: cfg.bucket, Key: full(key) }));
        if (!out.Body) return null;
        const body = out.Body instanceof Readable ? out.Body : Readable.from(await out.Body.transformToByteArray());
        return { body, size: Number(out.ContentLength ?? 0) };
      } catch (err) {
        if (err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404))
          return null;
        throw err;
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: cfg.bucket, Key: full(key) }));
    },
  };
}
