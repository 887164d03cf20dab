import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, REPO_ROOT, waitFor } from '@pocketping/testkit';
import { bootStack, type TStack } from './boot-stack.js';

const SHOTS = path.join(REPO_ROOT, 'artifacts/screenshots');

// The same round trip, driven from a real browser: the demo page on the web origin embeds the snippet, whose
// loader comes from the realtime origin (another origin, as on a customer's site).
describe('widget in headless Chromium', () => {
  let stack: TStack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    stack = await bootStack({ smtp: true });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  // Playwright's CSS engine pierces open shadow roots, so these reach inside the widget's shadow DOM.
  const pp = (hook: string) => page.locator(`[data-pp="${hook}"]`);

  it('sends from the widget, shows the operator reply, survives a reload', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) =>
      m.type() === 'error' && !m.text().startsWith('Failed to load resource')
        ? consoleErrors.push(m.text())
        : undefined,
    );
    const badResponses: string[] = [];
    page.on('response', (r) =>
      r.status() >= 400 && !r.url().endsWith('/favicon.ico')
        ? badResponses.push(`${r.status()} ${r.url()}`)
        : undefined,
    );
    const demo = await page.goto(`${stack.webUrl}/demo?key=${stack.tenantA.projectKey}`);
    // The page runs under its CSP (a violation would be a console error, asserted below) and cannot be framed.
    expect(demo!.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(demo!.headers()['x-frame-options']).toBe('DENY');

    await pp('launcher').click();
    await pp('input').fill('Hello from <script>alert(1)</script> Chromium');
    await pp('input').press('Enter');

    const visitorBubble = pp('message').filter({ hasText: 'Chromium' });
    await expect.poll(() => visitorBubble.count(), { timeout: 15_000 }).toBe(1);
    // Shown as text: the markup is visible characters, not an element.
    expect(await visitorBubble.innerText()).toContain('<script>alert(1)</script>');
    expect(await page.locator('[data-pp="message"] script').count()).toBe(0);

    const topic = await waitFor(() => stack.telegram.topics(stack.tenantA.chatId!)[0], { what: 'topic' });
    await waitFor(
      () => stack.telegram.messages(stack.tenantA.chatId!, topic.threadId).some((m) => m.text?.includes('Chromium')),
      { what: 'post in topic' },
    );
    // The topic opens with a visitor card naming the page the visitor is on.
    const card = stack.telegram.messages(stack.tenantA.chatId!, topic.threadId)[0]!;
    expect(card.text).toContain(`Page: ${stack.webUrl}/demo?key=${stack.tenantA.projectKey}`);
    await stack.telegram.operatorWrites({
      token: stack.tenantA.botToken!,
      chatId: stack.tenantA.chatId!,
      threadId: topic.threadId,
      text: 'Welcome, browser visitor!',
      from: { id: 77, first_name: 'Sarah' },
    });

    const reply = page
      .locator('[data-pp="message"][data-sender="operator"]')
      .filter({ hasText: 'Welcome, browser visitor!' });
    await expect.poll(() => reply.count(), { timeout: 15_000 }).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'widget-round-trip.png') });

    // Reload: the visitor token in localStorage resumes the same visitor and conversation.
    await page.reload();
    // The panel was open before the reload, so the widget reopens it by itself (no click: that would toggle it).
    await expect.poll(() => pp('panel').isVisible(), { timeout: 15_000 }).toBe(true);
    await expect
      .poll(() => page.locator('[data-pp="message"]').filter({ hasText: 'Welcome, browser visitor!' }).count(), {
        timeout: 15_000,
      })
      .toBe(1);
    await expect.poll(() => page.locator('[data-pp="message"]').filter({ hasText: 'Chromium' }).count()).toBe(1);
    expect(stack.telegram.callsOf('createForumTopic')).toHaveLength(1);
    expect(consoleErrors).toEqual([]);
    expect(badResponses).toEqual([]);
    await context.close();
  });

  it('a reply while the panel is closed shows a preview bubble that opens it; emoji; the conversation by email', async () => {
    // A phone first (the panel is full screen there), then a desktop window for the bubble beside the launcher.
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    page = await context.newPage();
    await page.goto(`${stack.webUrl}/demo?key=${stack.tenantA.projectKey}`);
    await pp('launcher').click();
    await pp('input').fill('Hello from a phone');
    await pp('input').press('Enter');
    const topic = await waitFor(
      () =>
        stack.telegram
          .topics(stack.tenantA.chatId!)
          .find((t) =>
            stack.telegram.messages(stack.tenantA.chatId!, t.threadId).some((m) => m.text?.includes('from a phone')),
          ),
      { what: 'topic of the phone visitor' },
    );
    await pp('close').click();
    const operatorSays = (text: string) =>
      stack.telegram.operatorWrites({
        token: stack.tenantA.botToken!,
        chatId: stack.tenantA.chatId!,
        threadId: topic.threadId,
        text,
        from: { id: 78, first_name: 'Sarah' },
      });
    await operatorSays('We are **looking** into it <img src=x onerror=alert(1)>');

    // The bubble: sender and the reply's words as text, the unread count on the launcher.
    await pp('preview').waitFor({ timeout: 15_000 });
    expect(await pp('preview').innerText()).toContain('We are looking into it <img src=x onerror=alert(1)>');
    expect(await pp('preview').locator('strong').innerText()).toBe('Sarah');
    expect(await page.locator('[data-pp="preview"] img').count()).toBe(0);
    expect(await pp('unread').innerText()).toBe('1');
    await page.screenshot({ path: path.join(SHOTS, 'widget-preview-bubble-phone.png') });
    await pp('preview-open').click();
    await pp('panel').waitFor();
    expect(await pp('preview').count()).toBe(0);
    expect(await pp('unread').count()).toBe(0);

    // Emoji: picked from the composer's picker (extras.js), inserted into the draft.
    await pp('input').fill('Thanks ');
    await pp('emoji').click();
    await pp('emoji-picker').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'widget-emoji-phone.png') });
    await pp('emoji-option').first().click();
    await expect.poll(() => pp('input').inputValue()).toBe('Thanks 😀');
    expect(await pp('emoji-picker').count()).toBe(0);

    // "Email me this conversation" from the menu: no email known yet, so the widget asks for it.
    await pp('menu').click();
    await pp('transcript').click();
    await pp('transcript-form').locator('input').fill('phone.visitor@example.test');
    await page.screenshot({ path: path.join(SHOTS, 'widget-transcript-phone.png') });
    await pp('transcript-form').locator('button[type=submit]').click();
    await pp('transcript-sent').waitFor({ timeout: 15_000 });
    const mail = await stack.smtp!.waitForMail('phone.visitor@example.test', () => true, 30_000);
    expect(mail.subject).toMatch(/^Your conversation with /);
    expect(mail.text).toContain('> Hello from a phone');
    expect(mail.text).toContain('Sarah · ');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');

    // On a desktop window the bubble sits above the launcher, on its side, inside the viewport.
    await page.setViewportSize({ width: 1200, height: 800 });
    await pp('close').click();
    await operatorSays('One more thing');
    await pp('preview').waitFor({ timeout: 15_000 });
    const bubble = (await pp('preview').boundingBox())!;
    const launcher = (await pp('launcher').boundingBox())!;
    expect(bubble.y + bubble.height).toBeLessThanOrEqual(launcher.y);
    expect(bubble.x + bubble.width).toBeLessThanOrEqual(1200);
    expect(bubble.x + bubble.width).toBeGreaterThan(launcher.x);
    await pp('preview-dismiss').click();
    expect(await pp('preview').count()).toBe(0);
    // Dismissed, not read: the launcher still counts it.
    expect(await pp('unread').innerText()).toBe('1');
    await context.close();
  });

  it('/demo shows only the demo project outside development; pages and API answers carry the security headers', async () => {
    const other = await fetch(`${stack.webUrl}/demo?key=pk_someone_elses_project_key`);
    expect(other.status).toBe(404);
    for (const p of ['/login', '/demo', '/api/health', '/api/app/me']) {
      const res = await fetch(`${stack.webUrl}${p}`, { redirect: 'manual' });
      expect(res.headers.get('x-frame-options'), p).toBe('DENY');
      expect(res.headers.get('content-security-policy'), p).toContain("frame-ancestors 'none'");
      expect(res.headers.get('referrer-policy'), p).toBe('strict-origin-when-cross-origin');
      expect(res.headers.get('x-content-type-options'), p).toBe('nosniff');
    }
    // Framing is refused by the browser itself.
    const ctx = await browser.newContext();
    const framer = await ctx.newPage();
    await framer.route('http://framer.test/', (r) =>
      r.fulfill({ contentType: 'text/html', body: `<iframe id="f" src="${stack.webUrl}/login"></iframe>` }),
    );
    await framer.goto('http://framer.test/');
    await expect.poll(async () => framer.frames().length).toBe(2);
    // Chromium swaps a refused frame for its error page (unframed, the frame would be at /login).
    await expect.poll(() => framer.frames()[1]!.url()).toMatch(/^chrome-error:/);
    await ctx.close();
  });

  it('a page on an origin that is not allowed gets no chat', async () => {
    const context = await browser.newContext();
    const p = await context.newPage();
    // 127.0.0.1 vs localhost: same server, another origin, not in the project's list.
    await p.goto(`${stack.webUrl.replace('127.0.0.1', 'localhost')}/demo?key=${stack.tenantA.projectKey}`);
    await p.locator('[data-pp="launcher"]').click();
    await expect.poll(() => p.locator('[data-pp="status"]').innerText(), { timeout: 15_000 }).toMatch(/not allowed/i);
    await context.close();
  });
});
