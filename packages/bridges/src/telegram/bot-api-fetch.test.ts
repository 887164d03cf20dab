import { createServer, Agent, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, GrammyError, HttpError, InputFile, type ApiClientOptions } from 'grammy';
import { createBotApiFetch } from './bot-api-fetch.js';

// The Bot API fetch against a plain HTTP server: what it sends (method, headers, JSON or multipart body over one
// keep-alive connection) and how it fails (grammY's timeout, a non-JSON answer, a dropped connection).
describe('createBotApiFetch', () => {
  let server: Server;
  let base: string;
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string; socket: number }[] = [];
  const sockets = new Map<unknown, number>();
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const fetch = createBotApiFetch(agent);
  const api = (timeoutSeconds = 5) =>
    new Api('123:abc', { apiRoot: base, timeoutSeconds, fetch: fetch as unknown as ApiClientOptions['fetch'] });

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size + 1);
        seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          socket: sockets.get(req.socket)!,
        });
        if (req.url?.endsWith('/getMe'))
          return res.end(
            JSON.stringify({ ok: true, result: { id: 1, is_bot: true, first_name: 'B', username: 'b_bot' } }),
          );
        if (req.url?.endsWith('/sendMessage'))
          return res
            .writeHead(400, { 'content-type': 'application/json' })
            .end(JSON.stringify({ ok: false, error_code: 400, description: 'Bad Request: chat not found' }));
        if (req.url?.endsWith('/sendDocument'))
          return res.end(
            JSON.stringify({ ok: true, result: { message_id: 7, date: 1, chat: { id: 1, type: 'private' } } }),
          );
        if (req.url?.endsWith('/getChat'))
          return res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>');
        if (req.url?.endsWith('/close')) return req.socket.destroy();
        // getUpdates: never answers (the timeout test).
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('POSTs the JSON payload with its length and reuses one connection; an error answer becomes a GrammyError', async () => {
    seen.length = 0;
    expect(await api().getMe()).toMatchObject({ username: 'b_bot' });
    expect(await api().getMe()).toMatchObject({ id: 1 });
    const err = await api()
      .sendMessage(42, 'hé <b>x</b>')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GrammyError);
    expect(err).toMatchObject({ error_code: 400, description: 'Bad Request: chat not found' });
    const send = seen.find((s) => s.url.endsWith('/sendMessage'))!;
    expect(send.method).toBe('POST');
    expect(send.headers['content-type']).toBe('application/json');
    expect(Number(send.headers['content-length'])).toBe(Buffer.byteLength(send.body));
    expect(JSON.parse(send.body)).toEqual({ chat_id: 42, text: 'hé <b>x</b>' });
    expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
  });

  it('streams a multipart upload (file bytes intact)', async () => {
    seen.length = 0;
    const bytes = Buffer.from('%PDF-1.4 binary \u0000\u00ff payload');
    const sent = await api().sendDocument(1, new InputFile(Readable.from([bytes]), 'a.pdf'));
    expect(sent.message_id).toBe(7);
    const req = seen[0]!;
    expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(req.body).toContain('filename=a.pdf');
    expect(req.body).toContain('%PDF-1.4 binary');
  });

  it('fails as grammY expects: a non-JSON 502, a dropped connection, and the timeout', async () => {
    await expect(api().getChat(1)).rejects.toBeInstanceOf(HttpError);
    await expect(api().raw.close()).rejects.toBeInstanceOf(HttpError);
    const started = Date.now();
    const timedOut = await api(1)
      .getUpdates()
      .catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(HttpError);
    expect(String((timedOut as HttpError).error)).toMatch(/timed out|abort/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
