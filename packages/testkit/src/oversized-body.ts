import { request } from 'node:http';

/**
 * A request body that is produced only as fast as the server reads it (highWaterMark 0: one chunk per read), with no
 * Content-Length. `pulled()` says how many bytes the server asked for: a size-limited reader stops after the limit,
 * a buffering one pulls everything.
 */
export function pulledBody(
  totalBytes: number,
  chunkBytes = 64 * 1024,
): { stream: ReadableStream<Uint8Array>; pulled(): number } {
  let pulled = 0;
  const chunk = new Uint8Array(chunkBytes).fill(0x7b);
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pulled >= totalBytes) {
          controller.close();
          return;
        }
        const n = Math.min(chunkBytes, totalBytes - pulled);
        pulled += n;
        controller.enqueue(n === chunkBytes ? chunk.slice() : chunk.slice(0, n));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => pulled };
}

/**
 * Sends `prefix` and then filler bytes as a chunked HTTP body (no Content-Length), one chunk at a time and only when
 * the socket drained, until the server answers or `totalBytes` went out. Resolves with the answer and how many body
 * bytes had been written by then: a server that refuses early answers long before the client is done.
 */
export function sendChunkedUntilAnswered(
  url: string,
  opts: { headers?: Record<string, string>; prefix?: Buffer; totalBytes: number; chunkBytes?: number },
): Promise<{ status: number; body: string; bytesSent: number; finishedSending: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...opts.headers, 'transfer-encoding': 'chunked' } });
    let bytesSent = 0;
    let answered = false;
    let finishedSending = false;
    const filler = Buffer.alloc(opts.chunkBytes ?? 64 * 1024, 0x41);
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          bytesSent,
          finishedSending,
        });
        req.destroy();
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // The server may close the connection right after its answer; only an error before any answer is a failure.
      if (!answered) reject(err);
    });
    const write = () => {
      while (!answered && bytesSent < opts.totalBytes) {
        const next = bytesSent === 0 && opts.prefix ? opts.prefix : filler;
        bytesSent += next.length;
        if (!req.write(next)) {
          req.once('drain', write);
          return;
        }
      }
      if (!answered && !finishedSending) {
        finishedSending = true;
        req.end();
      }
    };
    write();
  });
}
