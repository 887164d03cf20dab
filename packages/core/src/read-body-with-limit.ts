import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from './app-error.js';

/**
 * The one way request bodies are read, in every app. Bytes are counted as they arrive and reading stops at the first
 * chunk past the limit, so memory never grows with what a client sends: a chunked body carries no Content-Length, and
 * a Content-Length can lie. A declared length over the limit is refused before a byte is read (saves the transfer);
 * a declared length under it is never relied upon.
 */

/** What a body over `limit` bytes answers: 413 `payload_too_large`, naming the limit. */
export function bodyTooLarge(limit: number, what = 'The request body'): AppError {
  return new AppError(
    'payload_too_large',
    `${what} is larger than this endpoint accepts (${formatBytes(limit)} at most).`,
    { limitBytes: limit },
  );
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024 && n % (1024 * 1024 * 1024) === 0) return `${n / (1024 * 1024 * 1024)} GB`;
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

/** A Content-Length already over the limit; absent, malformed or within the limit → false (then the count decides). */
export function declaresTooLarge(contentLength: string | string[] | null | undefined, limit: number): boolean {
  const raw = Array.isArray(contentLength) ? contentLength[0] : contentLength;
  if (raw === null || raw === undefined || raw === '') return false;
  const n = Number(raw);
  return Number.isFinite(n) && n > limit;
}

type TBodySource = Request | IncomingMessage;

function isWebRequest(source: TBodySource): source is Request {
  return typeof (source as Request).headers?.get === 'function';
}

/**
 * Reads a whole request body (a web `Request` or Node's `IncomingMessage`) into a Buffer of at most `limit` bytes;
 * past it, throws `bodyTooLarge(limit)` at once without reading further. A web stream is cancelled; a Node request
 * is paused and left to the caller, which answers 413 and closes the connection (`connection: close`) instead of
 * draining the rest.
 */
export async function readBodyWithLimit(source: TBodySource, limit: number): Promise<Buffer> {
  if (isWebRequest(source)) {
    if (declaresTooLarge(source.headers.get('content-length'), limit)) throw bodyTooLarge(limit);
    return readWebStream(source.body, limit);
  }
  if (declaresTooLarge(source.headers['content-length'], limit)) throw bodyTooLarge(limit);
  return readNodeStream(source, limit);
}

/** `readBodyWithLimit` decoded as UTF-8 (what signatures and JSON parsers want). */
export async function readTextWithLimit(source: TBodySource, limit: number): Promise<string> {
  return (await readBodyWithLimit(source, limit)).toString('utf8');
}

async function readWebStream(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        throw bodyTooLarge(limit);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks, size);
}

function readNodeStream(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(bodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new AppError('bad_request', `The request body could not be read: ${err.message}`));
    };
    const onAborted = () => onError(new Error('the client went away'));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('aborted', onAborted);
  });
}

/**
 * For bodies consumed as a stream (multipart uploads): a pass-through that counts bytes and fails with
 * `bodyTooLarge(limit)` on the first chunk past `limit`, before handing it on — `req.pipe(limitBytes(n)).pipe(parser)`.
 * `bytesRead` says how much went through.
 */
export function limitBytes(limit: number, what?: string): Transform & { readonly bytesRead: number } {
  let bytesRead = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      bytesRead += chunk.length;
      if (bytesRead > limit) {
        cb(bodyTooLarge(limit, what));
        return;
      }
      cb(null, chunk);
    },
  });
  return Object.defineProperty(t, 'bytesRead', { get: () => bytesRead }) as Transform & { readonly bytesRead: number };
}
