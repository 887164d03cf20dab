// Issue 18's email pages in headless Chromium, against the built web app (`next start`): a user chooses how they hear
// about waiting visitors; an email's unsubscribe link works logged out and asks before turning anything off; a reply
// email's link shows the visitor their conversation and takes their answer from any browser, and an expired link
// says so. Build first into your own folder: `cd apps/web && NEXT_DIST_DIR=.next-x pnpm exec next build --webpack`,
// then run with the same NEXT_DIST_DIR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { parseKeyRing, sha256, signConversationLinkToken, signUnsubscribeToken } from '@pocketping/core';
import {
  appendMessage,
  createVisitor,
  getNotificationPreferences,
  getOrCreateOpenConversation,
  type TDb,
} from '@pocketping/db';
import { bootDashboardStack, signInNewOwner, type TDashboardStack } from './dashboard-stack.js';

let stack: TDashboardStack;
let db: TDb;

beforeAll(async () => {
  stack = await bootDashboardStack({});
  db = stack.db;
});
afterAll(async () => stack?.stop());

const ring = () => parseKeyRing(stack.env.ENCRYPTION_KEY!);

describe('notification emails, their settings and their links', () => {
  it('the settings page saves a choice; the unsubscribe link asks first, then turns it off without a login', async () => {
    const { page } = await signInNewOwner(stack, { orgName: 'Mail Co' });
    await page.getByRole('link', { name: 'Notifications' }).click();
    await page.waitForURL((u) => u.pathname === '/app/account/notifications');
    const group = page.getByTestId('notify-waiting');
    expect(await group.getByLabel(/Each one/).isChecked()).toBe(true);
    await group.getByLabel(/Digest/).check();
    await group.getByText('Saved.').waitFor({ timeout: 15_000 });
    await page.reload();
    expect(
      await page
        .getByTestId('notify-waiting')
        .getByLabel(/Digest/)
        .isChecked(),
    ).toBe(true);
    const user = await db.user.findFirstOrThrow({
      where: { memberships: { some: { organization: { name: 'Mail Co' } } } },
    });
    expect(await getNotificationPreferences(db, user.id)).toEqual({ waiting: 'digest' });

    // Logged out (a new browser context), as from a mail app.
    const ctx = await stack.browser.newContext();
    const anon = await ctx.newPage();
    await anon.goto(`${stack.webUrl}/unsubscribe/${signUnsubscribeToken(ring(), user.id, 'waiting')}`);
    await anon.getByRole('heading', { name: 'Unsubscribe' }).waitFor();
    expect(await anon.locator('form').innerText()).toContain(user.email);
    // Opening the link changed nothing (mail scanners open links).
    expect(await getNotificationPreferences(db, user.id)).toEqual({ waiting: 'digest' });
    await anon.getByRole('button', { name: 'Unsubscribe' }).click();
    await anon.getByRole('heading', { name: 'You are unsubscribed' }).waitFor({ timeout: 15_000 });
    expect(await getNotificationPreferences(db, user.id)).toEqual({ waiting: 'off' });

    await anon.goto(`${stack.webUrl}/unsubscribe/not-a-token`);
    await anon.getByRole('heading', { name: 'This link does not work' }).waitFor();
    await ctx.close();
    await page.context().close();
  });

  it("a reply email's link shows the visitor their conversation and takes their answer; an expired one says so", async () => {
    const { organizationId, project, page } = await signInNewOwner(stack, { orgName: 'Reply Co' });
    await page.context().close();
    const visitor = await createVisitor(db, organizationId, {
      projectId: project.id,
      tokenHash: sha256(randomBytes(8).toString('hex')),
    });
    const c = await getOrCreateOpenConversation(db, organizationId, { projectId: project.id, visitorId: visitor.id });
    await appendMessage(db, organizationId, {
      conversationId: c.id,
      sender: 'visitor',
      body: 'Do you ship to Norway?',
      source: 'widget',
      clientId: 'c-1',
    });
    await appendMessage(db, organizationId, {
      conversationId: c.id,
      sender: 'operator',
      authorName: 'Ann',
      body: 'Yes, in **5 days**. <script>window.__pwned=1</script>',
      source: 'web',
    });
    await appendMessage(db, organizationId, {
      conversationId: c.id,
      sender: 'operator',
      visibility: 'internal',
      authorName: 'Ann',
      body: 'Internal: VIP customer',
      source: 'web',
    });
    const claims = { organizationId, conversationId: c.id, visitorId: visitor.id };
    const token = signConversationLinkToken(ring(), { ...claims, expiresAt: Math.floor(Date.now() / 1000) + 3600 });

    const ctx = await stack.browser.newContext({ viewport: { width: 390, height: 844 } });
    const phone = await ctx.newPage();
    await phone.goto(`${stack.webUrl}/chat/${token}`);
    const thread = phone.getByTestId('link-thread');
    await thread.waitFor();
    const text = await thread.innerText();
    expect(text).toContain('Do you ship to Norway?');
    expect(await thread.locator('strong').innerText()).toBe('5 days');
    expect(text).toContain('<script>window.__pwned=1</script>');
    expect(text).not.toContain('VIP customer');
    expect(await phone.evaluate('typeof globalThis.__pwned')).toBe('undefined');

    await phone.getByLabel('Your answer').fill('Great, I will order today');
    await phone.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => thread.innerText(), { timeout: 15_000 }).toContain('Great, I will order today');
    const stored = await db.message.findMany({
      where: { organizationId, conversationId: c.id, sender: 'visitor' },
      orderBy: { seq: 'asc' },
    });
    expect(stored.map((m) => m.body)).toEqual(['Do you ship to Norway?', 'Great, I will order today']);

    const expired = signConversationLinkToken(ring(), { ...claims, expiresAt: Math.floor(Date.now() / 1000) - 60 });
    await phone.goto(`${stack.webUrl}/chat/${expired}`);
    await phone.getByRole('heading', { name: 'This link has expired' }).waitFor();
    await ctx.close();
  });
});
