// The complete widget in headless Chromium against the whole stack: reconnect after the realtime service restarts
// (operator replies sent meanwhile arrive once, in order), pre-chat, identify, attachments, CSAT, the unread badge,
// the mobile layout — and screenshots of each state into artifacts/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, REPO_ROOT, freePort, waitFor } from '@pocketping/testkit';
import { bootStack, type TStack } from './boot-stack.js';

const SHOTS = path.join(REPO_ROOT, 'artifacts/screenshots');
/** A real 2×2 PNG, so the browser can decode what the widget shows inline. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);

describe('widget features in headless Chromium', () => {
  let stack: TStack;
  let browser: Browser;
  let db: pg.Client;

  beforeAll(async () => {
    stack = await bootStack();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    db = new pg.Client({ connectionString: stack.db.url });
    await db.connect();
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await db?.end();
    await browser?.close();
    await stack?.stop();
  });

  const demoUrl = () => `${stack.webUrl}/demo?key=${stack.tenantA.projectKey}`;
  /** Realtime caches project lookups for 5 s (apps/realtime/src/widget/authenticate.ts): wait that out. */
  const projectCacheTtl = () => new Promise((r) => setTimeout(r, 5_500));
  const setSettings = async (settings: Record<string, unknown>) => {
    await db.query(`UPDATE "Project" SET settings = settings || $1::jsonb WHERE "publicKey" = $2`, [
      JSON.stringify(settings),
      stack.tenantA.projectKey,
    ]);
    await projectCacheTtl();
  };

  async function openPage(
    viewport = { width: 1200, height: 800 },
  ): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport, locale: 'en-US' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) =>
      m.type() === 'error' && !m.text().startsWith('Failed to load resource') ? errors.push(m.text()) : undefined,
    );
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(demoUrl());
    return { context, page, errors };
  }
  const pp = (page: Page, hook: string) => page.locator(`[data-pp="${hook}"]`);
  const bodies = (page: Page, sender: string) =>
    page.locator(`[data-pp="message"][data-sender="${sender}"] [data-pp="body"]`).allInnerTexts();

  /** The topic of the conversation whose card mentions `marker`'s visitor (each test has its own visitor). */
  async function topicOf(marker: string) {
    const chatId = stack.tenantA.chatId!;
    return waitFor(
      () =>
        stack.telegram
          .topics(chatId)
          .find((t) => stack.telegram.messages(chatId, t.threadId).some((m) => m.text?.includes(marker))),
      { what: `topic with ${marker}`, timeoutMs: 20_000 },
    );
  }
  const operatorWrites = (threadId: number, text: string) =>
    stack.telegram.operatorWrites({
      token: stack.tenantA.botToken!,
      chatId: stack.tenantA.chatId!,
      threadId,
      text,
      from: { id: 77, first_name: 'Sarah' },
    });

  it('works on a page with a strict CSP (nonce + strict-dynamic, no inline styles) and isolates its styles', async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    await db.query(
      `UPDATE "Project" SET "allowedOrigins" = array_append("allowedOrigins", $1) WHERE "publicKey" = $2`,
      [origin, stack.tenantA.projectKey],
    );
    await projectCacheTtl();
    const nonce = 'r4nd0mN0nce';
    const csp = [
      `default-src 'none'`,
      `script-src 'nonce-${nonce}' 'strict-dynamic'`,
      `style-src 'nonce-${nonce}'`,
      `connect-src ${stack.realtimeUrl} ${stack.realtimeUrl.replace('http', 'ws')}`,
      `img-src ${stack.realtimeUrl}`,
    ].join('; ');
    // The page's own CSS is hostile on purpose: it must not reach inside the widget.
    const html = `<!doctype html><html><head><style nonce="${nonce}">button,div{background:red!important;width:10px!important}</style></head>
      <body><h1>Strict CSP</h1><script nonce="${nonce}" async src="${stack.realtimeUrl}/widget/loader.js" data-project-key="${stack.tenantA.projectKey}"></script></body></html>`;
    const server: Server = createServer((_, res) =>
      res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': csp }).end(html),
    );
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const violations: string[] = [];
      page.on('console', (m) =>
        /Content Security Policy|Refused to/i.test(m.text()) ? violations.push(m.text()) : undefined,
      );
      await page.goto(origin);
      await pp(page, 'launcher').click();
      await pp(page, 'input').fill('CSP test message');
      await pp(page, 'input').press('Enter');
      // Sent at once, even if Enter came before the connection: the message waits for it instead of failing.
      await expect.poll(() => page.locator('[data-pp="message"][data-seq]').count(), { timeout: 15_000 }).toBe(1);
      // Our styles applied (nonce on the shadow root's <style>), the page's did not leak in.
      // (Browser globals through casts: the tests' tsconfig has no DOM types.)
      const launcher = await pp(page, 'launcher').evaluate((el) => {
        const style = (
          globalThis as unknown as { getComputedStyle(e: unknown): { width: string; backgroundColor: string } }
        ).getComputedStyle(el);
        return { width: style.width, bg: style.backgroundColor };
      });
      expect(launcher).toEqual({ width: '56px', bg: 'rgb(37, 99, 235)' });
      // And ours do not leak out.
      const h1Font = await page
        .locator('h1')
        .evaluate(
          (el) =>
            (globalThis as unknown as { getComputedStyle(e: unknown): { fontFamily: string } }).getComputedStyle(el)
              .fontFamily,
        );
      expect(h1Font).not.toContain('system-ui');
      expect(violations).toEqual([]);
      await context.close();
    } finally {
      server.close();
    }
  });

  it('reconnects after the realtime service restarts; replies sent meanwhile arrive once, in order', async () => {
    const { context, page, errors } = await openPage();
    await pp(page, 'launcher').click();
    await pp(page, 'input').fill('Reconnect test: hello');
    await pp(page, 'input').press('Enter');
    const topic = await topicOf('Reconnect test');
    await operatorWrites(topic.threadId, 'First reply');
    await expect.poll(() => bodies(page, 'operator'), { timeout: 15_000 }).toEqual(['First reply']);

    await stack.restartRealtime(async () => {
      await expect
        .poll(() => pp(page, 'status').getAttribute('data-state'), { timeout: 10_000 })
        .toMatch(/reconnecting|error/);
      // While no realtime node runs, the worker's live pushes go nowhere: only the seq resume can bring these back.
      await operatorWrites(topic.threadId, 'While down 1');
      await operatorWrites(topic.threadId, 'While down 2');
      await waitFor(
        async () =>
          (await db.query(`SELECT count(*)::int AS n FROM "Message" WHERE body LIKE 'While down%'`)).rows[0].n === 2,
        { what: 'replies stored' },
      );
    });

    await expect.poll(() => pp(page, 'status').getAttribute('data-state'), { timeout: 20_000 }).toBe('connected');
    await expect
      .poll(() => bodies(page, 'operator'), { timeout: 15_000 })
      .toEqual(['First reply', 'While down 1', 'While down 2']);
    const seqs = await page
      .locator('[data-pp="message"][data-seq]')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    // And the connection is live again: a new reply arrives by push.
    await operatorWrites(topic.threadId, 'After restart');
    await expect
      .poll(() => bodies(page, 'operator'), { timeout: 15_000 })
      .toEqual(['First reply', 'While down 1', 'While down 2', 'After restart']);
    // Chromium logs each refused reconnection attempt while the service is down; nothing else may be logged.
    expect(errors.filter((e) => !/^WebSocket connection to '.*' failed/.test(e))).toEqual([]);
    await context.close();
  });

  it('shows the unread badge while closed, the operator in the header, and a full-screen panel on a phone', async () => {
    const { context, page } = await openPage();
    await pp(page, 'launcher').click();
    await pp(page, 'input').fill('Badge test: **bold** and https://example.com/docs');
    await pp(page, 'input').press('Enter');
    const topic = await topicOf('Badge test');
    await expect
      .poll(() => page.locator('[data-pp="message"][data-sender="visitor"]').getAttribute('data-status'), {
        timeout: 15_000,
      })
      .toMatch(/sent|delivered|read/);
    // Rendered markdown: bold as <strong>, the bare URL as a safe link.
    expect(await page.locator('[data-pp="message"] strong').innerText()).toBe('bold');
    expect(await page.locator('[data-pp="message"] a[href="https://example.com/docs"]').getAttribute('rel')).toBe(
      'noopener noreferrer',
    );
    await page.screenshot({ path: path.join(SHOTS, 'widget-open.png') });

    await pp(page, 'close').click();
    await operatorWrites(topic.threadId, 'Are you still there?');
    await operatorWrites(topic.threadId, 'We can help with **that**.');
    await expect.poll(() => pp(page, 'unread').innerText(), { timeout: 15_000 }).toBe('2');
    expect(await pp(page, 'launcher').getAttribute('aria-label')).toBe('Open chat (2 unread messages)');
    await page.screenshot({ path: path.join(SHOTS, 'widget-closed-badge.png') });
    // Opening reads them: the badge goes, Escape closes again and focus returns to the launcher.
    await pp(page, 'launcher').click();
    await expect.poll(() => pp(page, 'unread').count()).toBe(0);
    await expect
      .poll(() => page.locator('[data-pp="message"][data-sender="operator"] .pp-author').first().innerText())
      .toBe('Sarah');
    await page.keyboard.press('Escape');
    await expect.poll(() => pp(page, 'panel').count()).toBe(0);
    expect(
      await page.evaluate(
        `document.getElementById('pocketping-root').shadowRoot.activeElement?.getAttribute('data-pp')`,
      ),
    ).toBe('launcher');
    await context.close();

    // A phone: the same visitor's panel fills the screen.
    const phone = await openPage({ width: 375, height: 740 });
    await pp(phone.page, 'launcher').click();
    const box = await pp(phone.page, 'panel').boundingBox();
    expect(box).toEqual({ x: 0, y: 0, width: 375, height: 740 });
    await phone.page.screenshot({ path: path.join(SHOTS, 'widget-mobile.png') });
    await phone.context.close();
  });

  it('pre-chat form before the first message: validates, stores the email, then lets the visitor write', async () => {
    await setSettings({ preChat: { enabled: true, mode: 'before', emailRequired: true, askName: true, fields: [] } });
    try {
      const { context, page, errors } = await openPage();
      await pp(page, 'launcher').click();
      const form = pp(page, 'prechat');
      await expect.poll(() => form.count(), { timeout: 15_000 }).toBe(1);
      expect(await pp(page, 'input').count()).toBe(0); // the form gates the composer
      await form.locator('input[name="email"]').fill('not-an-email');
      await pp(page, 'prechat-submit').click();
      expect(await form.locator('[role="alert"]').innerText()).toBe('Please enter a valid email address');
      await form.locator('input[name="email"]').fill('ann@example.com');
      await form.locator('input[name="name"]').fill('Ann');
      await pp(page, 'prechat-submit').click();
      await expect.poll(() => pp(page, 'input').count(), { timeout: 10_000 }).toBe(1);
      const visitor = await waitFor(
        async () => (await db.query(`SELECT email, name FROM "Visitor" WHERE email = 'ann@example.com'`)).rows[0],
        { what: 'visitor email' },
      );
      expect(visitor).toEqual({ email: 'ann@example.com', name: 'Ann' });
      // A reload does not ask again.
      await page.reload();
      await expect.poll(() => pp(page, 'input').count(), { timeout: 15_000 }).toBe(1);
      expect(await pp(page, 'prechat').count()).toBe(0);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await setSettings({ preChat: { enabled: false } });
    }
  });

  it('identify() and trigger() from the page reach the server', async () => {
    const { context, page } = await openPage();
    await page.evaluate(`
      PocketPing.identify({ id: 'user-42', email: 'user42@example.com', name: 'User 42', plan: 'pro' });
      PocketPing.trigger('checkout.started', { total: 42 });
    `);
    await pp(page, 'launcher').click();
    await pp(page, 'input').fill('Identify test');
    await pp(page, 'input').press('Enter');
    const row = await waitFor(
      async () =>
        (
          await db.query(
            `SELECT "externalId", email, name, "identityVerified" FROM "Visitor" WHERE "externalId" = 'user-42'`,
          )
        ).rows[0],
      { what: 'identified visitor' },
    );
    expect(row).toEqual({
      externalId: 'user-42',
      email: 'user42@example.com',
      name: 'User 42',
      identityVerified: false,
    });
    await context.close();
  });

  it('attachments: refuses a file over 10 MB, uploads an image with progress, shows it inline from its signed URL', async () => {
    const { context, page, errors } = await openPage();
    await pp(page, 'launcher').click();
    await pp(page, 'input').fill('Attachment test');
    await pp(page, 'input').press('Enter');
    await expect.poll(() => page.locator('[data-pp="message"][data-seq]').count(), { timeout: 15_000 }).toBe(1);

    const big = path.join(tmpdir(), `pp-big-${Date.now()}.bin`);
    writeFileSync(big, Buffer.alloc(10 * 1024 * 1024 + 1));
    await pp(page, 'file').setInputFiles(big);
    await expect.poll(() => pp(page, 'notice').innerText()).toContain('is too large (max 10 MB)');

    await pp(page, 'file').setInputFiles({ name: 'cat.png', mimeType: 'image/png', buffer: PNG });
    await expect.poll(() => pp(page, 'upload').getAttribute('data-state'), { timeout: 15_000 }).toBe('done');
    await pp(page, 'input').fill('here is the picture');
    await pp(page, 'send').click();
    const img = page.locator('[data-pp="message"][data-seq] img');
    await expect.poll(() => img.count(), { timeout: 15_000 }).toBe(1);
    expect(await img.getAttribute('src')).toMatch(new RegExp(`^${stack.realtimeUrl}/widget/files/`));
    expect(await img.getAttribute('alt')).toBe('cat.png');
    await expect
      .poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth), { timeout: 10_000 })
      .toBe(2);
    const stored = await db.query(
      `SELECT name, "contentType", size, "messageId" IS NOT NULL AS linked FROM "Attachment"`,
    );
    expect(stored.rows).toEqual([{ name: 'cat.png', contentType: 'image/png', size: PNG.length, linked: true }]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('speaks the browser language, follows the project setting, and exposes on()/destroy() to the page', async () => {
    const context = await browser.newContext({ locale: 'fr-FR' });
    const page = await context.newPage();
    const scripts: string[] = [];
    page.on('request', (r) =>
      r.resourceType() === 'script' && r.url().startsWith(stack.realtimeUrl)
        ? scripts.push(new URL(r.url()).pathname)
        : undefined,
    );
    await page.goto(demoUrl());
    await page.evaluate(
      `window.ppEvents = []; ['open', 'close', 'unread'].forEach((e) => PocketPing.on(e, (d) => window.ppEvents.push(e + ':' + (d === undefined ? '' : d))))`,
    );
    expect(await pp(page, 'launcher').getAttribute('aria-label')).toBe('Ouvrir le chat');
    await pp(page, 'launcher').click();
    await expect
      .poll(() => pp(page, 'input').getAttribute('placeholder'), { timeout: 15_000 })
      .toBe('Écrivez un message…');
    expect(scripts).toEqual(['/widget/loader.js', '/widget/app-fr.js']); // the French build: no pack, no English
    await pp(page, 'close').click();
    expect(await page.evaluate('window.ppEvents')).toEqual(['unread:0', 'open:', 'close:']);

    // The project says German: the texts switch on connect, and the next page loads the German build directly.
    await setSettings({ language: 'de' });
    try {
      await page.reload();
      await pp(page, 'launcher').click();
      await expect
        .poll(() => pp(page, 'input').getAttribute('placeholder'), { timeout: 15_000 })
        .toBe('Nachricht schreiben…');
      expect(scripts.slice(2)).toEqual(['/widget/loader.js', '/widget/app-fr.js', '/widget/lang-de.js']);
      await page.reload(); // the panel was open: it comes back open, in German at once
      await expect
        .poll(() => pp(page, 'input').getAttribute('placeholder'), { timeout: 15_000 })
        .toBe('Nachricht schreiben…');
      expect(await pp(page, 'launcher').getAttribute('aria-label')).toBe('Chat schließen');
      expect(scripts.slice(5)).toEqual(['/widget/loader.js', '/widget/app-de.js']);
    } finally {
      await setSettings({ language: 'auto' });
    }
    await page.evaluate('PocketPing.destroy()');
    expect(await page.locator('#pocketping-root').count()).toBe(0);
    await context.close();
  });

  it('CSAT: closing the conversation from Telegram asks for a rating, which is stored', async () => {
    await setSettings({ csatEnabled: true });
    const { context, page, errors } = await openPage();
    await pp(page, 'launcher').click();
    await pp(page, 'input').fill('CSAT test');
    await pp(page, 'input').press('Enter');
    const topic = await topicOf('CSAT test');
    await operatorWrites(topic.threadId, '/close');
    await expect.poll(() => pp(page, 'csat').count(), { timeout: 20_000 }).toBe(1);
    await pp(page, 'csat-4').click();
    await pp(page, 'csat-comment').fill('Quick and friendly');
    await page.screenshot({ path: path.join(SHOTS, 'widget-csat.png') });
    await pp(page, 'csat-submit').click();
    await expect.poll(() => pp(page, 'csat').getAttribute('data-state'), { timeout: 10_000 }).toBe('done');
    const conv = await waitFor(
      async () =>
        (await db.query(`SELECT "csatScore", "csatComment" FROM "Conversation" WHERE "csatScore" IS NOT NULL`)).rows[0],
      { what: 'csat stored' },
    );
    expect(conv).toEqual({ csatScore: 4, csatComment: 'Quick and friendly' });
    expect(errors).toEqual([]);
    await context.close();
  });
});
