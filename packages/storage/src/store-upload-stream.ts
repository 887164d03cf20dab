import { createHash } from 'node:crypto';
import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';
import { limitBytes } from '@pocketping/core';
import { createTextCheck, sniffContentType } from './sniff-content-type.js';
import type { TStorage } from './storage.js';

/** Enough for every signature the allowlist knows, and for the start of a text file. */
const SNIFF_BYTES = 4096;

export type TStoredUpload =
  { ok: true; size: number; sha256: string; contentType: string } | { ok: false; reason: 'type' };

class NotPlainText extends Error {}

/**
 * Streams an uploaded file to storage under `key`, never holding more than a chunk (or an S3 part) of it: the type is
 * sniffed from the first bytes (refused types are not stored at all: `{ok:false, reason:'type'}`), the SHA-256 and the
 * size are computed on the way, and a file over `maxBytes` fails with `payload_too_large` the moment the limit is
 * passed, with the partial object removed by `putStream`. Text files are checked to the last byte while they stream.
 */
export async function storeUploadStream(
  storage: TStorage,
  key: string,
  source: Readable,
  opts: { fileName: string; maxBytes: number },
): Promise<TStoredUpload> {
  const { head, rest, complete } = await peek(source, SNIFF_BYTES);
  const sniffed = sniffContentType(head, opts.fileName, { complete });
  if (!sniffed) {
    rest.destroy();
    return { ok: false, reason: 'type' };
  }
  const hash = createHash('sha256');
  const text = sniffed.contentType.startsWith('text/') ? createTextCheck() : null;
  const inspect = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      hash.update(chunk);
      if (text && !text.push(chunk)) {
        cb(new NotPlainText());
        return;
      }
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      cb(text && !text.end() ? new NotPlainText() : null);
    },
  });
  const limited = rest.pipe(limitBytes(opts.maxBytes, 'The file'));
  // pipe() does not carry errors along: whichever stage fails, the stream handed to storage fails with that error.
  // The first failure is also kept here: storage may attach its listeners only after an await, and may then report
  // the stream as closed early rather than with its cause.
  let failure: unknown = null;
  const failWith = (err: unknown) => {
    failure ??= err;
    inspect.destroy(err instanceof Error ? err : new Error(String(err)));
  };
  rest.on('error', (err) => limited.destroy(err));
  limited.on('error', failWith);
  inspect.on('error', (err) => {
    failure ??= err;
  });
  try {
    const { size } = await storage.putStream(key, limited.pipe(inspect), { contentType: sniffed.contentType });
    return { ok: true, size, sha256: hash.digest('hex'), contentType: sniffed.contentType };
  } catch (err) {
    rest.destroy();
    const cause = failure ?? err;
    if (cause instanceof NotPlainText) return { ok: false, reason: 'type' };
    throw cause;
  }
}

/**
 * The first `n` bytes of a stream (fewer if it ends first) and a stream of all of it, those bytes included. Destroying
 * `rest` (a refusal) discards what is left of the source instead of leaving its producer blocked (a multipart parser
 * waits until its file stream is read).
 */
function peek(source: Readable, n: number): Promise<{ head: Buffer; rest: Readable; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const done = (complete: boolean) => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onError);
      source.pause();
      const first = Buffer.concat(chunks, got);
      const rest = new PassThrough();
      rest.write(first);
      if (complete) rest.end();
      else {
        source.pipe(rest);
        source.once('error', (err) => rest.destroy(err));
        rest.once('close', () => {
          source.unpipe(rest);
          if (!source.readableEnded) source.resume();
        });
      }
      resolve({ head: first.subarray(0, n), rest, complete });
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= n) done(false);
    };
    const onEnd = () => done(true);
    const onError = (err: Error) => {
      source.off('data', onData);
      source.off('end', onEnd);
      reject(err);
    };
    source.on('data', onData);
    source.once('end', onEnd);
    source.once('error', onError);
  });
}
