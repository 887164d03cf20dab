import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { NextRequest } from 'next/server';
import { startFakeSmtp, type TFakeSmtp } from '@pocketping/testkit';
import { setupWebTestEnv, TEST_AUTH_SECRET, TEST_WEB_URL, type TWebTestEnv } from '../testing/web-test-env';
import { getSessionUserFromCookies } from '../auth/session';
import { handlers } from '../../auth';
import { POST as signupRoute } from '../../app/api/app/auth/signup/route';
import { POST as verifyEmailRoute } from '../../app/api/app/auth/verify-email/route';
import { POST as inviteRoute } from '../../app/api/app/orgs/[orgId]/invitations/route';
import { POST as acceptRoute } from '../../app/api/app/invitations/accept/route';

const routes = { signup: signupRoute, verifyEmail: verifyEmailRoute, invite: inviteRoute, accept: acceptRoute };

// Pre-registration takeover and server-side sign-out, through Auth.js's own handlers (called in-process exactly as
// Next calls the /api/auth route) and the account routes, with real Postgres, Redis and SMTP.
let env: TWebTestEnv;
let smtp: TFakeSmtp;
beforeAll(async () => {
  smtp = await startFakeSmtp({ viewerPort: false });
  env = await setupWebTestEnv({ SMTP_URL: smtp.url });
});
afterAll(async () => {
  await env?.close();
  await smtp?.close();
});
beforeEach(() => smtp.clear());

const freshEmail = (tag: string) => `${tag}-${randomBytes(4).toString('hex')}@example.test`;
let ipSeq = 0;
const freshIp = () => `10.77.${Math.floor(++ipSeq / 250)}.${ipSeq % 250}`;

