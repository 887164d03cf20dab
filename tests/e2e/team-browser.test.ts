// Team, invitations and API keys in the built web app (`next start`), in headless Chromium, with every mail captured
// by the fake SMTP server: an owner invites by email on the Team page → the invited person opens the mailed link,
// logs in from it and comes back to "Join" → they are an agent (no API keys, no billing); the owner creates an API
// key (shown once, copied), then revokes it. Screenshots go to artifacts/screenshots/team-*.png.
// Build first into your own folder: `cd apps/web && NEXT_DIST_DIR=.next-x pnpm exec next build --webpack`, then run
// with the same NEXT_DIST_DIR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { sha256 } from '@pocketping/core';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { TFakeSmtp } from '@pocketping/testkit';
import { createOrganizationWithOwner, createProject, resolveApiKey, type TDb } from '@pocketping/db';
import { hashPassword } from '../../apps/web/src/server/auth/password';
import { SHOTS, bootDashboardStack, signedIn as signedInAs, type TDashboardStack } from './dashboard-stack.js';

let stack: TDashboardStack;
let smtp: TFakeSmtp;
let db: TDb;
let webUrl: string;
let browser: Browser;

beforeAll(async () => {
  stack = await bootDashboardStack({ smtp: 'no-viewer' });
  ({ db, webUrl, browser } = stack);
  smtp = stack.smtp!;
});

afterAll(async () => stack?.stop());

const PASSWORD = 'correct horse battery';

const signedIn = (email: string, next: string) => signedInAs(stack, email, PASSWORD, next);

