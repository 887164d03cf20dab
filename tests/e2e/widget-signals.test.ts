// The widget in headless Chromium against the real realtime service (in-process, real Postgres and Redis), with
// the operator side driven the way the worker and the dashboard drive it (widget signals through the Redis
// emitter): typing both ways, delivery ticks (and after a reload), the pre-chat form after the first message, the
// away form, the character limit, and a closed conversation kept on screen when the visitor writes again (and after a
// reload, through the history request's `previous`).
// The page is served from its own origin and loads the snippet from realtime's, as on a customer's site.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, REPO_ROOT, freePort, waitFor } from '@pocketping/testkit';
import { appendMessage } from '@pocketping/db';
import { changeConversationStatus, markConversationRead } from '@pocketping/conversations';
import { startHarness, type THarness, type TTenant } from '../integration/realtime-harness.js';

describe('widget signals in headless Chromium', () => {
  let h: THarness;
  let browser: Browser;
  let page: Server;
  let pageOrigin: string;
  let sql: pg.Client;

  beforeAll(async () => {
    // The widget build (dist/) comes from `npm test`'s build step (turbo); built here when this file runs alone.
    const dist = path.join(REPO_ROOT, 'apps/widget/dist');
    if (!existsSync(path.join(dist, 'loader.js'))) {
      const built = spawnSync(process.execPath, [path.join(REPO_ROOT, 'apps/widget/build.mjs')], { stdio: 'inherit' });
      if (built.status !== 0) throw new Error('widget build failed');
    }
    h = await startHarness({ widgetDistDir: dist, presenceCheckMs: 500 });
    const port = await freePort();
    pageOrigin = `http://127.0.0.1:${port}`;
    page = createServer((req, res) => {
      const key = new URL(req.url ?? '/', pageOrigin).searchParams.get('key') ?? '';
      res.writeHead(200, { 'content-type': 'text/html' })
        .end(`<!doctype html><html><head><title>Shop</title></head><body><h1>A shop</h1>
        <script async src="${h.url}/widget/loader.js" data-project-key="${key.replace(/[^A-Za-z0-9_-]/g, '')}"></script></body></html>`);
    });
    await new Promise<void>((r) => page.listen(port, '127.0.0.1', r));
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    sql = new pg.Client({ connectionString: h.database.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await browser?.close();
    await new Promise((r) => (page ? page.close(r) : r(undefined)));
    await h?.close();
  });

  async function tenant(settings?: Record<string, unknown>): Promise<TTenant> {
    const t = await h.tenant(settings ? { settings } : {});
    await h.db.project.update({ where: { id: t.projectId }, data: { allowedOrigins: [pageOrigin] } });
    return { ...t, origin: pageOrigin };
  }

  async function openWidget(t: TTenant): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'en-US' });
    const p = await context.newPage();
    const errors: string[] = [];
    p.on('console', (m) =>
      m.type() === 'error' && !m.text().startsWith('Failed to load resource') ? errors.push(m.text()) : undefined,
    );
    // (Printed with the test's output: what failed to load says why a form or pack never came.)
    p.on('requestfailed', (r) => console.warn(`[widget-signals] request failed: ${r.url()} ${r.failure()?.errorText}`));
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(`${pageOrigin}/?key=${t.projectKey}`);
    await p.locator('[data-pp="launcher"]').click();
    await expect
      .poll(() => p.locator('[data-pp="status"]').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('connected');
    return { context, page: p, errors };
  }
  const pp = (p: Page, hook: string) => p.locator(`[data-pp="${hook}"]`);

  async function send(p: Page, text: string) {
    await pp(p, 'input').fill(text);
    await pp(p, 'input').press('Enter');
  }
  /** The stored visitor message with this body (the widget confirmed it). */
  const storedMessage = (t: TTenant, body: string) =>
    waitFor(() => h.db.message.findFirst({ where: { organizationId: t.organizationId, body } }), {
      what: `message "${body}"`,
    });

  it("typing both ways: the operator's shows and is cleared (explicitly, by a reply, by timeout); the visitor's reaches the operator side", async () => {
    const t = await tenant();
    const { context, page: p, errors } = await openWidget(t);
    await send(p, 'Typing test');
    const m = await storedMessage(t, 'Typing test');
    const typingKey = `${h.redisConfig.prefix}:typing:visitor:${m.conversationId}`;

    // Operator → widget.
    h.signals.typing(m.conversationId, { sender: 'operator', authorName: 'Sarah', isTyping: true });
    await expect.poll(() => pp(p, 'typing').count(), { timeout: 10_000 }).toBe(1);
    expect(await pp(p, 'typing').innerText()).toBe('Sarah is typing…');
    h.signals.typing(m.conversationId, { sender: 'operator', authorName: 'Sarah', isTyping: false });
    await expect.poll(() => pp(p, 'typing').count(), { timeout: 10_000 }).toBe(0);
    // A reply ends it.
    h.signals.typing(m.conversationId, { sender: 'operator', authorName: 'Sarah', isTyping: true });
    await expect.poll(() => pp(p, 'typing').count(), { timeout: 10_000 }).toBe(1);
    const reply = await appendMessage(h.db, t.organizationId, {
      conversationId: m.conversationId,
      sender: 'operator',
      authorName: 'Sarah',
      body: 'Here I am',
      source: 'telegram',
    });
    h.conversations.widget.message(m.conversationId, reply.message);
    await expect
      .poll(() => p.locator('[data-pp="message"][data-sender="operator"]').count(), { timeout: 10_000 })
      .toBe(1);
    expect(await pp(p, 'typing').count()).toBe(0);
    // A lost "false" never leaves it on: it goes by itself (6 s without a refresh).
    h.signals.typing(m.conversationId, { sender: 'operator', authorName: 'Sarah', isTyping: true });
    await expect.poll(() => pp(p, 'typing').count(), { timeout: 10_000 }).toBe(1);
    const shownAt = Date.now();
    await expect.poll(() => pp(p, 'typing').count(), { timeout: 10_000, interval: 200 }).toBe(0);
    expect(Date.now() - shownAt).toBeGreaterThan(3_000); // by the 6 s timeout, not at once

    // Widget → operator side: the short-lived flag the dashboard reads, set while typing, cleared when emptied or sent.
    expect(await h.redis.exists(typingKey)).toBe(0);
    await pp(p, 'input').pressSequentially('I am wri', { delay: 20 });
    await expect.poll(() => h.redis.get(typingKey), { timeout: 5_000 }).toBe('1');
    const ttl = await h.redis.ttl(typingKey);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(6);
    await pp(p, 'input').fill('');
    await pp(p, 'input').press('Backspace'); // an input event on the emptied composer
    await expect.poll(() => h.redis.exists(typingKey), { timeout: 5_000 }).toBe(0);
    await pp(p, 'input').pressSequentially('typing again', { delay: 20 });
    await expect.poll(() => h.redis.get(typingKey), { timeout: 5_000 }).toBe('1');
    await pp(p, 'input').press('Enter');
    await expect.poll(() => h.redis.exists(typingKey), { timeout: 5_000 }).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('ticks: sending → sent → delivered → read', async () => {
    const t = await tenant();
    const { context, page: p, errors } = await openWidget(t);
    await send(p, 'First, opens the conversation');
    const first = await storedMessage(t, 'First, opens the conversation');
    const bubble = p.locator('[data-pp="message"][data-sender="visitor"]').filter({ hasText: 'Tick test' });

    // Hold the conversation's row lock: the send waits in the database, so the widget shows "sending".
    await sql.query('BEGIN');
    await sql.query(`SELECT id FROM "Conversation" WHERE id = $1 FOR UPDATE`, [first.conversationId]);
    try {
      await send(p, 'Tick test');
      await expect.poll(() => bubble.getAttribute('data-status'), { timeout: 5_000 }).toBe('sending');
      await new Promise((r) => setTimeout(r, 300));
      expect(await bubble.getAttribute('data-status')).toBe('sending');
      expect(await bubble.getAttribute('data-seq')).toBeNull();
    } finally {
      await sql.query('COMMIT');
    }
    await expect.poll(() => bubble.getAttribute('data-status'), { timeout: 10_000 }).toBe('sent');
    const seq = Number(await bubble.getAttribute('data-seq'));
    expect(seq).toBe(first.seq + 1);
    expect(await bubble.locator('[data-pp="receipt"]').getAttribute('data-receipt')).toBe('sent');

    // A bridge delivered it (what the worker signals after the platform answered).
    h.signals.delivered({ conversationId: first.conversationId, seq });
    await expect.poll(() => bubble.getAttribute('data-status'), { timeout: 10_000 }).toBe('delivered');
    expect(await bubble.locator('[data-pp="receipt"]').innerText()).toContain('Delivered');
    // An operator read it (dashboard): the watermark moves and the widget shows "Read".
    await markConversationRead(h.conversations, t.organizationId, {
      conversationId: first.conversationId,
      projectId: t.projectId,
      seq,
    });
    await expect.poll(() => bubble.getAttribute('data-status'), { timeout: 10_000 }).toBe('read');
    expect(await bubble.locator('[data-pp="receipt"]').innerText()).toContain('Read');
    // Both messages are read now (watermarks), and a reload keeps it (from the session's operatorReadSeq).
    expect(await p.locator('[data-pp="message"][data-sender="visitor"][data-status="read"]').count()).toBe(2);
    await p.reload();
    await expect.poll(() => bubble.getAttribute('data-status'), { timeout: 15_000 }).toBe('read');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('receipts never go backwards after a reload: "Delivered" stays "Delivered"', async () => {
    const t = await tenant();
    const { context, page: p, errors } = await openWidget(t);
    await send(p, 'Delivered then reloaded');
    const m = await storedMessage(t, 'Delivered then reloaded');
    const bubble = p.locator('[data-pp="message"][data-sender="visitor"]').filter({ hasText: 'Delivered then' });
    // What the worker does once a chat app took the message: its outbox row done, then the receipt pushed.
    await h.db.outboxEvent.create({
      data: {
        organizationId: t.organizationId,
        kind: 'bridge.deliver',
        conversationId: m.conversationId,
        messageId: m.id,
        seq: m.seq,
        status: 'done',
        processedAt: new Date(),
      },
    });
    h.signals.delivered({ conversationId: m.conversationId, seq: m.seq });
    await expect.poll(() => bubble.getAttribute('data-status'), { timeout: 10_000 }).toBe('delivered');
    await p.reload();
    await expect
      .poll(() => p.locator('[data-pp="status"]').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('connected');
    await expect.poll(() => bubble.getAttribute('data-seq'), { timeout: 15_000 }).toBe(String(m.seq));
    // Not "Sent" for a moment and then nothing: the session brings the watermark back.
    await expect.poll(() => bubble.getAttribute('data-status'), { timeout: 10_000 }).toBe('delivered');
    expect(await bubble.locator('[data-pp="receipt"]').innerText()).toContain('Delivered');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('messages over 4,000 characters: a counter near the limit, a clear message over it, nothing cut or sent', async () => {
    const t = await tenant();
    const { context, page: p, errors } = await openWidget(t);
    const count = pp(p, 'count');
    await pp(p, 'input').fill('a'.repeat(3_000));
    await pp(p, 'input').press('End'); // the counter follows input events
    expect(await count.count()).toBe(0);
    await pp(p, 'input').fill('b'.repeat(3_700));
    await pp(p, 'input').press('x');
    await expect.poll(() => count.getAttribute('data-state'), { timeout: 5_000 }).toBe('near');
    expect(await count.innerText()).toBe('3701/4000');
    // Over the limit: the whole text stays in the box (no maxlength cut) and Enter sends nothing.
    await pp(p, 'input').fill('c'.repeat(4_100));
    await pp(p, 'input').press('y');
    await expect.poll(() => count.getAttribute('data-state'), { timeout: 5_000 }).toBe('over');
    expect(await count.innerText()).toBe('4101/4000 · Too long to send: please shorten it');
    expect(await count.getAttribute('role')).toBe('alert');
    await pp(p, 'input').press('Enter');
    expect(await pp(p, 'input').inputValue()).toHaveLength(4_101);
    expect(await pp(p, 'message').count()).toBe(0);
    // Shortened to fit: it goes, whole, and the counter goes with it.
    await pp(p, 'input').fill('d'.repeat(3_999));
    await pp(p, 'input').press('z');
    await expect.poll(() => count.getAttribute('data-state'), { timeout: 5_000 }).toBe('near');
    await pp(p, 'input').press('Enter');
    const stored = await storedMessage(t, 'd'.repeat(3_999) + 'z');
    expect(stored.body).toHaveLength(4_000);
    await expect.poll(() => count.count(), { timeout: 5_000 }).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('closing keeps the history: the widget says so (with the rating), and the next message starts a new conversation below the old one', async () => {
    const t = await tenant({ csatEnabled: true });
    const { context, page: p, errors } = await openWidget(t);
    await send(p, 'My order never arrived');
    const first = await storedMessage(t, 'My order never arrived');
    const reply = await appendMessage(h.db, t.organizationId, {
      conversationId: first.conversationId,
      sender: 'operator',
      authorName: 'Sarah',
      body: 'Refund is on its way',
      source: 'web',
    });
    h.conversations.widget.message(first.conversationId, reply.message);
    await expect.poll(() => pp(p, 'message').filter({ hasText: 'Refund is on its way' }).count()).toBe(1);

    await changeConversationStatus(h.conversations, t.organizationId, {
      conversationId: first.conversationId,
      status: 'closed',
      actor: { authorName: 'Sarah', source: 'web' },
    });
    await expect.poll(() => pp(p, 'closed').count(), { timeout: 10_000 }).toBe(1);
    expect(await pp(p, 'closed').innerText()).toContain('This conversation was closed');
    await expect.poll(() => pp(p, 'csat').count(), { timeout: 10_000 }).toBe(1);

    await send(p, 'One more question');
    const second = await storedMessage(t, 'One more question');
    expect(second.conversationId).not.toBe(first.conversationId);
    const newBubble = p.locator('[data-pp="message"][data-sender="visitor"]').filter({ hasText: 'One more question' });
    await expect.poll(() => newBubble.getAttribute('data-status'), { timeout: 10_000 }).toBe('sent');
    // The closed conversation is still on screen, above a divider, and the new one is open (no closed note, no rating).
    const texts = await p.locator('[data-pp="message"], [data-pp="closed-divider"]').allInnerTexts();
    const at = (needle: string) => texts.findIndex((x) => x.includes(needle));
    expect(at('My order never arrived')).toBeGreaterThanOrEqual(0);
    expect(at('Refund is on its way')).toBeGreaterThan(at('My order never arrived'));
    expect(at('Conversation closed')).toBeGreaterThan(at('Refund is on its way'));
    expect(at('One more question')).toBeGreaterThan(at('Conversation closed'));
    expect(await pp(p, 'closed').count()).toBe(0);
    expect(await pp(p, 'csat').count()).toBe(0);

    // A reload keeps it: the earlier conversation comes back through the history resume path, read-only, above a
    // dated divider, and the current one below it.
    await p.reload();
    await expect
      .poll(() => p.locator('[data-pp="status"]').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('connected');
    await expect.poll(() => pp(p, 'closed-divider').count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => pp(p, 'message').filter({ hasText: 'One more question' }).count()).toBe(1);
    const reloaded = await p.locator('[data-pp="message"], [data-pp="closed-divider"]').allInnerTexts();
    const after = (needle: string) => reloaded.findIndex((x) => x.includes(needle));
    expect(reloaded[after('Conversation closed')]).toBe('Conversation closed · Today');
    expect(after('My order never arrived')).toBeGreaterThanOrEqual(0);
    expect(after('Refund is on its way')).toBeGreaterThan(after('My order never arrived'));
    expect(after('Conversation closed')).toBeGreaterThan(after('Refund is on its way'));
    expect(after('One more question')).toBeGreaterThan(after('Conversation closed'));
    // Only the visitor's own past: another visitor of the same site sees none of it.
    const other = await openWidget(t);
    await send(other.page, 'Someone else');
    await storedMessage(t, 'Someone else');
    await expect.poll(() => pp(other.page, 'message').count(), { timeout: 10_000 }).toBe(1);
    expect(await pp(other.page, 'closed-divider').count()).toBe(0);
    expect(errors).toEqual([]);
    expect(other.errors).toEqual([]);
    await other.context.close();
    await context.close();
  });

  it('pre-chat form after the first message: the visitor writes first, then leaves an email, which is stored', async () => {
    const t = await tenant({
      preChat: { enabled: true, mode: 'after', emailRequired: true, askName: false, fields: [] },
    });
    const { context, page: p, errors } = await openWidget(t);
    // The form lives in extras.js: its first fetch fails after a while (a network blip once the message is
    // delivered, when nothing else changes on screen); the widget fetches it again by itself.
    let extrasFetches = 0;
    await context.route(/\/widget\/extras\.js/, (route) =>
      ++extrasFetches === 1 ? setTimeout(() => void route.abort('connectionreset'), 1_500) : route.continue(),
    );
    // Not a gate: the composer is there and no form yet.
    expect(await pp(p, 'input').count()).toBe(1);
    expect(await pp(p, 'prechat').count()).toBe(0);
    await send(p, 'Question before any form');
    const form = p.locator('[data-pp="prechat"][data-mode="after"]');
    await expect.poll(() => form.count(), { timeout: 15_000 }).toBe(1);
    expect(extrasFetches).toBe(2);
    expect(await pp(p, 'input').count()).toBe(1); // still free to write
    expect(await pp(p, 'away').count()).toBe(0); // one email card at a time
    await form.locator('input[name="email"]').fill('nope');
    await pp(p, 'prechat-submit').click();
    expect(await form.locator('[role="alert"]').innerText()).toBe('Please enter a valid email address');
    await form.locator('input[name="email"]').fill('late@example.com');
    await pp(p, 'prechat-submit').click();
    await expect.poll(() => pp(p, 'prechat').count(), { timeout: 10_000 }).toBe(0);

    const m = await storedMessage(t, 'Question before any form');
    const conv = await waitFor(
      async () => {
        const c = await h.db.conversation.findUniqueOrThrow({ where: { id: m.conversationId } });
        return c.preChat ? c : null;
      },
      { what: 'preChat stored' },
    );
    expect(conv.preChat).toMatchObject({ email: 'late@example.com' });
    expect(
      await h.db.visitor.findFirst({ where: { organizationId: t.organizationId, email: 'late@example.com' } }),
    ).not.toBeNull();
    // The note for the team is internal and took the next seq; the widget never shows it.
    const note = await h.db.message.findFirstOrThrow({ where: { conversationId: m.conversationId, sender: 'system' } });
    expect(note).toMatchObject({ visibility: 'internal', seq: m.seq + 1 });
    expect(note.body).toContain('late@example.com');
    expect(await p.locator('[data-pp="message"][data-sender="system"]').count()).toBe(0);
    // The email is known now: neither the pre-chat nor the away form comes back after a reload.
    await p.reload();
    await expect.poll(() => pp(p, 'input').count(), { timeout: 15_000 }).toBe(1);
    await expect
      .poll(() => p.locator('[data-pp="message"][data-sender="visitor"]').count(), { timeout: 15_000 })
      .toBe(1);
    expect(await pp(p, 'prechat').count()).toBe(0);
    expect(await pp(p, 'away').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('away: nobody online → the header says so and, after the first message, offers "leave your email"; an operator coming online removes it', async () => {
    const t = await tenant();
    const { context, page: p, errors } = await openWidget(t);
    await expect
      .poll(
        () =>
          p
            .locator('[data-pp="presence"]')
            .getAttribute('data-state')
            .catch(() => null),
        { timeout: 10_000 },
      )
      .toBe('away');
    expect(await pp(p, 'away').count()).toBe(0); // nothing to follow up by email before the visitor wrote
    await send(p, 'Anyone there?');
    const away = pp(p, 'away');
    await expect.poll(() => away.count(), { timeout: 15_000 }).toBe(1);
    expect(await away.innerText()).toContain('We are away right now. Leave your email and we will reply there:');
    await away.locator('input[type="email"]').fill('x@');
    await away.locator('button[type="submit"]').click();
    expect(await away.locator('[role="alert"]').innerText()).toBe('Please enter a valid email address');
    await away.locator('input[type="email"]').fill('away@example.com');
    await away.locator('button[type="submit"]').click();
    await expect.poll(() => away.getAttribute('data-state'), { timeout: 10_000 }).toBe('done');
    const visitor = await waitFor(
      () => h.db.visitor.findFirst({ where: { organizationId: t.organizationId, email: 'away@example.com' } }),
      { what: 'visitor email' },
    );
    expect(visitor.email).toBe('away@example.com');

    // An operator becomes active (a reply from a bridge, the dashboard): presence goes online, the card goes.
    await h.conversations.operatorActive({ organizationId: t.organizationId, projectId: t.projectId });
    await expect
      .poll(() => p.locator('[data-pp="presence"]').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('online');
    await expect.poll(() => away.count(), { timeout: 10_000 }).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("away outside office hours: the owner's away message is shown as plain text, then the email field", async () => {
    const message = 'Closed for the weekend.\n<img src=x onerror="window.__pwned=1"><b>Back Monday</b>';
    const t = await tenant({ awayMessage: message, replyTimeMinutes: 10, officeHours: { timezone: 'UTC', days: [] } });
    const { context, page: p, errors } = await openWidget(t);
    await expect
      .poll(
        () =>
          p
            .locator('[data-pp="presence"]')
            .getAttribute('data-state')
            .catch(() => null),
        { timeout: 10_000 },
      )
      .toBe('away');
    expect(await pp(p, 'presence').innerText()).toBe('Away'); // outside office hours: no reply time promised
    await send(p, 'Hello?');
    const shown = pp(p, 'away-message');
    await expect.poll(() => shown.count(), { timeout: 15_000 }).toBe(1);
    expect(await shown.evaluate((el) => el.textContent)).toBe(message);
    expect(await shown.locator('img, b').count()).toBe(0);
    expect(await p.evaluate('typeof globalThis.__pwned')).toBe('undefined');
    expect(await pp(p, 'away').locator('label').innerText()).toContain('Leave your email and we will reply there:');
    expect(await pp(p, 'away').innerText()).not.toContain('We are away right now');
    expect(errors).toEqual([]);
    await context.close();
  });
});
