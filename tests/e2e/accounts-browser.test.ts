// Accounts in the built web app (`next start`), with every mail captured by the fake SMTP server:
// - over HTTP, Auth.js's own endpoints: password log-in answers (wrong / unconfirmed / rate limited), the session
//   version ending an Auth.js session;
// - in headless Chromium, the customer's path: sign up → open the mail in the mail viewer → click → signed in on
//   onboarding → log out → wrong password → log in → magic link → forgot / reset password.
// Build first into your own folder: `cd apps/web && NEXT_DIST_DIR=.next-x pnpm exec next build --webpack`, then run
// with the same NEXT_DIST_DIR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TFakeSmtp } from '@pocketping/testkit';
import type { TDb } from '@pocketping/db';
import { hashPassword } from '../../apps/web/src/server/auth/password';
import { SHOTS, bootDashboardStack, type TDashboardStack } from './dashboard-stack.js';

let stack: TDashboardStack;
let smtp: TFakeSmtp;
let db: TDb;
let webUrl: string;
let browser: Browser;

beforeAll(async () => {
  stack = await bootDashboardStack({ smtp: 'with-viewer', host: 'localhost' });
  ({ db, webUrl, browser } = stack);
  smtp = stack.smtp!;
});

afterAll(async () => stack?.stop());

const freshEmail = (tag: string) => `${tag}-${randomBytes(4).toString('hex')}@example.test`;

async function createUser(email: string, password: string, verified = true) {
  if (verified)
    return db.user.create({ data: { email, passwordHash: await hashPassword(password), emailVerified: new Date() } });
  // As a sign-up leaves it: no password on the account yet, the chosen one waits on the confirmation link.
  const user = await db.user.create({ data: { email } });
  await db.userToken.create({
    data: {
      userId: user.id,
      purpose: 'verify_email',
      tokenHash: randomBytes(32).toString('hex'),
      expiresAt: new Date(Date.now() + 3600_000),
      passwordHash: await hashPassword(password),
    },
  });
  return user;
}

// ------------------------------------------------------------------------------------------------------------
// Auth.js over HTTP, exactly as next-auth/react's signIn('credentials', { redirect: false }) calls it.
// ------------------------------------------------------------------------------------------------------------

function setCookies(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(';')[0]!);
}

async function credentialsLogin(
  email: string,
  password: string,
  ip: string,
): Promise<{ code: string | null; error: string | null; session: string | undefined }> {
  const csrfRes = await fetch(`${webUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const res = await fetch(`${webUrl}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-auth-return-redirect': '1',
      'x-forwarded-for': ip,
      cookie: setCookies(csrfRes).join('; '),
    },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl: `${webUrl}/app` }),
  });
  const url = new URL(((await res.json()) as { url: string }).url);
  return {
    code: url.searchParams.get('code'),
    error: url.searchParams.get('error'),
    session: setCookies(res).find((c) => c.startsWith('authjs.session-token=')),
  };
}

