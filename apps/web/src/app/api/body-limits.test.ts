// The routes outside the tenancy wrapper read their bodies through the same size-limited reader: a chunked body
// without Content-Length is cut off at the route's limit (413), whatever the client still has to send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NextRequest } from 'next/server';
import { pulledBody } from '@pocketping/testkit';
import { setupWebTestEnv, TEST_WEB_URL, type TWebTestEnv } from '../../server/testing/web-test-env';

let env: TWebTestEnv;
beforeAll(async () => {
  env = await setupWebTestEnv();
});
afterAll(async () => env?.close());

const FIFTY_MB = 50 * 1024 * 1024;

function chunkedPost(path: string, headers: Record<string, string> = {}) {
  const body = pulledBody(FIFTY_MB);
  const req = new NextRequest(`${TEST_WEB_URL}${path}`, {
    method: 'POST',
    headers,
    body: body.stream,
    duplex: 'half',
  } as ConstructorParameters<typeof NextRequest>[1]);
  return { req, pulled: body.pulled };
}

describe('body limits outside the tenancy wrapper', () => {
  it('Telegram webhook: 413 after at most its 1 MB limit (and a chunk) was read', async () => {
    const { POST } = await import('./webhooks/[kind]/[[...path]]/route');
    const { req, pulled } = chunkedPost('/api/webhooks/telegram/cxxxxxxxxxxxxxxxxxxxxxxxx', {
      'content-type': 'application/json',
      'x-telegram-bot-api-secret-token': 'x',
    });
    const res = await POST(req, {
      params: Promise.resolve({ kind: 'telegram', path: ['cxxxxxxxxxxxxxxxxxxxxxxxx'] }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    expect(pulled()).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024);
  });

  it('Slack events and Discord interactions: 413 at their limits', async () => {
    const { POST } = await import('./webhooks/[kind]/[[...path]]/route');
    const s = chunkedPost('/api/webhooks/slack', { 'content-type': 'application/json' });
    expect((await POST(s.req, { params: Promise.resolve({ kind: 'slack' }) })).status).toBe(413);
    expect(s.pulled()).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024);
    const d = chunkedPost('/api/webhooks/discord', { 'content-type': 'application/json' });
    expect((await POST(d.req, { params: Promise.resolve({ kind: 'discord' }) })).status).toBe(413);
    expect(d.pulled()).toBeLessThanOrEqual(64 * 1024 + 64 * 1024);
  });

  it('withBodyLimit (Auth.js POST): 413 at the limit without calling the handler; a normal form arrives whole', async () => {
    const { withBodyLimit } = await import('../../server/read-raw-body');
    const seen: string[] = [];
    const handler = withBodyLimit(async (req) => {
      seen.push(await req.text());
      return new Response('ok');
    }, 16 * 1024);
    const { req, pulled } = chunkedPost('/api/auth/callback/credentials', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    const res = await handler(req);
    expect(res.status).toBe(413);
    expect(pulled()).toBeLessThanOrEqual(16 * 1024 + 64 * 1024);
    expect(seen).toEqual([]);
    const form = new URLSearchParams({ email: 'a@b.test', password: 'p'.repeat(100) }).toString();
    const ok = await handler(
      new NextRequest(`${TEST_WEB_URL}/api/auth/callback/credentials`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      }),
    );
    expect(ok.status).toBe(200);
    expect(seen).toEqual([form]);
  });
});
