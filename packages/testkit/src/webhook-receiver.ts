import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  headers: IncomingHttpHeaders;
  body: string;
  path: string;
  /** ms since the epoch when it arrived. */
  at: number;
  /** The status this receiver answered. */
  answered: number;
}

export interface TWebhookReceiver {
  url: string;
  port: number;
  received: TReceivedWebhook[];
  /** How the next requests are answered: a status per request, then `fallback` (default 200). */
  answerNext(statuses: readonly number[]): void;
  fallback: number;
  /** Forgets the statuses queued by answerNext. */
  reset(): void;
  /** Delay before answering (ms), to hold a request in flight. */
  delayMs: number;
  close(): Promise<void>;
}

/** A customer's webhook receiver on 127.0.0.1: records every request and answers as told. */
export async function startWebhookReceiver(): Promise<TWebhookReceiver> {
  const queue: number[] = [];
  const r: TWebhookReceiver = {
    url: '',
    port: 0,
    received: [],
    answerNext: (statuses) => void queue.push(...statuses),
    reset: () => void queue.splice(0),
    fallback: 200,
    delayMs: 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answered = queue.shift() ?? r.fallback;
      const h = req.headers;
      const finish = () => {
        r.received.push({
          id: String(h['webhook-id'] ?? ''),
          timestamp: String(h['webhook-timestamp'] ?? ''),
          signature: String(h['webhook-signature'] ?? ''),
          headers: h,
          body: Buffer.concat(chunks).toString('utf8'),
          path: req.url ?? '/',
          at: Date.now(),
          answered,
        });
        // A 3xx points at this receiver itself: a sender that followed it would be seen here.
        const location = answered >= 300 && answered < 400 ? { location: '/redirected' } : {};
        res
          .writeHead(answered, { 'content-type': 'text/plain', ...location })
          .end(answered < 300 ? 'ok' : `failing ${answered}`);
      };
      if (r.delayMs > 0) setTimeout(finish, r.delayMs);
      else finish();
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  r.port = (server.address() as AddressInfo).port;
  r.url = `http://127.0.0.1:${r.port}`;
  return r;
}