/** Where GET /app sends this cookie: /app/onboarding when signed in (no organization yet), /login otherwise. */
async function appRedirect(cookie: string | undefined): Promise<string> {
  const res = await fetch(`${webUrl}/app`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  return new URL(res.headers.get('location') ?? '', webUrl).pathname;
}

describe('password log-in through Auth.js (HTTP)', () => {
  it('signs a confirmed user in; a session-version bump (password reset) ends that session', async () => {
    const email = freshEmail('http');
    const user = await createUser(email, 'correct horse battery');
    const { error, session } = await credentialsLogin(email.toUpperCase(), 'correct horse battery', '192.0.2.1');
    expect(error).toBeNull();
    expect(session).toBeDefined();
    expect(await appRedirect(session)).toBe('/app/onboarding');
    await db.user.update({ where: { id: user.id }, data: { sessionVersion: { increment: 1 } } });
    expect(await appRedirect(session)).toBe('/login');
  });

  it('log out ends the session on the server: a copy of the cookie no longer signs anyone in', async () => {
    const email = freshEmail('logout');
    await createUser(email, 'correct horse battery');
    const { session } = await credentialsLogin(email, 'correct horse battery', '192.0.2.3');
    expect(await appRedirect(session)).toBe('/app/onboarding');
    const csrfRes = await fetch(`${webUrl}/api/auth/csrf`, { headers: { cookie: session! } });
    const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
    const out = await fetch(`${webUrl}/api/auth/signout`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-auth-return-redirect': '1',
        cookie: [session!, ...setCookies(csrfRes)].join('; '),
      },
      body: new URLSearchParams({ csrfToken, callbackUrl: `${webUrl}/login` }),
    });
    expect(out.status).toBe(200);
    expect(await appRedirect(session)).toBe('/login');
  });

  it('wrong password and unknown email answer alike; an unconfirmed email says so only with the right password', async () => {
    const email = freshEmail('codes');
    await createUser(email, 'correct horse battery');
    expect(await credentialsLogin(email, 'not the password', '192.0.2.2')).toMatchObject({
      error: 'CredentialsSignin',
      code: 'credentials',
      session: undefined,
    });
    expect(await credentialsLogin(freshEmail('nobody'), 'not the password', '192.0.2.2')).toMatchObject({
      error: 'CredentialsSignin',
      code: 'credentials',
    });
    const pending = freshEmail('pending');
    await createUser(pending, 'correct horse battery', false);
    expect(await credentialsLogin(pending, 'correct horse battery', '192.0.2.2')).toMatchObject({
      code: 'email_not_verified',
      session: undefined,
    });
    expect(await credentialsLogin(pending, 'wrong one', '192.0.2.2')).toMatchObject({ code: 'credentials' });
  });

  it('refuses the 11th attempt in 15 minutes for one account from one address, even with the right password', async () => {
    const email = freshEmail('limit');
    await createUser(email, 'correct horse battery');
    for (let i = 0; i < 10; i++)
      expect((await credentialsLogin(email, `guess number ${i}`, '198.51.100.7')).code).toBe('credentials');
    expect(await credentialsLogin(email, 'correct horse battery', '198.51.100.7')).toMatchObject({
      code: 'rate_limited',
      session: undefined,
    });
    // The guesser does not lock the owner out from another address.
    expect((await credentialsLogin(email, 'correct horse battery', '198.51.100.8')).session).toBeDefined();
  });

  it('a guesser rotating addresses gets at most 50 tries per account in 15 minutes', async () => {
    const email = freshEmail('rotating');
    await createUser(email, 'correct horse battery');
    // Ten addresses, five guesses each: under the per-address limit every time, 50 in all.
    for (let a = 0; a < 10; a++) {
      const codes = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          credentialsLogin(email, `guess ${a}-${i}`, `203.0.113.${a + 1}`).then((r) => r.code),
        ),
      );
      expect(codes).toEqual(Array(5).fill('credentials'));
    }
    expect(await credentialsLogin(email, 'correct horse battery', '203.0.113.99')).toMatchObject({
      code: 'rate_limited',
      session: undefined,
    });
    // Another account is not affected.
    const other = freshEmail('bystander');
    await createUser(other, 'correct horse battery');
    expect((await credentialsLogin(other, 'correct horse battery', '203.0.113.99')).session).toBeDefined();
  });
});

// ------------------------------------------------------------------------------------------------------------
// The customer's path in Chromium.
// ------------------------------------------------------------------------------------------------------------

/** Alerts of the page itself (Next's route announcer also has role=alert). */
const alertOf = (p: Page) => p.getByRole('main').getByRole('alert');

async function logOut(page: Page): Promise<void> {
  // What the dashboard nav's "Log out" does (next-auth/react signOut): POST /api/auth/signout with the CSRF token.
  await page.evaluate(async () => {
    const { csrfToken } = (await (await fetch('/api/auth/csrf')).json()) as { csrfToken: string };
    await fetch('/api/auth/signout', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-auth-return-redirect': '1' },
      body: new URLSearchParams({ csrfToken, callbackUrl: '/login' }),
    });
  });
}

