// Issue 16's inbox defects in headless Chromium, against the built web app (`next start`) and the real realtime
// server: typing both ways between the widget and the conversation page, the reply box's 4,000-character limit
// (a counter, never a silent cut), a visitor message rendered with the widget's Markdown (and no injected HTML), and
// a closed conversation pointing to the visitor's newer one ("visitor wrote again"); the reply box's tools (a saved
// reply with `/`, an emoji, an image attached or pasted) at desktop and phone widths; a desktop notification for a
// visitor's message and the visitor context (local time, pages, folded on a phone).
// Screenshots: artifacts/screenshots/{saved-replies,reply-saved-list-*,reply-emoji-*}.png.
// Build first into your own folder: `cd apps/web && NEXT_DIST_DIR=.next-x pnpm exec next build --webpack`, then run
// with the same NEXT_DIST_DIR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { waitFor } from '@pocketping/testkit';
import { createOrganizationWithOwner, createProject, createSavedReply, type TDb } from '@pocketping/db';
import type { TMessage, TTypingEvent } from '@pocketping/protocol';
import { hashPassword } from '../../apps/web/src/server/auth/password';
import { connectVisitor } from './widget-client.js';
import { bootDashboardStack, signInNewOwner, SHOTS, type TDashboardStack } from './dashboard-stack.js';

const PASSWORD = 'correct horse battery';
const ORIGIN = 'https://typing-shop.example.test';

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

