// The inbox in the built web app (`next start`) and the real realtime server, in headless Chromium: a visitor's
// message appears in the list without a reload (dashboard socket), the conversation view updates live, a reply from
// the web reaches the visitor's widget socket, an internal note never does, and closing reaches the widget too.
// Screenshots: artifacts/screenshots/inbox-*.png.
// Build first into your own folder: `cd apps/web && NEXT_DIST_DIR=.next-x pnpm exec next build --webpack`, then run
// with the same NEXT_DIST_DIR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { waitFor } from '@pocketping/testkit';
import { createOrganizationWithOwner, createProject, type TDb } from '@pocketping/db';
import { UPLOAD_HEADERS, type TUploadResponse } from '@pocketping/protocol';
import { hashPassword } from '../../apps/web/src/server/auth/password';
import { connectVisitor } from './widget-client.js';
import { SHOTS, bootDashboardStack, type TDashboardStack } from './dashboard-stack.js';

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