describe('accounts in headless Chromium', () => {
  let context: BrowserContext;
  let page: Page;
  const email = freshEmail('ada');
  const password = 'a long enough password';

  it('sign up → confirmation mail in the mail viewer → click → signed in on onboarding', async () => {
    context = await browser.newContext({ viewport: { width: 390, height: 844 } }); // a phone
    page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${webUrl}/`);
    await page.getByRole('link', { name: 'Sign up free' }).click();
    await page.waitForURL(/\/signup$/);
    await page.getByLabel('Work email').fill(email);
    await page.getByLabel('Your name').fill('Ada');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => alertOf(page).innerText()).toContain('at least 10 characters');
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.screenshot({ path: path.join(SHOTS, 'accounts-signup.png') });
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/check-email\?kind=verify/);
    expect(await page.locator('main').innerText()).toContain(email);

    // The newcomer's way: the mail viewer printed by `npm start`, the mail, the link.
    const mail = await smtp.waitForMail(email);
    expect(mail.subject).toBe('Confirm your email for PocketPing');
    await page.goto(smtp.viewerUrl!);
    await page.getByRole('link', { name: 'Confirm your email for PocketPing' }).first().click();
    await page.locator('ul.links a').first().click();
    await page.waitForURL(`${webUrl}/app/onboarding`, { timeout: 20_000 });
    expect(errors).toEqual([]);

    // The link worked once: opening it again says the email is already confirmed.
    await page.goto(mail.links[0]!);
    await expect.poll(() => page.locator('main').innerText()).toContain('already confirmed');
  });

  it('log out, wrong password message, log in with the password and come back to `next`', async () => {
    await logOut(page);
    await page.goto(`${webUrl}/app`);
    await page.waitForURL(/\/login\?next=%2Fapp/);
    await page.getByLabel('Email', { exact: true }).first().fill(email);
    await page.getByLabel('Password').fill('not my password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => alertOf(page).innerText()).toBe('Wrong email or password.');
    await page.screenshot({ path: path.join(SHOTS, 'accounts-login-error.png') });
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${webUrl}/app/onboarding`);

    // A foreign `next` is ignored.
    await logOut(page);
    await page.goto(`${webUrl}/login?next=${encodeURIComponent('https://evil.example/')}`);
    await page.getByLabel('Email', { exact: true }).first().fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${webUrl}/app/onboarding`);
  });

  it("someone else's confirmation link does not switch a signed-in browser without asking (login CSRF)", async () => {
    const attacker = freshEmail('attacker');
    const res = await fetch(`${webUrl}/api/app/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.18.0.9' },
      body: JSON.stringify({ email: attacker, password: 'attacker password 1' }),
    });
    expect(res.status).toBe(200);
    const link = (await smtp.waitForMail(attacker)).links.find((l) => l.includes('/verify-email'))!;
    await page.goto(link);
    await expect.poll(() => alertOf(page).innerText()).toContain(`You are signed in as ${email}`);
    expect(await alertOf(page).innerText()).toContain(attacker);
    await page.screenshot({ path: path.join(SHOTS, 'accounts-confirm-switch.png') });
    await page.getByRole('link', { name: `Stay signed in as ${email}` }).click();
    await page.waitForURL(`${webUrl}/app/onboarding`);
    // Still the same account, and the other account was not confirmed behind the person's back.
    const me = (await page.evaluate(async () => (await fetch('/api/app/me')).json())) as { user: { email: string } };
    expect(me.user.email).toBe(email);
    expect((await db.user.findUniqueOrThrow({ where: { email: attacker } })).emailVerified).toBeNull();
  });

  it("someone else's magic link does not switch a signed-in browser without asking (login CSRF)", async () => {
    const attacker = freshEmail('magic-attacker');
    // The attacker asks for a sign-in link to their own account (what the login form does)…
    const csrfRes = await fetch(`${webUrl}/api/auth/csrf`);
    const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
    await fetch(`${webUrl}/api/auth/signin/nodemailer`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-auth-return-redirect': '1',
        cookie: setCookies(csrfRes).join('; '),
      },
      body: new URLSearchParams({ email: attacker, csrfToken, callbackUrl: `${webUrl}/app` }),
    });
    const link = (await smtp.waitForMail(attacker, (m) => m.subject === 'Your PocketPing sign-in link')).links[0]!;
    // …and gets the signed-in person to open it.
    await page.goto(link);
    await page.waitForURL(/\/switch-account\?/);
    expect(await alertOf(page).innerText()).toContain(`You are signed in as ${email}`);
    await page.getByRole('link', { name: `Stay signed in as ${email}` }).click();
    await page.waitForURL(`${webUrl}/app/onboarding`);
    const me = (await page.evaluate(async () => (await fetch('/api/app/me')).json())) as { user: { email: string } };
    expect(me.user.email).toBe(email);

    // Someone who does mean to switch (their own second account) can, from the same page.
    await page.goto(link);
    await page.getByRole('link', { name: `Sign in as ${attacker}` }).click();
    await page.waitForURL(`${webUrl}/app/onboarding`);
    const now = (await page.evaluate(async () => (await fetch('/api/app/me')).json())) as { user: { email: string } };
    expect(now.user.email).toBe(attacker);
    // Back to the test's account for the next tests.
    await logOut(page);
    await page.goto(`${webUrl}/login`);
    await page.getByLabel('Email', { exact: true }).first().fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${webUrl}/app/onboarding`);
  });

  it('an unconfirmed account is told to confirm, and can resend the mail from the login form', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    const pending = freshEmail('pending-ui');
    await createUser(pending, 'correct horse battery', false);
    await p.goto(`${webUrl}/login`);
    await p.getByLabel('Email', { exact: true }).first().fill(pending);
    await p.getByLabel('Password').fill('correct horse battery');
    await p.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => alertOf(p).innerText()).toContain('Confirm your email first');
    await p.getByRole('button', { name: 'Send the link again' }).click();
    await expect.poll(() => alertOf(p).innerText()).toContain('Sent');
    const mail = await smtp.waitForMail(pending);
    expect(mail.subject).toBe('Confirm your email for PocketPing');
    await ctx.close();
  });

  it('magic link: ask for it, open it, signed in', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    smtp.clear();
    await p.goto(`${webUrl}/login`);
    // One email field serves both ways in: the password and the sign-in link.
    expect(await p.getByLabel('Email', { exact: true }).count()).toBe(1);
    await p.getByLabel('Email', { exact: true }).fill(email);
    await p.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await p.waitForURL(/\/check-email\?kind=magic/);
    const mail = await smtp.waitForMail(email, (m) => m.subject === 'Your PocketPing sign-in link');
    await p.goto(mail.links[0]!);
    await p.waitForURL(`${webUrl}/app/onboarding`);
    // Used once: the same link again lands on /login with a clear message.
    await logOut(p);
    await p.goto(mail.links[0]!);
    await p.waitForURL(/\/login\?error=Verification/);
    expect(await alertOf(p).innerText()).toContain('expired or was already used');
    await ctx.close();
  });

  it('forgot password → mail → new password → signed in, the old session is logged out', async () => {
    const other = await browser.newContext();
    const p = await other.newPage();
    smtp.clear();
    await p.goto(`${webUrl}/login?email=${encodeURIComponent(email)}`);
    await p.getByRole('link', { name: 'Forgot your password?' }).click();
    await p.waitForURL(/\/forgot-password/);
    expect(await p.getByLabel('Email').inputValue()).toBe(email);
    await p.getByRole('button', { name: 'Send me a reset link' }).click();
    await expect
      .poll(() => p.getByRole('main').getByRole('status').first().innerText())
      .toContain('If an account exists');
    const mail = await smtp.waitForMail(email, (m) => m.subject === 'Reset your PocketPing password');
    await p.goto(mail.links[0]!);
    await p.getByLabel('New password', { exact: true }).fill('my brand new password');
    await p.getByLabel('Repeat the new password').fill('my brand new password');
    await p.getByRole('button', { name: 'Set the new password' }).click();
    await p.waitForURL(`${webUrl}/app/onboarding`);
    await other.close();

    // The first browser's session (before the reset) is over.
    await page.goto(`${webUrl}/app`);
    await page.waitForURL(/\/login/);
    await context.close();
  });
});
