import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from './app-error.js';
import { limitBytes, readBodyWithLimit, readTextWithLimit } from './read-body-with-limit.js';

const MB = 1024 * 1024;

/** A body produced only as fast as it is read, without Content-Length; `pulled()` = bytes the reader asked for. */
function pulledBody(total: number, chunk = 64 * 1024) {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(c) {
        if (pulled >= total) return c.close();
        const n = Math.min(chunk, total - pulled);
        pulled += n;
        c.enqueue(new Uint8Array(n).fill(0x61));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => pulled };
}

const webRequest = (body: ReadableStream<Uint8Array> | string, headers: Record<string, string> = {}) =>
  new Request('http://x/', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);

describe('readBodyWithLimit — web Request', () => {
  it('stops reading a chunked body at the limit: 413, and only the limit (plus one chunk) was ever pulled', async () => {
    const body = pulledBody(50 * MB);
    const err = await readBodyWithLimit(webRequest(body.stream), 64 * 1024).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('payload_too_large');
    expect((err as AppError).status).toBe(413);
    expect((err as AppError).message).toMatch(/64 KB/);
    expect(body.pulled()).toBeLessThanOrEqual(2 * 64 * 1024);
  });

  it('returns a body of exactly the limit, and refuses a declared length over it before reading', async () => {
    expect((await readBodyWithLimit(webRequest('x'.repeat(1000)), 1000)).length).toBe(1000);
    expect(await readTextWithLimit(webRequest('héllo'), 100)).toBe('héllo');
    const body = pulledBody(10 * MB);
    await expect(
      readBodyWithLimit(webRequest(body.stream, { 'content-length': String(10 * MB) }), 1000),
    ).rejects.toMatchObject({ code: 'payload_too_large' });
    expect(body.pulled()).toBe(0);
  });

  it('does not believe a small Content-Length: the count decides', async () => {
    const req = new Request('http://x/', { method: 'POST', body: 'y'.repeat(5000) });
    // A lying header cannot be set on a fetch Request; the reader ignores it anyway, so a bigger real body is refused.
    await expect(readBodyWithLimit(req, 4999)).rejects.toMatchObject({ code: 'payload_too_large' });
  });
});

describe('readBodyWithLimit — Node IncomingMessage', () => {
  let server: Server;
  let url: string;
  const seen: { bytesRead: number; answer: string }[] = [];
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      void readBodyWithLimit(req, MB).then(
        (b) => {
          seen.push({ bytesRead: b.length, answer: 'ok' });
          res.writeHead(200).end(String(b.length));
        },
        (err: AppError) => {
          seen.push({ bytesRead: -1, answer: err.code });
          res.writeHead(err.status, { connection: 'close' }).end(err.message);
        },
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('answers 413 to a 50 MB chunked body long before the client has sent it', async () => {
    const result = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } });
      let sent = 0;
      let answered = false;
      const chunk = Buffer.alloc(64 * 1024, 0x62);
      req.on('response', (res) => {
        answered = true;
        res.resume();
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, sent });
          req.destroy();
        });
      });
      req.on('error', (e) => {
        if (!answered) reject(e);
      });
      const write = () => {
        while (!answered && sent < 50 * MB) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', write);
        }
        if (!answered) req.end();
      };
      write();
    });
    expect(result.status).toBe(413);
    expect(result.sent).toBeLessThan(50 * MB);
    expect(seen.at(-1)?.answer).toBe('payload_too_large');
  });

  it('reads a body within the limit', async () => {
    const res = await fetch(url, { method: 'POST', body: 'z'.repeat(4096) });
    expect(await res.text()).toBe('4096');
  });
});

describe('limitBytes', () => {
  it('passes bytes up to the limit and fails on the first chunk past it, without passing that chunk on', async () => {
    let through = 0;
    const sink = new Writable({
      write(c: Buffer, _e, cb) {
        through += c.length;
        cb();
      },
    });
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < 1000; i++) yield Buffer.alloc(1024);
      })(),
    );
    await expect(pipeline(source, limitBytes(10 * 1024), sink)).rejects.toMatchObject({ code: 'payload_too_large' });
    expect(through).toBe(10 * 1024);
  });
});
