// The AI fallback as a visitor sees it, in headless Chromium against the real stack (web, realtime, worker as
// processes; the fake OpenAI behind the official SDK): the answer streams into ONE growing bubble with the AI badge,
// then becomes the stored message; when an operator replies from Telegram during a streamed answer, the answer stops
// (the bubble goes, nothing is stored) and the AI stays off for the conversation. An answer from the project's
// knowledge shows its sources as links (http(s) only), and a handoff's "a team member will answer here": both, and the
// AI badge, are still there after a page reload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import {
  createDb,
  createKnowledgeSource,
  replaceKnowledgeChunks,
  saveProjectAiSettings,
  type TDb,
} from '@pocketping/db';
import { CHROMIUM_ARGS, CHROMIUM_PATH, startFakeOpenAi, waitFor, type TFakeOpenAi } from '@pocketping/testkit';
import { bootStack, type TStack } from './boot-stack.js';

describe('AI answers in the widget (headless Chromium)', () => {
  let fake: TFakeOpenAi;
  let stack: TStack;
  let browser: Browser;
  let db: TDb;
  let projectId: string;

  beforeAll(async () => {
    fake = await startFakeOpenAi();
    stack = await bootStack({ ai: { baseUrl: fake.baseUrl, apiKey: fake.apiKey } });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    db = createDb(stack.db.url, { poolSize: 2 });
    const project = await db.project.findFirstOrThrow({ where: { publicKey: stack.tenantA.projectKey } });
    projectId = project.id;
    await saveProjectAiSettings(db, stack.tenantA.organizationId, project.id, {
      enabled: true,
      takeoverDelaySeconds: 0,
      assistantName: 'Pip',
    });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await db?.$disconnect();
    await stack?.stop();
    await fake?.close();
  });

  it('a streamed answer grows in one bubble, then is the final message; an operator reply stops the next one', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const pp = (hook: string) => page.locator(`[data-pp="${hook}"]`);
    await page.goto(`${stack.webUrl}/demo?key=${stack.tenantA.projectKey}`);

    // 1. Visitor asks → the bubble grows token by token → the stored answer replaces it.
    const answer = 'We open at nine, Monday to Friday, and close at six in the evening.';
    fake.enqueue({ text: answer, chunkChars: 4, chunkDelayMs: 120 });
    await pp('launcher').click();
    await pp('input').fill('When do you open?');
    await pp('input').press('Enter');
    const seen: string[] = [];
    await expect
      .poll(
        async () => {
          const text = await pp('ai-stream')
            .first()
            .textContent({ timeout: 200 })
            .catch(() => null);
          if (text && text !== seen.at(-1)) seen.push(text);
          return seen.length;
        },
        { timeout: 20_000, interval: 30 },
      )
      .toBeGreaterThanOrEqual(3);
    // One bubble at a time, with the AI badge, each state extending the previous one.
    expect(await pp('ai-stream').count()).toBeLessThanOrEqual(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.length).toBeGreaterThan(seen[i - 1]!.length);
    expect(seen[0]).toContain('Pip');
    const final = page.locator('[data-pp="message"][data-sender="ai"]').filter({ hasText: 'close at six' });
    await expect.poll(() => final.count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => pp('ai-stream').count(), { timeout: 10_000 }).toBe(0);

    // 2. A long answer starts streaming; an operator replies from Telegram → it stops, nothing of it is stored.
    fake.enqueue({
      text: `Our returns policy, in detail: ${'every item can go back within thirty days. '.repeat(12)}`,
      chunkChars: 3,
      chunkDelayMs: 150,
    });
    await pp('input').fill('And returns?');
    await pp('input').press('Enter');
    await expect.poll(() => pp('ai-stream').count(), { timeout: 20_000 }).toBe(1);
    const topic = await waitFor(() => stack.telegram.topics(stack.tenantA.chatId!)[0], { what: 'topic' });
    await stack.telegram.operatorWrites({
      token: stack.tenantA.botToken!,
      chatId: stack.tenantA.chatId!,
      threadId: topic.threadId,
      text: 'Sarah here, I will take it from here.',
      from: { id: 77, first_name: 'Sarah' },
    });
    const human = page.locator('[data-pp="message"][data-sender="operator"]').filter({ hasText: 'Sarah here' });
    await expect.poll(() => human.count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => pp('ai-stream').count(), { timeout: 20_000 }).toBe(0);
    const conversation = await db.conversation.findFirstOrThrow({
      where: { organizationId: stack.tenantA.organizationId },
      orderBy: { createdAt: 'desc' },
    });
    expect(conversation.aiState).toBe('off');
    // The interrupted answer's claim is settled (not left "claimed") and no message of it exists.
    await waitFor(
      async () =>
        (await db.aiReply.count({ where: { conversationId: conversation.id, status: 'claimed' } })) === 0 || undefined,
      { what: 'the interrupted answer settled', timeoutMs: 20_000 },
    );
    const aiBodies = (await db.message.findMany({ where: { conversationId: conversation.id, sender: 'ai' } })).map(
      (m) => m.body,
    );
    expect(aiBodies).toEqual([answer]);
    expect(await page.locator('[data-pp="message"][data-sender="ai"]').count()).toBe(1);
    await context.close();
  }, 120_000);

  it('sources render as safe links and the handoff notice stays, with the AI badge, after a reload', async () => {
    // The project's knowledge: two passages about shipping, one of them with a URL that must never become a link.
    const organizationId = stack.tenantA.organizationId;
    const source = await createKnowledgeSource(db, organizationId, projectId, {
      kind: 'site',
      title: 'shop.example',
      url: 'https://shop.example/',
    });
    const passage = (title: string, url: string, text: string) => ({
      url,
      title,
      text,
      language: 'english' as const,
      embedding: null,
      embeddingModel: null,
    });
    await replaceKnowledgeChunks(db, organizationId, source.id, source.generation, {
      chunks: [
        passage('Shipping times', 'https://shop.example/shipping', 'Shipping takes three working days.'),
        passage('Express shipping', 'javascript:alert(1)', 'Express shipping arrives the next day.'),
      ],
      pageCount: 2,
      warnings: [],
    });

    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const pp = (hook: string) => page.locator(`[data-pp="${hook}"]`);
    await page.goto(`${stack.webUrl}/demo?key=${stack.tenantA.projectKey}`);
    fake.enqueue({ text: 'Standard shipping takes three working days [1]; express arrives the next day [2].' });
    await pp('launcher').click();
    await pp('input').fill('How long does shipping take?');
    await pp('input').press('Enter');
    const answer = page.locator('[data-pp="message"][data-sender="ai"]').filter({ hasText: 'three working days' });
    await expect.poll(() => answer.count(), { timeout: 20_000 }).toBe(1);
    // The model saw both passages as numbered sources.
    expect(JSON.stringify(fake.completions().at(-1))).toContain('Express shipping arrives the next day');

    // What the visitor sees of the answer: its text, the AI badge, its sources — the http(s) one as a link, the
    // other as text only.
    const checkAnswer = async () => {
      await expect.poll(() => answer.count(), { timeout: 15_000 }).toBe(1);
      expect(await answer.locator('[data-pp="ai-badge"]').count()).toBe(1);
      expect(await answer.locator('.pp-author').textContent()).toContain('Pip');
      await expect.poll(() => answer.locator('a[href="https://shop.example/shipping"]').count()).toBe(1);
      const hrefs = await answer.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
      expect(hrefs.length).toBeGreaterThan(0);
      for (const href of hrefs) expect(href).toMatch(/^https?:\/\//);
      expect(await answer.textContent()).toContain('Express shipping');
      expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    };
    await checkAnswer();

    // The visitor asks for a person: the AI hands over and the widget says a team member will answer here.
    fake.enqueue({ toolCall: { name: 'handoff_to_human', arguments: { reason: 'asks for a person' } } });
    await pp('input').fill('Can I talk to a person please?');
    await pp('input').press('Enter');
    await expect.poll(() => pp('ai-notice').count(), { timeout: 20_000 }).toBe(1);
    expect(await pp('ai-notice').getAttribute('data-reason')).toBe('handoff');

    await page.reload();
    // The panel was open before the reload, so the widget reopens it by itself (no click: that would toggle it).
    await expect.poll(() => pp('panel').isVisible(), { timeout: 15_000 }).toBe(true);
    await checkAnswer();
    await expect.poll(() => pp('ai-notice').count(), { timeout: 15_000 }).toBe(1);
    expect(await pp('ai-notice').getAttribute('data-reason')).toBe('handoff');
    expect(await pp('ai-notice').textContent()).toContain('A team member');

    // A person answers: the notice goes, and stays gone after another reload.
    const conversation = await db.conversation.findFirstOrThrow({
      where: { organizationId },
      orderBy: { createdAt: 'desc' },
    });
    const topic = await waitFor(
      async () =>
        (await db.bridgeThread.findFirst({ where: { organizationId, conversationId: conversation.id } })) ?? undefined,
      { what: 'the conversation thread' },
    );
    await stack.telegram.operatorWrites({
      token: stack.tenantA.botToken!,
      chatId: stack.tenantA.chatId!,
      threadId: Number(topic.externalThreadId),
      text: 'Hi, Sam here.',
      from: { id: 78, first_name: 'Sam' },
    });
    const human = page.locator('[data-pp="message"][data-sender="operator"]').filter({ hasText: 'Sam here' });
    await expect.poll(() => human.count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => pp('ai-notice').count(), { timeout: 10_000 }).toBe(0);
    await page.reload();
    await expect.poll(() => human.count(), { timeout: 15_000 }).toBe(1);
    expect(await pp('ai-notice').count()).toBe(0);
    await context.close();
  }, 120_000);
});
