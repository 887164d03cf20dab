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
    stack = await bootStack();
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