describe('inbox conversation page, live', () => {
  it('typing both ways, the character limit, Markdown like the widget, and "visitor wrote again"', async () => {
    const email = `tara-${randomBytes(3).toString('hex')}@example.test`;
    const { organization, userId } = await createOrganizationWithOwner(db, {
      email,
      orgName: 'Typing Co',
      userName: 'Tara Operator',
    });
    await db.user.update({
      where: { id: userId },
      data: { emailVerified: new Date(), passwordHash: await hashPassword(PASSWORD) },
    });
    const project = await createProject(db, organization.id, { name: 'Typing Shop', allowedOrigins: [ORIGIN] });
    const inbox = `/app/o/${organization.id}/p/${project.id}/inbox`;

    const visitor = await connectVisitor(realtimeUrl, { projectKey: project.publicKey, origin: ORIGIN });
    const body =
      'I need **this** one <img src=x onerror="window.__pwned=1"> [see](javascript:alert(1)) https://shop.example.test/mug';
    const sent = await visitor.send(body);
    if (!sent.ok) throw new Error('visitor send failed');
    const conversationId = sent.message.conversationId;

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(`${webUrl}/login?next=${encodeURIComponent(`${inbox}/${conversationId}`)}`);
    await page.getByLabel('Email', { exact: true }).first().fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === `${inbox}/${conversationId}`);
    await page.locator('.inbox-live[data-state=live]').waitFor({ timeout: 15_000 });

    // Markdown as the widget renders it (one parser), and nothing the visitor wrote becomes markup or a script link.
    const bubble = page.locator('.msg.visitor .bubble').first();
    expect(await bubble.locator('strong').innerText()).toBe('this');
    expect(await bubble.locator('img').count()).toBe(0);
    expect(await bubble.innerText()).toContain('<img src=x onerror="window.__pwned=1">');
    expect(await bubble.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual([
      'https://shop.example.test/mug',
    ]);
    expect(await bubble.innerText()).toContain('[see](javascript:alert(1))');
    expect(await page.evaluate('typeof globalThis.__pwned')).toBe('undefined');

    // Visitor → inbox: "Visitor is typing…" while they type, gone when they stop.
    const typingNote = page.locator('[data-testid=visitor-typing]');
    expect(await typingNote.count()).toBe(0);
    expect(await visitor.socket.timeout(5_000).emitWithAck('typing:update', { isTyping: true })).toEqual({ ok: true });
    await expect.poll(() => typingNote.count(), { timeout: 10_000 }).toBe(1);
    expect(await typingNote.innerText()).toBe('Visitor is typing…');
    await visitor.socket.timeout(5_000).emitWithAck('typing:update', { isTyping: false });
    await expect.poll(() => typingNote.count(), { timeout: 10_000 }).toBe(0);

    // Inbox → visitor: the operator types a reply; the widget hears "Tara Operator is typing", then the stop.
    const typing: TTypingEvent[] = [];
    visitor.socket.on('typing', (e: TTypingEvent) => typing.push(e));
    const box = page.getByLabel('Reply to the visitor');
    await box.pressSequentially('Let me check', { delay: 15 });
    await waitFor(() => typing.find((e) => e.isTyping), { what: 'operator typing at the widget', timeoutMs: 10_000 });
    expect(typing[0]).toEqual({ sender: 'operator', authorName: 'Tara Operator', isTyping: true });
    await box.fill('');
    await box.press('Backspace');
    await waitFor(() => typing.find((e) => !e.isTyping), { what: 'operator stopped typing', timeoutMs: 10_000 });

    // The reply box: a counter near the limit, a clear message over it, Send disabled, and the text kept whole.
    const count = page.locator('[data-testid=composer-count]');
    await box.fill('x'.repeat(3_600));
    await expect.poll(() => count.getAttribute('data-state')).toBe('near');
    expect(await count.innerText()).toBe('400 characters left');
    await box.fill('y'.repeat(4_120));
    await expect.poll(() => count.getAttribute('data-state')).toBe('over');
    expect(await count.innerText()).toBe('Too long: 4,120 of 4,000 characters. Shorten it by 120 to send.');
    expect(await box.inputValue()).toHaveLength(4_120);
    expect(await page.getByRole('button', { name: 'Send reply' }).isDisabled()).toBe(true);
    await box.fill('');

    // Closed, then the visitor writes again: a new conversation, and the closed one's page points to it.
    await page.getByRole('button', { name: 'Close conversation' }).click();
    await page.getByRole('button', { name: 'Reopen' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid=wrote-again]').count()).toBe(0);
    const again = await visitor.send('Hello again, one more thing');
    if (!again.ok) throw new Error('second send failed');
    expect(again.message.conversationId).not.toBe(conversationId);
    const link = page.locator('[data-testid=wrote-again] a');
    // Without a reload: the closed page re-renders when a conversation opens in the project.
    await link.waitFor({ timeout: 15_000 });
    expect(await link.getAttribute('href')).toBe(`${inbox}/${again.message.conversationId}`);
    await link.click();
    await page.waitForURL((u) => u.pathname === `${inbox}/${again.message.conversationId}`);
    await expect
      .poll(() => page.locator('[data-testid=thread]').textContent(), { timeout: 15_000 })
      .toContain('Hello again, one more thing');
    visitor.close();
    await ctx.close();
  });
});

/** A real 1×1 PNG (the server sniffs the type from these bytes). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

describe('reply box tools', () => {
  it('a saved reply with /, an emoji and an image reach the visitor, at 1280 and 390 px', async () => {
    const { page, organizationId, project } = await signInNewOwner(stack, {
      orgName: 'Tools Co',
      allowedOrigins: [ORIGIN],
    });
    await createSavedReply(db, organizationId, project.id, {
      title: 'Opening hours',
      shortcut: 'hours',
      body: '9 to 5',
    });
    // The management page (linked from the nav): a taken shortcut is an error next to its field, then the reply is added.
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Saved replies' }).click();
    await page.waitForURL((u) => u.pathname.endsWith('/saved-replies'));
    const form = page.getByRole('form', { name: 'New saved reply' });
    await form.getByLabel('Title').fill('Refund on its way');
    await form.getByLabel('Shortcut').fill('hours');
    await form.getByLabel('Message').fill('Hi {visitor.name}, your refund is on its way. {operator.name}');
    await form.getByRole('button', { name: 'Add saved reply' }).click();
    const fieldError = form.locator('[data-field-error=saved-new-shortcut]');
    await fieldError.waitFor();
    expect(await fieldError.innerText()).toBe('Already used by another saved reply of this project.');
    expect(await form.getByLabel('Shortcut').getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('Shortcut').fill('refund');
    await form.getByRole('button', { name: 'Add saved reply' }).click();
    await page.locator('[data-testid=saved-reply][data-shortcut=refund]').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'saved-replies.png'), fullPage: true });
    const visitor = await connectVisitor(realtimeUrl, { projectKey: project.publicKey, origin: ORIGIN });
    const first = await visitor.send('Where is my refund?');
    if (!first.ok) throw new Error('visitor send failed');
    const conversationId = first.message.conversationId;
    await db.visitor.update({ where: { id: visitor.session.visitorId }, data: { name: 'Vera' } });
    const conversationPath = `/app/o/${organizationId}/p/${project.id}/inbox/${conversationId}`;

    for (const [width, height, attachBy] of [
      [1280, 900, 'button'],
      [390, 844, 'paste'],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.goto(`${webUrl}${conversationPath}`);
      const box = page.getByLabel('Reply to the visitor');
      // `/` + the start of a shortcut: an accessible list, the arrows and Enter choose, the text stays editable.
      await box.pressSequentially('/re');
      const list = page.getByRole('listbox', { name: 'Saved replies' });
      await list.waitFor();
      expect(await box.getAttribute('aria-expanded')).toBe('true');
      expect(await list.getByRole('option').count()).toBe(1);
      expect(await list.getByRole('option').first().getAttribute('aria-selected')).toBe('true');
      await box.press('Enter');
      await expect.poll(() => box.inputValue()).toBe('Hi Vera, your refund is on its way. Olive Owner');
      expect(await list.isHidden()).toBe(true);
      // Escape closes the list and leaves the text as typed.
      const saved = await box.inputValue();
      await box.fill('#');
      await list.waitFor();
      expect(await list.getByRole('option').count()).toBe(2);
      await page.screenshot({ path: path.join(SHOTS, `reply-saved-list-${width}.png`) });
      await box.press('Escape');
      await list.waitFor({ state: 'hidden' });
      expect(await box.inputValue()).toBe('#');
      await box.fill(saved);

      // An emoji at the caret (here: the end), from the keyboard-reachable grid.
      await box.press('End');
      await page.getByRole('button', { name: 'Insert emoji' }).click();
      const panel = page.getByRole('dialog', { name: 'Emoji' });
      await panel.getByRole('button', { name: 'thumbs up' }).waitFor();
      await page.screenshot({ path: path.join(SHOTS, `reply-emoji-${width}.png`) });
      await panel.getByRole('button', { name: 'thumbs up' }).click();
      await panel.waitFor({ state: 'hidden' });
      const text = `${saved}👍`;
      await expect.poll(() => box.inputValue()).toBe(text);

      // An image, chosen with Attach (desktop) or pasted from the clipboard (phone).
      const fileName = `receipt-${width}.png`;
      if (attachBy === 'button') {
        await page.locator('#composer-file').setInputFiles({ name: fileName, mimeType: 'image/png', buffer: PNG });
      } else {
        await box.evaluate(
          (el, { bytes, name }) => {
            const dt = new DataTransfer();
            dt.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/png' }));
            el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
          },
          { bytes: [...PNG], name: fileName },
        );
      }
      await page.locator('[data-testid=composer-file][data-state=ready]').waitFor({ timeout: 15_000 });
      // Nothing of the reply box overflows a phone screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      expect(await page.getByRole('button', { name: 'Send reply' }).isVisible()).toBe(true);

      const before = visitor.received.length;
      await page.getByRole('button', { name: 'Send reply' }).click();
      const got = await waitFor(
        () => visitor.received.slice(before).find((m: TMessage) => m.body === text && m.attachments.length === 1),
        { what: `reply with the image at the widget (${width} px)`, timeoutMs: 15_000 },
      );
      expect(got).toMatchObject({ sender: 'operator', authorName: 'Olive Owner' });
      expect(got.attachments[0]).toMatchObject({ name: fileName, contentType: 'image/png', size: PNG.length });
      const file = await fetch(got.attachments[0]!.url!);
      expect(file.status).toBe(200);
      expect(Buffer.from(await file.arrayBuffer()).equals(PNG)).toBe(true);
      // The conversation shows it too: the text with its emoji and the image as a thumbnail.
      const mine = page.locator('.msg.operator').last();
      await expect.poll(() => mine.textContent(), { timeout: 15_000 }).toContain(text);
      await mine.locator('[data-testid=attachment] img').waitFor();
      expect(await box.inputValue()).toBe('');
      expect(await page.locator('[data-testid=composer-file]').count()).toBe(0);
    }
    await page.context().close();
    visitor.close();
  });
});

/** Replaces the page's Notification with a recorder (the real permission kept), before any script of the page. */
const RECORD_NOTIFICATIONS = `
  const Real = window.Notification;
  window.__notes = [];
  window.Notification = class {
    static get permission() { return Real.permission; }
    static requestPermission() { return Real.requestPermission(); }
    constructor(title, options) { window.__notes.push({ title, body: options && options.body }); this.onclick = null; }
    close() {}
  };
`;

describe('inbox alerts and the visitor context', () => {
  it('a desktop notification for a visitor message; local time and pages, live, folded at 390 px', async () => {
    const origin = 'https://alerts-shop.example.test';
    const { page, organizationId, project } = await signInNewOwner(stack, {
      orgName: 'Alerts Co',
      allowedOrigins: [origin],
    });
    const ctx = page.context();
    await ctx.grantPermissions(['notifications'], { origin: webUrl });
    await ctx.addInitScript({ content: RECORD_NOTIFICATIONS });
    await page.reload();
    // Permission granted: the inbox shows the switch (on by default) instead of the "Turn on" button.
    const desktop = page.getByLabel('Desktop notifications');
    await desktop.waitFor({ timeout: 15_000 });
    expect(await desktop.isChecked()).toBe(true);
    await page.locator('.inbox-live[data-state=live]').waitFor({ timeout: 15_000 });
    // A second inbox tab of the same browser: one notification between them, not one each.
    const tab2 = await ctx.newPage();
    await tab2.goto(page.url());
    await tab2.locator('.inbox-live[data-state=live]').waitFor({ timeout: 15_000 });

    const now = Date.now();
    const visitor = await connectVisitor(realtimeUrl, {
      projectKey: project.publicKey,
      origin,
      auth: {
        timeZone: 'Asia/Tokyo',
        pages: [
          [`${origin}/`, now - 30_000],
          [`${origin}/pricing`, now - 5_000],
        ],
        now,
      },
    });
    const sent = await visitor.send('Is the blue mug in stock?');
    if (!sent.ok) throw new Error('visitor send failed');
    const notes = async () =>
      (
        await Promise.all(
          [page, tab2].map((p) => p.evaluate(() => (window as unknown as { __notes: unknown[] }).__notes)),
        )
      ).flat();
    await expect
      .poll(notes, { timeout: 15_000 })
      .toEqual([{ title: `Visitor #${visitor.session.visitorId.slice(-4)}`, body: 'Is the blue mug in stock?' }]);
    // (The other tab had the same event: given time, it still shows nothing.)
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await notes()).toHaveLength(1);
    await tab2.close();

    await page.goto(`${webUrl}/app/o/${organizationId}/p/${project.id}/inbox/${sent.message.conversationId}`);
    const clock = page.getByTestId('visitor-local-time');
    await clock.waitFor({ timeout: 15_000 });
    expect(await clock.innerText()).toMatch(/^\d{2}:\d{2} \(Asia\/Tokyo\)$/);
    const pages = page.getByTestId('visitor-pages');
    expect(await pages.innerText()).toMatch(/\/pricing[\s\S]*alerts-shop\.example\.test\/ ·/);
    // An in-page navigation in the widget appears without a reload (once this page's socket is live).
    await page.locator('.inbox-live[data-state=live]').waitFor({ timeout: 15_000 });
    const navigated = await visitor.socket.timeout(10_000).emitWithAck('pages', {
      pages: [
        [`${origin}/`, now - 30_000],
        [`${origin}/pricing`, now - 5_000],
        [`${origin}/checkout`, Date.now()],
      ],
      now: Date.now(),
    });
    expect(navigated).toEqual({ ok: true });
    await expect.poll(() => pages.innerText(), { timeout: 15_000 }).toContain('/checkout');

    // A phone: the context starts folded under the reply box, one tap opens it.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    const section = page.getByTestId('visitor-context');
    await expect.poll(() => section.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    await section.locator('summary').click();
    await expect.poll(() => page.getByTestId('visitor-pages').isVisible()).toBe(true);
    visitor.close();
    await ctx.close();
  });
});
