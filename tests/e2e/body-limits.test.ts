import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { sendChunkedUntilAnswered } from '@pocketping/testkit';
import { hashPassword } from '../../apps/web/src/server/auth/password.js';
import { bootStack, type TStack } from './boot-stack.js';
import { connectVisitor } from './widget-client.js';

// The real processes (next start, realtime) against chunked bodies without Content-Length: each route answers 413 at
// its limit while the client still has most of its 50 MB to send, and the server stays up.
const FIFTY_MB = 50 * 1024 * 1024;

describe('request body limits on the running apps', () => {
  let stack: TStack;
  beforeAll(async () => {
    stack = await bootStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const expect413 = (r: Awaited<ReturnType<typeof sendChunkedUntilAnswered>>) => {
    expect(r.status).toBe(413);
    expect(r.finishedSending).toBe(false);
    expect(r.bytesSent).toBeLessThan(FIFTY_MB);
    expect(r.body).toContain('payload_too_large');
  };

  it('web: Telegram webhook, dashboard API (public route) and Auth.js sign-in', async () => {
    expect413(
      await sendChunkedUntilAnswered(`${stack.webUrl}/api/webhooks/telegram/${stack.tenantA.connectionId}`, {
        headers: { 'content-type': 'application/json' },
        totalBytes: FIFTY_MB,
      }),
    );
    expect413(
      await sendChunkedUntilAnswered(`${stack.webUrl}/api/app/auth/signup`, {
        headers: { 'content-type': 'application/json' },
        totalBytes: FIFTY_MB,
      }),
    );
    expect413(
      await sendChunkedUntilAnswered(`${stack.webUrl}/api/auth/callback/credentials`, {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        totalBytes: FIFTY_MB,
      }),
    );
    expect((await fetch(`${stack.webUrl}/api/health`)).status).toBe(200);
  });

  it('realtime: widget upload of a real visitor', async () => {
    const visitor = await connectVisitor(stack.realtimeUrl, {
      projectKey: stack.tenantA.projectKey,
      origin: stack.tenantA.origin,
    });
    const boundary = 'pp-e2e-boundary';
    const prefix = Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="a.txt"\r\ncontent-type: text/plain\r\n\r\nhello`,
    );
    const r = await sendChunkedUntilAnswered(`${stack.realtimeUrl}/widget/uploads`, {
      headers: {
        origin: stack.tenantA.origin,
        'x-project-key': stack.tenantA.projectKey,
        'x-visitor-token': visitor.session.visitorToken!,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      prefix,
      totalBytes: FIFTY_MB,
    });
    expect413(r);
    expect((await fetch(`${stack.realtimeUrl}/health`)).status).toBe(200);
    visitor.close();
  });

  it('web: a normal password sign-in still reaches Auth.js whole through the limit', async () => {
    const email = 'limits@a.example';
    const password = 'a long enough password';
    const c = new pg.Client({ connectionString: stack.db.url });
    await c.connect();
    try {
      await c.query(
        `INSERT INTO "User"(id, email, "emailVerified", "passwordHash", "updatedAt") VALUES ('ulimits', $1, now(), $2, now())`,
        [email, await hashPassword(password)],
      );
    } finally {
      await c.end();
    }
    const csrf = await fetch(`${stack.webUrl}/api/auth/csrf`);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const cookie = csrf.headers
      .getSetCookie()
      .map((x) => x.split(';')[0])
      .join('; ');
    const res = await fetch(`${stack.webUrl}/api/auth/callback/credentials`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ csrfToken, email, password, callbackUrl: `${stack.webUrl}/app` }).toString(),
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).not.toMatch(/error/);
    expect(res.headers.getSetCookie().some((x) => x.startsWith('authjs.session-token='))).toBe(true);
  });
});