describe('team, invitations and API keys in the browser', () => {
  let orgId = '';
  const ownerEmail = `olive-${randomBytes(3).toString('hex')}@example.test`;
  const inviteeEmail = `ivy-${randomBytes(3).toString('hex')}@example.test`;

  it('an owner invites by email; the invited person logs in from the mailed link and joins as an agent', async () => {
    const { organization, userId } = await createOrganizationWithOwner(db, {
      email: ownerEmail,
      orgName: 'Browser Co',
      userName: 'Olive Owner',
    });
    orgId = organization.id;
    await db.user.update({
      where: { id: userId },
      data: { emailVerified: new Date(), passwordHash: await hashPassword(PASSWORD) },
    });
    await createProject(db, orgId, { name: 'Browser Site', allowedOrigins: ['https://example.test'] });
    await db.user.create({
      data: {
        email: inviteeEmail,
        name: 'Ivy Invitee',
        passwordHash: await hashPassword(PASSWORD),
        emailVerified: new Date(),
      },
    });

    const { ctx: owner, page } = await signedIn(ownerEmail, `/app/o/${orgId}/team`);
    await page.getByLabel('Email').fill(inviteeEmail);
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain(`Invitation sent to ${inviteeEmail}`);
    await expect.poll(() => page.locator('table[data-testid=invitations]').textContent()).toContain(inviteeEmail);
    await page.screenshot({ path: path.join(SHOTS, 'team-invite.png'), fullPage: true });

    const mail = await smtp.waitForMail(inviteeEmail);
    expect(mail.subject).toBe('Olive Owner invited you to Browser Co on PocketPing');
    const link = mail.links.find((l) => l.includes('/invite/'))!;
    expect(link.startsWith(`${webUrl}/invite/`)).toBe(true);

    // the invited person, not signed in, on a phone
    const visitorCtx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const v = await visitorCtx.newPage();
    await v.goto(link);
    await expect.poll(() => v.getByRole('heading', { level: 1 }).textContent()).toBe('Join Browser Co');
    await v.screenshot({ path: path.join(SHOTS, 'team-invite-page.png'), fullPage: true });
    await v.getByRole('link', { name: 'Log in' }).click();
    await v.waitForURL((u) => u.pathname === '/login');
    expect(await v.getByLabel('Email', { exact: true }).first().inputValue()).toBe(inviteeEmail);
    await v.getByLabel('Password').fill(PASSWORD);
    await v.getByRole('button', { name: 'Log in' }).click();
    await v.waitForURL((u) => u.pathname.startsWith('/invite/'));
    await v.getByRole('button', { name: 'Join Browser Co' }).click();
    await v.waitForURL((u) => u.pathname.startsWith(`/app/o/${orgId}`) || u.pathname.startsWith('/app/onboarding'));
    const membership = await db.membership.findFirst({
      where: { organizationId: orgId, user: { email: inviteeEmail } },
    });
    expect(membership?.role).toBe('agent');

    // an agent sees the team but not API keys nor billing, and cannot open them by URL
    await v.goto(`${webUrl}/app/o/${orgId}/team`);
    await expect.poll(() => v.locator('table[data-testid=members]').textContent()).toContain('Olive Owner');
    expect(await v.getByRole('link', { name: 'API keys' }).count()).toBe(0);
    expect(await v.getByRole('button', { name: 'Send invitation' }).count()).toBe(0);
    await v.screenshot({ path: path.join(SHOTS, 'team-agent-phone.png'), fullPage: true });
    await v.goto(`${webUrl}/app/o/${orgId}/api-keys`);
    expect(new URL(v.url()).pathname).toBe(`/app/o/${orgId}/forbidden`);
    await visitorCtx.close();

    // the owner's list now shows the member and no pending invitation
    await page.reload();
    await expect.poll(() => page.locator('table[data-testid=members]').textContent()).toContain(inviteeEmail);
    expect(await page.locator('table[data-testid=invitations]').count()).toBe(0);
    await owner.close();
  });

  it('someone without an account signs up from the invitation and joins, without confirming the email again', async () => {
    const newcomer = `nina-${randomBytes(3).toString('hex')}@example.test`;
    const { ctx: owner, page } = await signedIn(ownerEmail, `/app/o/${orgId}/team`);
    await page.getByLabel('Email').fill(newcomer);
    await page.getByLabel('Role').selectOption('admin');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    const invite = await smtp.waitForMail(newcomer);
    await owner.close();

    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const v = await ctx.newPage();
    await v.goto(invite.links.find((l) => l.includes('/invite/'))!);
    await v.getByRole('link', { name: 'Sign up' }).click();
    await v.waitForURL((u) => u.pathname === '/signup');
    expect(await v.getByLabel('Work email').inputValue()).toBe(newcomer);
    await v.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await v.getByRole('button', { name: 'Create account' }).click();
    // The invitation link came through that mailbox: signed in and back on the invitation, no confirmation mail.
    await v.waitForURL((u) => u.pathname.startsWith('/invite/'), { timeout: 30_000 });
    expect(smtp.mails().filter((m) => m.to.includes(newcomer) && m.subject.startsWith('Confirm your email'))).toEqual(
      [],
    );
    await v.getByRole('button', { name: 'Join Browser Co' }).click();
    await v.waitForURL((u) => !u.pathname.startsWith('/invite/'), { timeout: 30_000 });
    const membership = await db.membership.findFirst({ where: { organizationId: orgId, user: { email: newcomer } } });
    expect(membership?.role).toBe('admin');
    await ctx.close();
  });

  it('an owner creates an API key shown once, copies it, and revokes it', async () => {
    const { ctx: owner, page } = await signedIn(ownerEmail, `/app/o/${orgId}/api-keys`);
    await owner.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: webUrl });
    await page.getByLabel('Name').fill('CRM sync');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.locator('[data-testid=new-api-key] code').textContent({ timeout: 30_000 }))!;
    expect(key).toMatch(/^ppk_/);
    expect(await resolveApiKey(db, key)).toMatchObject({ organizationId: orgId });
    await page.locator('[data-testid=new-api-key]').getByRole('button', { name: 'Copy' }).click();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(key);
    await page.screenshot({ path: path.join(SHOTS, 'team-api-key-created.png'), fullPage: true });

    // shown once: after a reload only the prefix is left
    await page.reload();
    await expect.poll(() => page.locator('table[data-testid=api-keys]').textContent()).toContain('CRM sync');
    expect(await page.content()).not.toContain(key);
    await page.locator('table[data-testid=api-keys]').getByRole('button', { name: 'Revoke' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke this API key?' })
      .getByRole('button', { name: 'Revoke key' })
      .click();
    await expect
      .poll(() => page.locator('table[data-testid=api-keys]').textContent(), { timeout: 20_000 })
      .toContain('revoked');
    expect(await resolveApiKey(db, key)).toBeNull();
    await owner.close();
  });

  it('an unknown, expired or withdrawn invitation link is a 404 page that says what to do', async () => {
    const expiredToken = randomBytes(24).toString('base64url');
    const revokedToken = randomBytes(24).toString('base64url');
    const base = { organizationId: orgId, role: 'agent' as const, invitedById: null };
    await db.invitation.create({
      data: {
        ...base,
        email: `late-${randomBytes(3).toString('hex')}@example.test`,
        tokenHash: sha256(expiredToken),
        expiresAt: new Date(Date.now() - 60_000),
      },
    });
    await db.invitation.create({
      data: {
        ...base,
        email: `gone-${randomBytes(3).toString('hex')}@example.test`,
        tokenHash: sha256(revokedToken),
        expiresAt: new Date(Date.now() + 86_400_000),
        revokedAt: new Date(),
      },
    });
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    for (const token of ['not-a-real-invitation-token', expiredToken, revokedToken]) {
      const res = await page.goto(`${webUrl}/invite/${token}`);
      expect(res?.status()).toBe(404);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Invitation not found');
      expect(await page.locator('.card[role=alert]').textContent()).toContain(
        'ask the person who invited you to send a new invitation',
      );
      // Nothing about the organization behind the link.
      expect(await page.content()).not.toContain('Browser Co');
    }
    await page.screenshot({ path: path.join(SHOTS, 'team-invite-not-found.png'), fullPage: true });
    await ctx.close();
  });
});
