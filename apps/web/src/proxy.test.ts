import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NextRequest } from 'next/server';
import { setupWebTestEnv, TEST_AUTH_SECRET, TEST_WEB_URL, type TWebTestEnv } from './server/testing/web-test-env';
import { mintSessionCookie } from './server/accounts/session-cookie';
import { proxy } from './proxy';

// The proxy in front of every request, called as Next calls it.
let env: TWebTestEnv;
beforeAll(async () => {
  env = await setupWebTestEnv();
});
afterAll(async () => env?.close());

async function cookieOf(email: string): Promise<string> {
  const user = await env.createUser({ email });
  const c = await mintSessionCookie(TEST_WEB_URL, TEST_AUTH_SECRET, {
    id: user.id,
    email,
    name: null,
    sessionVersion: 0,
  });
  return `${c.name}=${c.value}`;
}

const magicLink = (email: string, extra = '') =>
  `${TEST_WEB_URL}/api/auth/callback/nodemailer?callbackUrl=${encodeURIComponent(`${TEST_WEB_URL}/app`)}&token=${'ab'.repeat(32)}&email=${encodeURIComponent(email)}${extra}`;

describe('proxy: a magic link does not switch a signed-in browser silently (login CSRF)', () => {
  it('a session for another address is sent to /switch-account, the link unused', async () => {
    const victim = await cookieOf(`victim-${Date.now()}@example.test`);
    const res = await proxy(new NextRequest(magicLink('attacker@example.test'), { headers: { cookie: victim } }));
    expect(res.status).toBe(307);
    const to = new URL(res.headers.get('location')!);
    expect(to.pathname).toBe('/switch-account');
    expect(to.searchParams.get('email')).toBe('attacker@example.test');
    expect(to.searchParams.get('token')).toBe('ab'.repeat(32));
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('goes straight on: no session, the link’s own account, or after the person chose to switch', async () => {
    const email = `own-${Date.now()}@example.test`;
    const own = await cookieOf(email);
    const passes = (r: Response) => r.headers.get('x-middleware-next') === '1' && r.headers.get('location') === null;
    expect(passes(await proxy(new NextRequest(magicLink('someone@example.test'))))).toBe(true);
    expect(passes(await proxy(new NextRequest(magicLink(email.toUpperCase()), { headers: { cookie: own } })))).toBe(
      true,
    );
    expect(
      passes(
        await proxy(new NextRequest(magicLink('someone@example.test', '&switch=1'), { headers: { cookie: own } })),
      ),
    ).toBe(true);
    // Other Auth.js callbacks (OAuth) are not concerned.
    expect(
      passes(
        await proxy(
          new NextRequest(`${TEST_WEB_URL}/api/auth/callback/github?code=x&state=y`, { headers: { cookie: own } }),
        ),
      ),
    ).toBe(true);
  });
});

describe('proxy: security headers', () => {
  it('pages get the page policy with the realtime origin, API answers the sandbox policy', async () => {
    const page = await proxy(new NextRequest(`${TEST_WEB_URL}/login`));
    expect(page.headers.get('content-security-policy')).toContain('http://127.0.0.1:3998');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    const api = await proxy(new NextRequest(`${TEST_WEB_URL}/api/app/me`));
    expect(api.headers.get('content-security-policy')).toContain('sandbox');
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
