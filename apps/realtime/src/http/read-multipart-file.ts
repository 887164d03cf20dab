import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { AppError } from '@pocketping/core';

export interface TUploadedFile {
  name: string;
  bytes: Buffer;
}

/** A file name safe to store and to put in a Content-Disposition header: no path, no control characters, bounded. */
export function cleanFileName(raw: string | undefined, max: number): string {
  // eslint-disable-next-line no-control-regex
  const base = (raw ?? '').split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f"]/g, '').trim();
  return (base || 'file').slice(0, max);
}

/**
 * Reads the multipart field `file` into memory, refusing more than `maxBytes` (payload_too_large) — the cap is
 * enforced while streaming, never after buffering everything. Other fields and extra files are ignored. A body
 * that keeps coming far beyond the cap (no Content-Length, a hostile client) is cut off.
 */
export function readMultipartFile(req: IncomingMessage, maxBytes: number): Promise<TUploadedFile> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes + 1, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 50 } });
    } catch {
      reject(new AppError('bad_request', 'Expected a multipart/form-data body with a `file` field'));
      return;
    }
    // busboy flags a file as truncated when it *reaches* fileSize, so the limit is one byte above the cap: a file
    // of exactly maxBytes passes, one byte more is refused.
    let file: TUploadedFile | null = null;
    let tooLarge = false;
    let settled = false;
    const fail = (err: AppError) => {
      if (settled) return;
      settled = true;
      req.unpipe(bb);
      reject(err);
    };

    let received = 0;
    const hardCap = maxBytes + 1024 * 1024;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > hardCap && !settled) {
        fail(new AppError('payload_too_large', `Files are limited to ${Math.round(maxBytes / 1024 / 1024)} MB`));
      }
    });

    bb.on('file', (field, stream, info) => {
      if (field !== 'file' || file !== null) {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => {
        tooLarge = true;
        chunks.length = 0;
      });
      stream.on('close', () => {
        if (!tooLarge) file = { name: info.filename ?? '', bytes: Buffer.concat(chunks) };
      });
    });
    bb.on('error', () => fail(new AppError('bad_request', 'Malformed multipart body')));
    bb.on('close', () => {
      if (settled) return;
      settled = true;
      if (tooLarge) reject(new AppError('payload_too_large', `Files are limited to ${Math.round(maxBytes / 1024 / 1024)} MB`));
      else if (!file) reject(new AppError('bad_request', 'No `file` field in the upload'));
      else resolve(file);
    });
    req.pipe(bb);
  });
}
