// The inbox in the built web app (`next start`) and the real realtime server, in headless Chromium: a visitor's
// message appears in the list without a reload (dashboard socket), the conversation view updates live, a reply from
// the web reaches the visitor's widget socket, an internal note never does, and closing reaches the widget too;
// assignment and tags (Mine / Unassigned, the tag filter, a live update of another member's screen) at desktop and
// phone widths.
// Screenshots: artifacts/screenshots/inbox-*.png; of assignment and tags also docs/screenshots/*-assignment-tags.png.
// Build first into your own folder: `cd apps/web && NEXT_DIST_DIR=.next-x pnpm exec next build --webpack`, then run
// with the same NEXT_DIST_DIR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { REPO_ROOT, waitFor } from '@pocketping/testkit';
import {
  appendMessage,
  createMembership,
  createOrganizationWithOwner,
  createProject,
  createUser,
  createVisitor,
  getOrCreateOpenConversation,
  type TDb,
} from '@pocketping/db';
import { UPLOAD_HEADERS, type TUploadResponse } from '@pocketping/protocol';
import { hashPassword } from '../../apps/web/src/server/auth/password';
import { connectVisitor } from './widget-client.js';
import { SHOTS, bootDashboardStack, signInNewOwner, type TDashboardStack } from './dashboard-stack.js';