/** A tiny cookie jar: one browser. */
class Browser {
  readonly jar = new Map<string, string>();
  header(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  take(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const idx = pair!.indexOf('=');
      const name = pair!.slice(0, idx);
      const value = pair!.slice(idx + 1);
      const expired = attrs.some((a) => /max-age=0\b/i.test(a.trim()) || /expires=Thu, 01 Jan 1970/i.test(a.trim()));
      if (expired || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }
  session(): string | null {
    const v = this.jar.get('authjs.session-token');
    return v ? `authjs.session-token=${v}` : null;
  }
  async auth(method: 'GET' | 'POST', path: string, form?: Record<string, string>, ip = freshIp()): Promise<Response> {
    const headers: Record<string, string> = { cookie: this.header(), 'x-forwarded-for': ip };
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['x-auth-return-redirect'] = '1';
    }
    const req = new NextRequest(`${TEST_WEB_URL}${path}`, {
      method,
      headers,
      body: form ? new URLSearchParams(form) : undefined,
      redirect: 'manual',
    });
    const res = await (method === 'GET' ? handlers.GET(req) : handlers.POST(req));
    this.take(res);
    return res;
  }
  async csrf(): Promise<string> {
    const res = await this.auth('GET', '/api/auth/csrf');
    return ((await res.json()) as { csrfToken: string }).csrfToken;
  }
  /** What the login form does: Credentials sign-in; the error code of the answer, or null when signed in. */
  async logIn(email: string, password: string): Promise<string | null> {
    const csrfToken = await this.csrf();
    const res = await this.auth('POST', '/api/auth/callback/credentials', {
      email,
      password,
      csrfToken,
      callbackUrl: `${TEST_WEB_URL}/app`,
    });
    const url = new URL(((await res.json()) as { url: string }).url);
    return url.searchParams.get('code') ?? url.searchParams.get('error');
  }
  async magicLink(email: string): Promise<void> {
    const csrfToken = await this.csrf();
    await this.auth('POST', '/api/auth/signin/nodemailer', { email, csrfToken, callbackUrl: `${TEST_WEB_URL}/app` });
    const mail = await smtp.waitForMail(email, (m) => m.subject === 'Your PocketPing sign-in link');
    const link = new URL(mail.links[0]!);
    const res = await this.auth('GET', `${link.pathname}${link.search}`);
    expect(res.status).toBe(302);
  }
  async signOut(): Promise<void> {
    const csrfToken = await this.csrf();
    await this.auth('POST', '/api/auth/signout', { csrfToken, callbackUrl: `${TEST_WEB_URL}/login` });
  }
}

async function whoIs(cookie: string | null) {
  const { db } = await env.app();
  return cookie ? getSessionUserFromCookies(db, cookie, TEST_AUTH_SECRET) : null;
}

async function signUp(email: string, password: string): Promise<string> {
  const before = new Set(smtp.mails().map((m) => m.id));
  const res = await env.call(routes.signup, { body: { email, password }, headers: { 'x-forwarded-for': freshIp() } });
  expect(res.status).toBe(200);
  const mail = await smtp.waitForMail(email, (m) => m.subject.startsWith('Confirm') && !before.has(m.id));
  return new URL(mail.links.find((l) => l.includes('/verify-email'))!).searchParams.get('token')!;
}

describe('a password chosen by someone who does not own the address never starts to work', () => {
  it('the owner signs up too and confirms their own link: their password works, the squatter’s does not', async () => {
    const email = freshEmail('owner');
    const squatterLink = await signUp(email, 'squatter password 1');
    // Before any confirmation, the squatter cannot sign in (not even with an "unconfirmed" session).
    expect(await new Browser().logIn(email, 'squatter password 1')).toBe('email_not_verified');
    const ownerLink = await signUp(email, 'owner password 22');
    const confirmed = await env.call(routes.verifyEmail, { body: { token: ownerLink } });
    expect(confirmed.status).toBe(200);

    expect(await new Browser().logIn(email, 'squatter password 1')).toBe('credentials');
    const owner = new Browser();
    expect(await owner.logIn(email, 'owner password 22')).toBeNull();
    expect(await whoIs(owner.session())).toMatchObject({ email, emailVerified: true });
    // The squatter's link died with the owner's confirmation: it cannot set its password afterwards.
    expect((await env.call(routes.verifyEmail, { body: { token: squatterLink } })).status).toBeGreaterThanOrEqual(400);
    expect(await new Browser().logIn(email, 'squatter password 1')).toBe('credentials');
  });

  it('the owner signs in with a magic link: the squatter’s password is gone', async () => {
    const email = freshEmail('magic');
    const squatterLink = await signUp(email, 'squatter password 1');
    const owner = new Browser();
    await owner.magicLink(email);
    expect(await whoIs(owner.session())).toMatchObject({ email, emailVerified: true });

    expect(await new Browser().logIn(email, 'squatter password 1')).toBe('credentials');
    const { db } = await env.app();
    expect((await db.user.findUniqueOrThrow({ where: { email } })).passwordHash).toBeNull();
    expect((await env.call(routes.verifyEmail, { body: { token: squatterLink } })).status).toBeGreaterThanOrEqual(400);
    expect(await new Browser().logIn(email, 'squatter password 1')).toBe('credentials');
  });

  it('a new hire invited by an admin signs up and joins: the squatter’s earlier password does not work', async () => {
    const email = freshEmail('hire');
    await signUp(email, 'squatter password 1');
    const admin = await env.createUser();
    const org = await env.createOrg(admin.id, 'Hiring Co');
    const invited = await env.call(routes.invite, {
      params: { orgId: org.id },
      body: { email, role: 'admin' },
      cookie: await env.sessionCookie(admin.id),
    });
    expect(invited.status).toBe(200);
    const inviteMail = await smtp.waitForMail(email, (m) => m.links.some((l) => l.includes('/invite/')));
    const inviteToken = decodeURIComponent(inviteMail.links.find((l) => l.includes('/invite/'))!.split('/invite/')[1]!);

    // The invitation page sends them to sign up; they confirm their own link, come back and join.
    const hireLink = await signUp(email, 'new hire password');
    const confirmed = await env.call(routes.verifyEmail, { body: { token: hireLink } });
    const cookie = confirmed.headers.getSetCookie()[0]!.split(';')[0]!;
    expect((await env.call(routes.accept, { body: { token: inviteToken }, cookie })).json).toEqual({
      organizationId: org.id,
      role: 'admin',
    });

    expect(await new Browser().logIn(email, 'squatter password 1')).toBe('credentials');
    expect(await new Browser().logIn(email, 'new hire password')).toBeNull();
  });

  it('legacy rows: an unconfirmed account with a password on the row loses it when a magic link proves the mailbox', async () => {
    const email = freshEmail('legacy');
    await env.createUser({ email, verified: false, password: 'squatter password 1' });
    await new Browser().magicLink(email);
    expect(await new Browser().logIn(email, 'squatter password 1')).toBe('credentials');
  });
});

describe('sign-out', () => {
  it('ends the session on the server: a copied cookie no longer works', async () => {
    const email = freshEmail('signout');
    const confirmed = await env.call(routes.verifyEmail, { body: { token: await signUp(email, 'my password 123') } });
    expect(confirmed.status).toBe(200);
    const b = new Browser();
    expect(await b.logIn(email, 'my password 123')).toBeNull();
    const copied = b.session();
    expect(await whoIs(copied)).toMatchObject({ email });
    await b.signOut();
    expect(b.session()).toBeNull();
    expect(await whoIs(copied)).toBeNull();
    // Signing in again works.
    expect(await b.logIn(email, 'my password 123')).toBeNull();
    expect(await whoIs(b.session())).toMatchObject({ email });
  });
});
