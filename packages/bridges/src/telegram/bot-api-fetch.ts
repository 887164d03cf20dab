import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';

/** What grammY's ApiClient passes to `fetch` and reads back (client.js: `fetch(url, options).then((r) => r.json())`). */
export interface TBotApiRequestInit {
  method?: string;
  headers?: Record<string, string>;
  /** A JSON string, or the multipart stream grammY builds for uploads. */
  body?: string | Readable;
  signal?: AbortSignal | null;
}
export interface TBotApiResponse {
  readonly status: number;
  readonly ok: boolean;
  json(): Promise<unknown>;
  text(): Promise<string>;
}

/** Bot API answers are small JSON documents; anything larger is not a Bot API answer. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/**
 * The `fetch` grammY's Api uses for the Bot API: one `http(s).request` over the shared keep-alive agent, the body
 * written as is (a JSON string, or piped from grammY's multipart stream), the answer read whole and parsed on
 * `json()`. It replaces node-fetch (grammY's default on Node), whose Request/Headers/Body machinery was the largest
 * client-side cost per delivery in the worker's CPU profile (bench/README.md). Honours grammY's abort signal (its
 * timeout) and fails like a network error on a broken connection, which grammY turns into an HttpError.
 */
export function createBotApiFetch(
  agent: HttpAgent | HttpsAgent,
): (url: string | URL, init?: TBotApiRequestInit) => Promise<TBotApiResponse> {
  return (url, init = {}) =>
    new Promise<TBotApiResponse>((resolve, reject) => {
      const target = typeof url === 'string' ? new URL(url) : url;
      const signal = init.signal ?? undefined;
      if (signal?.aborted) return reject(abortError(signal));
      const body = init.body;
      const headers: Record<string, string> = { ...init.headers };
      if (typeof body === 'string') headers['content-length'] = String(Buffer.byteLength(body));
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(target, { method: init.method ?? 'GET', headers, agent });
      const onAbort = () => req.destroy(abortError(signal));
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      req.once('error', (err) => {
        done();
        reject(err);
      });
      req.once('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES)
            return req.destroy(new Error(`Bot API answer larger than ${MAX_RESPONSE_BYTES} bytes`));
          chunks.push(c);
        });
        res.once('error', (err) => {
          done();
          reject(err);
        });
        res.once('end', () => {
          done();
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          resolve({
            status,
            ok: status >= 200 && status < 300,
            json: async () => JSON.parse(text) as unknown,
            text: async () => text,
          });
        });
      });
      if (body instanceof Readable) {
        body.once('error', (err) => req.destroy(err));
        body.pipe(req);
      } else {
        req.end(body);
      }
    });
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  return err;
}
