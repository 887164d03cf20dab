// The AI knowledge page and the playground in the built web app (`next start`), in headless Chromium: an owner adds
// the customer's site (served on 127.0.0.1), an FAQ entry and a PDF file; the knowledge worker (in this process, on the same
// Redis prefix and database) crawls and indexes them and the page shows them ready with their page count; the
// playground then shows the retrieved passages with scores and the answer of the (fake) OpenAI model citing them.
// Screenshots: artifacts/screenshots/ai-knowledge-*.png.
// Build first: `pnpm exec turbo run build --filter=@pocketping/web --filter=@pocketping/widget`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@pocketping/core';
import { createOrganizationWithOwner, createProject } from '@pocketping/db';
import { TEST_REDIS_URL, makeTextPdf, startFakeOpenAi, uniqueRedisPrefix, type TFakeOpenAi } from '@pocketping/testkit';
import { hashPassword } from '../../apps/web/src/server/auth/password';
import { startKnowledgeWorker } from '../../apps/worker/src/knowledge/start-knowledge-worker';
import { SHOTS, bootDashboardStack, type TDashboardStack } from './dashboard-stack.js';

const PASSWORD = 'correct horse battery';

const page = (title: string, body: string) =>
  `<!doctype html><html><head><title>${title}</title></head><body><nav><a href="/">Home</a> <a href="/shipping">Shipping</a> <a href="/returns">Returns</a></nav><main><h1>${title}</h1>${body}</main></body></html>`;
const SITE: Record<string, string> = {
  '/': page('Kettle Co Help', '<p>Answers about your kettle order.</p>'),
  '/shipping': page('Shipping', '<h2>Delivery times</h2><p>Kettles ship within 2 business days from Utrecht.</p>'),
  '/returns': page('Returns', '<h2>Return window</h2><p>You can return a kettle within 30 days for a refund.</p>'),
};

let stack: TDashboardStack;
let fake: TFakeOpenAi;
let site: Server;
let siteUrl: string;
let worker: { close(): Promise<void> };

beforeAll(async () => {
  site = createServer((req, res) => {
    const html = SITE[(req.url ?? '/').split('?')[0]!];
    if (req.url === '/robots.txt')
      res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nAllow: /\n');
    else if (html) res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  fake = await startFakeOpenAi();
  const prefix = uniqueRedisPrefix();
  stack = await bootDashboardStack({
    webEnv: { REDIS_PREFIX: prefix, OPENAI_API_KEY: fake.apiKey, OPENAI_BASE_URL: fake.baseUrl },
  });
  worker = await startKnowledgeWorker({
    db: stack.db,
    redisConfig: { url: TEST_REDIS_URL, prefix },
    log: createLogger('e2e-knowledge', 'warn'),
    config: { fetchAllow: ['127.0.0.1'], maxPages: 20, embeddings: null },
  });
});

afterAll(async () => {
  await worker?.close();
  await stack?.stop();
  await fake?.close();
  await new Promise<void>((r) => (site ? site.close(() => r()) : r()));
});

describe('AI knowledge and playground in the browser', () => {
  it('an owner adds a site, an FAQ entry and a file, sees them indexed, then asks the playground', async () => {
    const email = `kate-${Date.now()}@example.test`;
    const { organization, userId } = await createOrganizationWithOwner(stack.db, {
      email,
      orgName: 'Kettle Co',
      userName: 'Kate Owner',
    });
    await stack.db.user.update({
      where: { id: userId },
      data: { emailVerified: new Date(), passwordHash: await hashPassword(PASSWORD) },
    });
    const project = await createProject(stack.db, organization.id, { name: 'Kettle Shop', allowedOrigins: [] });
    const knowledgePath = `/app/o/${organization.id}/p/${project.id}/ai/knowledge`;

    const ctx = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const tab = await ctx.newPage();
    await tab.goto(`${stack.webUrl}/login?next=${encodeURIComponent(knowledgePath)}`);
    await tab.getByLabel('Email', { exact: true }).first().fill(email);
    await tab.getByLabel('Password').fill(PASSWORD);
    await tab.getByRole('button', { name: 'Log in' }).click();
    await tab.waitForURL((u) => u.pathname === knowledgePath);

    // The site: crawled by the worker; the list refreshes itself until it is ready.
    await tab.getByLabel(/Start URL/).fill(siteUrl);
    await tab.getByRole('button', { name: 'Add website' }).click();
    await expect.poll(() => tab.getByRole('status').textContent()).toContain('crawling starts');
    const sources = tab.locator('table[data-testid=knowledge-sources]');
    await expect
      .poll(() => sources.locator('tbody tr').first().textContent(), { timeout: 30_000 })
      .toMatch(/Kettle Co Help.*Website.*ready3/);

    // An FAQ entry.
    await tab.getByRole('button', { name: 'FAQ entry' }).click();
    await tab.getByLabel('Question').fill('Do you sell descaling tablets?');
    await tab.getByLabel('Answer').fill('Yes, descaling tablets come in packs of 12 for 6 euros.');
    await tab.getByRole('button', { name: 'Add FAQ entry' }).click();
    await expect
      .poll(() => sources.locator('tbody tr').first().textContent(), { timeout: 30_000 })
      .toMatch(/Do you sell descaling tablets\?.*FAQ entry.*ready/);
    // A file, uploaded by the browser as the raw body (our Origin, size-limited reader).
    await tab.getByRole('button', { name: 'File', exact: true }).click();
    await tab.getByLabel(/^File/).setInputFiles({
      name: 'warranty.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from(makeTextPdf('Every kettle has a two-year warranty.', 'Warranty')),
    });
    await tab.getByRole('button', { name: 'Upload file' }).click();
    await expect
      .poll(() => sources.locator('tbody tr').first().textContent(), { timeout: 30_000 })
      .toMatch(/Warranty.*File.*ready/);
    await tab.screenshot({ path: path.join(SHOTS, 'ai-knowledge-sources.png'), fullPage: true });

    // The playground, through the AI tabs.
    await tab.getByRole('link', { name: 'Playground' }).click();
    await tab.waitForURL((u) => u.pathname.endsWith('/ai/playground'));
    await tab.getByLabel('Question').fill('How fast do kettles ship?');
    await tab.getByRole('button', { name: 'Ask' }).click();
    const passages = tab.locator('[data-testid=passage]');
    await expect.poll(() => passages.first().textContent()).toContain('Kettles ship within 2 business days');
    expect(await passages.first().textContent()).toMatch(/score \d+\.\d{4}/);
    const answer = tab.locator('[data-testid=playground-answer]');
    await expect.poll(() => answer.textContent()).toContain('Shipping');
    // The model got the passage in its prompt, and nothing became a conversation.
    expect(JSON.stringify(fake.completions().at(-1)!.messages[0])).toContain('Kettles ship within 2 business days');
    expect(await stack.db.conversation.count({ where: { organizationId: organization.id } })).toBe(0);
    await tab.screenshot({ path: path.join(SHOTS, 'ai-knowledge-playground.png'), fullPage: true });

    // Re-crawl from the list: back to ready with the same pages.
    await tab.getByRole('link', { name: 'Knowledge' }).click();
    await tab.waitForURL((u) => u.pathname === knowledgePath);
    const siteRow = sources.locator('tbody tr', { hasText: 'Kettle Co Help' });
    await siteRow.getByRole('button', { name: 'Re-crawl' }).click();
    await expect.poll(() => siteRow.textContent(), { timeout: 30_000 }).toMatch(/ready3/);
    await ctx.close();
  });
});