const PASSWORD = 'correct horse battery';
const ORIGIN = 'https://inbox-shop.example.test';
/** A 1×1 PNG: a real image, so the upload's type sniffing accepts it. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

let stack: TDashboardStack;
let db: TDb;
let webUrl: string;
let realtimeUrl: string;
let browser: Browser;

beforeAll(async () => {
  stack = await bootDashboardStack({ realtime: true });
  ({ db, webUrl, browser } = stack);
  realtimeUrl = stack.realtimeUrl!;
});

afterAll(async () => stack?.stop());

describe('inbox in the browser', () => {
  it('shows visitor messages live, replies to the widget, keeps notes internal, closes', async () => {
    const email = `ines-${randomBytes(3).toString('hex')}@example.test`;
    const { organization, userId } = await createOrganizationWithOwner(db, {
      email,
      orgName: 'Inbox Co',
      userName: 'Ines Operator',
    });
    await db.user.update({
      where: { id: userId },
      data: { emailVerified: new Date(), passwordHash: await hashPassword(PASSWORD) },
    });
    const project = await createProject(db, organization.id, { name: 'Inbox Shop', allowedOrigins: [ORIGIN] });
    const inbox = `/app/o/${organization.id}/p/${project.id}/inbox`;

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(`${webUrl}/login?next=${encodeURIComponent(inbox)}`);
    await page.getByLabel('Email', { exact: true }).first().fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === inbox);
    await page.locator('.inbox-live[data-state=live]').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator('.inbox-empty').textContent()).toContain('No open conversations');

    // A visitor writes: the row appears without a reload.
    const visitor = await connectVisitor(realtimeUrl, { projectKey: project.publicKey, origin: ORIGIN });
    const sent = await visitor.send('Hello, is the blue mug back in stock?');
    if (!sent.ok) throw new Error('visitor send failed');
    const row = page.locator(`[data-conversation-id="${sent.message.conversationId}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain('blue mug');
    expect(await row.locator('.badge.unread').textContent()).toBe('1');
    // The visitor is on the site: the row says so.
    await expect.poll(() => row.locator('[data-testid=online-dot]').count(), { timeout: 15_000 }).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'inbox-list.png'), fullPage: true });

    // The conversation view: reply from the web → the visitor's widget socket receives it.
    await row.click();
    await page.waitForURL((u) => u.pathname === `${inbox}/${sent.message.conversationId}`);
    await page.locator('.inbox-live[data-state=live]').waitFor({ timeout: 15_000 });
    await page.getByLabel('Reply to the visitor').fill('Yes! It is back since Monday.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await waitFor(() => visitor.received.find((m) => m.body === 'Yes! It is back since Monday.'), {
      what: 'reply at the widget',
      timeoutMs: 15_000,
    });
    expect(visitor.received.find((m) => m.body === 'Yes! It is back since Monday.')).toMatchObject({
      sender: 'operator',
      authorName: 'Ines Operator',
      source: 'web',
    });

    // The visitor's presence is shown, and a file they send is a link through the web app (session + tenant check).
    const presence = page.locator('[data-testid=visitor-online]');
    await expect.poll(() => presence.getAttribute('data-online'), { timeout: 15_000 }).toBe('true');
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'mug photo.png');
    const up = await fetch(`${realtimeUrl}/widget/uploads`, {
      method: 'POST',
      headers: {
        origin: ORIGIN,
        [UPLOAD_HEADERS.projectKey]: project.publicKey,
        [UPLOAD_HEADERS.visitorToken]: visitor.session.visitorToken ?? '',
      },
      body: form,
    });
    const uploaded = (await up.json()) as TUploadResponse;
    if (!uploaded.ok) throw new Error(`upload refused: ${JSON.stringify(uploaded.error)}`);
    const withFile = await visitor.socket.timeout(10_000).emitWithAck('message:send', {
      body: 'This one',
      clientId: 'c-inbox-file-0001',
      attachmentIds: [uploaded.attachment.id],
    });
    expect(withFile).toMatchObject({ ok: true });
    const link = page.locator('[data-testid=attachment] a[download]');
    await link.waitFor({ timeout: 15_000 });
    expect(await link.textContent()).toBe('mug photo.png');
    const href = (await link.getAttribute('href'))!;
    expect(href).toBe(
      `/api/app/orgs/${organization.id}/projects/${project.id}/conversations/${sent.message.conversationId}/attachments/${uploaded.attachment.id}?download=1`,
    );
    const download = await page.request.get(`${webUrl}${href}`);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-disposition']).toBe(`attachment; filename*=UTF-8''mug%20photo.png`);
    expect(Buffer.from(await download.body()).equals(PNG)).toBe(true);
    // The thumbnail loaded through the same route; without the session cookie the route refuses.
    await expect
      .poll(
        () =>
          page
            .locator('[data-testid=attachment] img')
            .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
        { timeout: 15_000 },
      )
      .toBe(1);
    expect((await fetch(`${webUrl}${href}`)).status).toBe(401);

    // The visitor answers: it shows in the open view without a reload.
    await visitor.send('Great, thanks!');
    await expect
      .poll(() => page.locator('[data-testid=thread]').textContent(), { timeout: 15_000 })
      .toContain('Great, thanks!');

    // An internal note: shown as a note here, never sent to the widget.
    await page.getByRole('tab', { name: 'Internal note' }).click();
    await page.getByLabel('Internal note for your team').fill('Regular customer, offer free shipping');
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect.poll(() => page.locator('.msg.note').textContent(), { timeout: 15_000 }).toContain('Regular customer');
    await page.screenshot({ path: path.join(SHOTS, 'inbox-conversation.png'), fullPage: true });

    // Close → the widget hears it; the page shows "closed".
    const closed = new Promise<unknown>((resolve) => visitor.socket.once('conversation', resolve));
    await page.getByRole('button', { name: 'Close conversation' }).click();
    expect(await closed).toMatchObject({ conversationId: sent.message.conversationId, status: 'closed' });
    await page.getByRole('button', { name: 'Reopen' }).waitFor({ timeout: 15_000 });
    expect(visitor.received.some((m) => m.body.includes('free shipping'))).toBe(false);

    // Phone-sized screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, 'inbox-conversation-mobile.png'), fullPage: true });
    // The visitor leaves (last tab closed): the view says "offline" without a reload.
    visitor.close();
    await expect.poll(() => presence.getAttribute('data-online'), { timeout: 15_000 }).toBe('false');
    await ctx.close();
  });
});

describe('inbox assignment and tags in the browser', () => {
  it('assign to me → shows in Mine; tag → filter; another screen updates live; at 1280 px and 390 px', async () => {
    const { page, organizationId, project } = await signInNewOwner(stack, { orgName: 'Assign Co' });
    const ctx = page.context();
    const { userId } = await db.membership.findFirstOrThrow({ where: { organizationId } });
    const bob = await createUser(db, {
      email: `bob-${randomBytes(3).toString('hex')}@example.test`,
      name: 'Bob Agent',
    });
    await createMembership(db, organizationId, bob.id, 'agent');
    const seed = async (name: string, body: string) => {
      const v = await createVisitor(db, organizationId, {
        projectId: project.id,
        tokenHash: randomBytes(32).toString('hex'),
      });
      await db.visitor.update({ where: { id: v.id }, data: { name } });
      const c = await getOrCreateOpenConversation(db, organizationId, { projectId: project.id, visitorId: v.id });
      await appendMessage(db, organizationId, {
        conversationId: c.id,
        sender: 'visitor',
        body,
        source: 'widget',
        deliver: false,
      });
      return c.id;
    };
    const first = await seed('Fiona First', 'Where is my parcel?');
    const second = await seed('Sam Second', 'Do you ship to Norway?');
    const inbox = `/app/o/${organizationId}/p/${project.id}/inbox`;

    // Desktop: assign the first conversation to me, tag it.
    await page.goto(`${webUrl}${inbox}/${first}`);
    await page.getByRole('button', { name: 'Assign to me' }).click();
    await expect
      .poll(() => page.locator('[data-testid=trace]').allTextContents(), { timeout: 15_000 })
      .toEqual([expect.stringContaining('Olive Owner (via the dashboard) assigned this conversation to Olive Owner')]);
    expect(await page.getByTestId('assignee-select').inputValue()).toBe(userId);
    await page.getByTestId('tag-input').fill('  Shipping ');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('conversation-tags').textContent(), { timeout: 15_000 })
      .toContain('shipping');
    // A tag too long is refused in words next to the field; nothing is cut.
    await page.getByTestId('tag-input').fill('x'.repeat(33));
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    expect(await page.locator('[data-field-error=tag]').textContent()).toBe('A tag is 1 to 32 characters.');
    await page.screenshot({
      path: path.join(REPO_ROOT, 'docs/screenshots/conversation-assignment-tags.png'),
      fullPage: true,
    });

    // The list: Mine (1) holds it with "You" and its tag; Unassigned (1) the other one.
    await page.goto(`${webUrl}${inbox}`);
    const filter = page.getByTestId('assignee-filter');
    expect(await filter.locator('[data-filter=mine] .count').textContent()).toBe('1');
    expect(await filter.locator('[data-filter=unassigned] .count').textContent()).toBe('1');
    await filter.locator('[data-filter=mine]').click();
    await page.waitForURL((u) => u.searchParams.get('assignee') === 'mine');
    const rows = page.locator('[data-testid=inbox-list] [data-conversation-id]');
    await expect
      .poll(() => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-conversation-id'))))
      .toEqual([first]);
    expect(await rows.first().getByTestId('row-assignee').textContent()).toBe('→ You');
    expect(await rows.first().getByTestId('row-tag').allTextContents()).toEqual(['shipping']);
    // The tag filter (suggested from the project's tags), with every assignee.
    await filter.locator('[data-filter=all]').click();
    await page.waitForURL((u) => !u.searchParams.has('assignee'));
    await page.getByTestId('tag-filter').selectOption('shipping');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL((u) => u.searchParams.get('tag') === 'shipping');
    await expect
      .poll(() => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-conversation-id'))))
      .toEqual([first]);
    await page.screenshot({ path: path.join(REPO_ROOT, 'docs/screenshots/inbox-assignment-tags.png'), fullPage: true });

    // Phone: the same lists work at 390 px, and an assignment made on another screen shows without a reload.
    // The same session on a phone-sized screen (a second device of the same member).
    const phoneCtx = await browser.newContext({
      viewport: { width: 390, height: 844 },
      storageState: await ctx.storageState(),
    });
    const phone = { ctx: phoneCtx, page: await phoneCtx.newPage() };
    await phone.page.goto(`${webUrl}${inbox}?assignee=unassigned`);
    await phone.page.locator('.inbox-live[data-state=live]').waitFor({ timeout: 15_000 });
    const phoneRow = phone.page.locator(`[data-conversation-id="${second}"]`);
    await phoneRow.waitFor();
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.goto(`${webUrl}${inbox}/${second}`);
    await page.getByTestId('assignee-select').selectOption(bob.id);
    await expect.poll(() => phoneRow.count(), { timeout: 15_000 }).toBe(0);
    expect(await phone.page.locator('[data-filter=unassigned] .count').textContent()).toBe('0');
    await phone.page.locator('[data-filter=all]').click();
    await phone.page.waitForURL((u) => !u.searchParams.has('assignee'));
    await expect
      .poll(() => phone.page.locator(`[data-conversation-id="${second}"] [data-testid=row-assignee]`).textContent())
      .toBe('→ Bob Agent');
    await phone.page.screenshot({ path: path.join(SHOTS, 'inbox-assign-list-mobile.png'), fullPage: true });
    // The conversation on the phone: reply box in the first screen, assignment and tags below it, usable.
    await phone.page.goto(`${webUrl}${inbox}/${first}`);
    const select = phone.page.getByTestId('assignee-select');
    expect(await select.inputValue()).toBe(userId);
    await select.selectOption('');
    await expect
      .poll(() => phone.page.locator('[data-testid=trace]').allTextContents(), { timeout: 15_000 })
      .toEqual(
        expect.arrayContaining([
          expect.stringContaining('Olive Owner (via the dashboard) unassigned this conversation'),
        ]),
      );
    await phone.page.getByRole('button', { name: 'Remove tag shipping' }).click();
    await expect.poll(() => phone.page.getByTestId('conversation-tags').count(), { timeout: 15_000 }).toBe(0);
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.page.screenshot({ path: path.join(SHOTS, 'inbox-assign-conversation-mobile.png'), fullPage: true });
    await phone.ctx.close();
    await ctx.close();
  });
});
