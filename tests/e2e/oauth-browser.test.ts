// OAuth sign-in (GitHub, Google) in headless Chromium against the fake providers of packages/testkit, which speak
// the real wire formats (authorization redirect, code exchange with client authentication and PKCE, GitHub's REST
// user and emails, Google's discovery and RS256 ID token). The built web app runs with AUTH_GITHUB_URL /
// AUTH_GOOGLE_ISSUER pointing at the fake — the same Auth.js providers as production, moved like a GitHub
// Enterprise Server or another OpenID issuer would move them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startFakeOAuth, type TFakeOAuth } from '@pocketping/testkit';
import type { TDb } from '@pocketping/db';
import { hashPassword } from '../../apps/web/src/server/auth/password';
import { SHOTS, bootDashboardStack, type TDashboardStack } from './dashboard-stack.js';

let stack: TDashboardStack;
let oauth: TFakeOAuth;
let db: TDb;
let webUrl: string;

beforeAll(async () => {
  oauth = await startFakeOAuth();
  stack = await bootDashboardStack({
    host: 'localhost',
    webEnv: {
      AUTH_GITHUB_ID: oauth.github.clientId,
      AUTH_GITHUB_SECRET: oauth.github.clientSecret,
      AUTH_GITHUB_URL: oauth.githubBaseUrl,
      AUTH_GOOGLE_ID: oauth.google.clientId,
      AUTH_GOOGLE_SECRET: oauth.google.clientSecret,
      AUTH_GOOGLE_ISSUER: oauth.googleIssuer,
    },
  });
  ({ db, webUrl } = stack);
});

afterAll(async () => {
  await stack?.stop();
  await oauth?.close();
});

const tag = () => randomBytes(4).toString('hex');
let nextGitHubId = 9_000_000 + Math.floor(Math.random() * 1_000_000);

/** A fresh browser (no cookies) on /login, clicking "Continue with <provider>"; resolves once back on our site. */
async function continueWith(label: 'GitHub' | 'Google'): Promise<Page> {
  const context = await stack.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${webUrl}/login`);
  await page.getByRole('button', { name: `Continue with ${label}` }).click();
  await page.waitForURL((u) => u.origin === webUrl && !u.pathname.startsWith('/api/auth/'), { timeout: 20_000 });
  await page.waitForLoadState('networkidle');
  return page;
}

async function alertText(page: Page): Promise<string> {
  return page.locator('p.alert.error').innerText();
}

describe('OAuth sign-in against the fake providers', () => {
  it('GitHub: a new user lands on onboarding with the primary verified address; a second sign-in finds the same account', async () => {
    const id = nextGitHubId++;
    const primary = `Octo-${tag()}@Example.test`;
    oauth.github.signInAs({
      id,
      login: `octo-${tag()}`,
      name: 'Octo Cat',
      publicEmail: null, // kept private: only /user/emails tells it
      emails: [
        { email: `old-${tag()}@example.test`, primary: false, verified: true },
        { email: primary, primary: true, verified: true },
      ],
    });
    const page = await continueWith('GitHub');
    expect(new URL(page.url()).pathname).toBe('/app/onboarding');
    await page.screenshot({ path: path.join(SHOTS, 'accounts-oauth-github.png') });

    const user = await db.user.findUniqueOrThrow({
      where: { email: primary.toLowerCase() },
      include: { accounts: true },
    });
    expect(user.name).toBe('Octo Cat');
    expect(user.emailVerified).not.toBeNull();
    expect(user.accounts.map((a) => [a.provider, a.providerAccountId])).toEqual([['github', String(id)]]);
    expect(user.accounts[0]).toMatchObject({ access_token: null, refresh_token: null, id_token: null }); // not kept
    // The code was exchanged (PKCE checked by the fake) and the emails were read with the access token.
    expect(oauth.github.requests).toEqual(
      expect.arrayContaining([
        'GET /github/login/oauth/authorize',
        'POST /github/login/oauth/access_token',
        'GET /github/api/v3/user',
        'GET /github/api/v3/user/emails',
      ]),
    );
    await page.context().close();

    const again = await continueWith('GitHub');
    expect(new URL(again.url()).pathname).toBe('/app/onboarding');
    expect(
      await db.user.count({ where: { accounts: { some: { provider: 'github', providerAccountId: String(id) } } } }),
    ).toBe(1);
    expect(await db.account.count({ where: { userId: user.id } })).toBe(1);
    await again.context().close();
  });

  it('GitHub: an account whose addresses are all unverified is refused, with the reason, and nothing is created', async () => {
    const email = `unverified-${tag()}@example.test`;
    // GitHub never lets an unverified address be public; the fake is told to anyway, to show we do not trust it.
    oauth.github.signInAs({
      id: nextGitHubId++,
      login: `nov-${tag()}`,
      name: null,
      publicEmail: email,
      emails: [{ email, primary: true, verified: false }],
    });
    const page = await continueWith('GitHub');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await alertText(page)).toContain('no verified email address');
    expect(await db.user.count({ where: { email } })).toBe(0);
    await page.context().close();
  });

  it('GitHub: the user pressing "Cancel" at the provider comes back to the login page with an explanation', async () => {
    oauth.github.denyNext();
    const page = await continueWith('GitHub');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await alertText(page)).toContain('cancelled or did not complete');
    await page.context().close();
  });

  it('Google: a verified ID token signs a new user in (email stored lower-cased); an unverified one is refused', async () => {
    const email = `Grace-${tag()}@Example.test`;
    const sub = `10${Date.now()}`;
    oauth.google.signInAs({ sub, email, emailVerified: true, name: 'Grace Hopper' });
    const page = await continueWith('Google');
    expect(new URL(page.url()).pathname).toBe('/app/onboarding');
    const user = await db.user.findUniqueOrThrow({
      where: { email: email.toLowerCase() },
      include: { accounts: true },
    });
    expect(user.emailVerified).not.toBeNull();
    expect(user.accounts.map((a) => [a.provider, a.providerAccountId])).toEqual([['google', sub]]);
    expect(user.accounts[0]).toMatchObject({ access_token: null, id_token: null });
    expect(oauth.google.requests).toEqual(
      expect.arrayContaining(['GET /google/.well-known/openid-configuration', 'POST /google/token']),
    );
    await page.context().close();

    const unverified = `unverified-${tag()}@example.test`;
    oauth.google.signInAs({ sub: `11${Date.now()}`, email: unverified, emailVerified: false, name: 'Nobody' });
    const refused = await continueWith('Google');
    expect(new URL(refused.url()).pathname).toBe('/login');
    expect(await alertText(refused)).toContain('no verified email address');
    expect(await db.user.count({ where: { email: unverified } })).toBe(0);
    await refused.context().close();
  });

  it('an email that already has a password account is not taken over by an OAuth sign-in', async () => {
    const email = `owner-${tag()}@example.test`;
    const owner = await db.user.create({
      data: { email, passwordHash: await hashPassword('correct horse battery'), emailVerified: new Date() },
    });
    oauth.google.signInAs({
      sub: `12${Date.now()}`,
      email: email.toUpperCase(),
      emailVerified: true,
      name: 'Intruder',
    });
    const page = await continueWith('Google');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await alertText(page)).toContain('already has an account with another sign-in method');
    expect(await db.account.count({ where: { userId: owner.id } })).toBe(0);
    expect(await db.user.count({ where: { email } })).toBe(1);
    await page.context().close();
  });
});
