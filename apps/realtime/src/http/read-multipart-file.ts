import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { AppError, limitBytes } from '@pocketping/core';

/** Multipart framing around the file (boundaries, part headers, a few small fields) on top of the file's own cap. */
export const FRAMING_BYTES = 64 * 1024;

/**
 * Hands the multipart field `file` to `onFile` as a stream, as it arrives — nothing is buffered here. The whole body
 * goes through the shared size-limited reader (`limitBytes`: the file's cap plus framing, counted as it streams,
 * whatever Content-Length says); `onFile` enforces the file's own cap. Other fields and extra files are discarded.
 * Settles with `onFile`'s answer, or with the first failure (over a limit, malformed, no `file` field), after which
 * the request is no longer read here — the caller answers and then `discardRestOfBody`.
 */
export function readMultipartFile<T>(
  req: IncomingMessage,
  maxFileBytes: number,
  onFile: (name: string, stream: Readable) => Promise<T>,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: { files: 1, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 50 },
      });
    } catch {
      reject(new AppError('bad_request', 'Expected a multipart/form-data body with a `file` field'));
      return;
    }
    const counted = limitBytes(maxFileBytes + FRAMING_BYTES, 'The upload');
    let fileStream: Readable | null = null;
    let handled: Promise<T> | null = null;
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      req.unpipe(counted);
      counted.unpipe(bb);
      req.pause();
      // The file's consumer (storage) sees the same failure and removes what it wrote.
      if (fileStream && !fileStream.destroyed) fileStream.destroy(err instanceof Error ? err : new Error(String(err)));
      reject(err);
    };

    bb.on('file', (field, stream, info) => {
      if (field !== 'file' || handled !== null) {
        stream.resume();
        return;
      }
      fileStream = stream;
      handled = onFile(info.filename ?? '', stream);
      handled.then((value) => {
        if (settled) return;
        settled = true;
        resolve(value);
      }, fail);
    });
    bb.on('error', () => fail(new AppError('bad_request', 'Malformed multipart body')));
    bb.on('close', () => {
      if (!handled) fail(new AppError('bad_request', 'No `file` field in the upload'));
    });
    counted.on('error', fail);
    req.on('error', () => fail(new AppError('bad_request', 'The upload was interrupted')));
    // The client went away mid-body: the file's consumer must not wait for bytes that will never come.
    req.on('close', () => {
      if (!req.complete) fail(new AppError('bad_request', 'The upload was interrupted'));
    });
    req.pipe(counted).pipe(bb);
  });
}

/**
 * After an early answer (401, 413, 415…) the rest of the body is read and dropped, at most `graceBytes` more: a
 * browser shows the answer only once it has sent its upload, so an honest client within the cap gets it on a clean
 * connection, and one that keeps sending past `graceBytes` is cut off. Nothing of it is kept in memory.
 */
export function discardRestOfBody(req: IncomingMessage, res: ServerResponse, graceBytes: number): void {
  if (req.complete) return;
  res.once('finish', () => {
    const rest = limitBytes(graceBytes);
    rest.on('error', () => req.socket.destroy());
    // Read and dropped: only the count matters.
    req.pipe(rest).resume();
  });
}
