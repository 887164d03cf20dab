// The AI's knowledge against real Postgres (and Redis for the queue): text, file and site sources become chunks,
// retrieval ranks the passage that answers first, another project's or organization's knowledge never comes back,
// a re-crawl replaces the pages, and hybrid retrieval works through the real `openai` SDK and the fake server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, parseKeyRing } from '@pocketping/core';
import {
  bootstrapTenant,
  createDb,
  createKnowledgeSource,
  createProject,
  getKnowledgeSource,
  listKnowledgeChunks,
  requestKnowledgeReindex,
  type TDb,
} from '@pocketping/db';
import { createOpenAiClient } from '@pocketping/ai';
import { createKnowledgeJobs, createRedis } from '@pocketping/jobs';
import {
  createKnowledgeRetriever,
  createOpenAiEmbedder,
  extractFileText,
  indexKnowledgeSource,
  type TEmbeddingUsage,
} from '@pocketping/knowledge';
import {
  createTestDatabase,
  startFakeOpenAi,
  testEncryptionKey,
  TEST_REDIS_URL,
  uniqueRedisPrefix,
  waitFor,
  type TFakeOpenAi,
  type TTestDatabase,
} from '@pocketping/testkit';
import { startKnowledgeWorker } from '../../apps/worker/src/knowledge/start-knowledge-worker.js';

/** A small site: pages link to each other; robots.txt keeps /internal out; one page is noindex. */
function siteServer(pages: Map<string, string>) {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/robots.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /internal\n');
      return;
    }
    const html = pages.get(path);
    if (!html) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
}

const page = (title: string, body: string, links: string[] = []) =>
  `<!doctype html><html><head><title>${title}</title></head><body><nav><a href="/">Home</a> menu words everywhere</nav>
   <main><h1>${title}</h1>${body}${links.map((l) => `<a href="${l}">${l}</a>`).join(' ')}</main>
   <footer>Copyright footer text</footer></body></html>`;

describe('knowledge: ingest, retrieval, tenancy, re-crawl', () => {
  let database: TTestDatabase;
  let db: TDb;
  let server: Server;
  let base: string;
  const pages = new Map<string, string>();
  let orgA: string;
  let projA: string;
  let projA2: string;
  let orgB: string;
  let projB: string;
  const fullText = () => createKnowledgeRetriever({ db, embedder: null });
  const deps = () => ({ db, fetchPolicy: { allow: ['127.0.0.1'] }, maxPages: 50, embedder: null });

  async function addAndIndex(
    organizationId: string,
    projectId: string,
    input: Parameters<typeof createKnowledgeSource>[3],
  ) {
    const source = await createKnowledgeSource(db, organizationId, projectId, input);
    const result = await indexKnowledgeSource(deps(), { organizationId, sourceId: source.id, generation: 1 });
    return { source, result };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDb(database.url, { poolSize: 5 });
    const ring = parseKeyRing(testEncryptionKey());
    const a = await bootstrapTenant(db, ring, { email: 'k@a.test', orgName: 'KA', allowedOrigins: [] });
    const b = await bootstrapTenant(db, ring, { email: 'k@b.test', orgName: 'KB', allowedOrigins: [] });
    orgA = a.organization.id;
    projA = a.project.id;
    projA2 = (await createProject(db, orgA, { name: 'Second', allowedOrigins: [] })).id;
    orgB = b.organization.id;
    projB = b.project.id;

    pages.set(
      '/',
      page('Acme Help Center', '<p>Welcome to the Acme help center.</p>', [
        '/shipping',
        '/returns',
        '/internal/staff',
        '/draft',
      ]),
    );
    pages.set(
      '/shipping',
      page(
        'Shipping',
        '<h2>Delivery times</h2><p>Standard parcels arrive within 3 to 5 business days. Express delivery takes one day.</p>',
        ['/'],
      ),
    );
    pages.set(
      '/returns',
      page('Returns', '<h2>Return window</h2><p>You can return any item within 30 days for a full refund.</p>'),
    );
    pages.set('/internal/staff', page('Staff only', '<p>The staff discount code is SECRET42.</p>'));
    pages.set(
      '/draft',
      '<html><head><title>Draft</title><meta name="robots" content="noindex"></head><body><p>Unpublished gadget pricing.</p></body></html>',
    );
    server = siteServer(pages);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((r) => server?.close(() => r()));
    await db?.$disconnect();
    await database?.drop();
  });

  it('pasted text and FAQ entries become chunks, and the passage that answers ranks first', async () => {
    const text = await addAndIndex(orgA, projA, {
      kind: 'text',
      title: 'Accounts',
      content:
        '# Accounts\n\n## Passwords\n\nTo reset your password, open Settings and choose "Forgot password". A reset link is emailed to you.\n\n## Two-factor\n\nTwo-factor authentication uses an authenticator app.',
    });
    expect(text.result).toMatchObject({ outcome: 'indexed', chunks: 2 });
    const faq = await addAndIndex(orgA, projA, {
      kind: 'faq',
      title: 'Do you ship to Canada?',
      content: 'Yes, we ship to Canada and Mexico; customs fees are paid on delivery.',
    });
    expect(faq.result).toMatchObject({ outcome: 'indexed', chunks: 1 });
    expect(await getKnowledgeSource(db, orgA, text.source.id)).toMatchObject({ status: 'ready', chunkCount: 2 });

    const hits = await fullText()({
      organizationId: orgA,
      projectId: projA,
      question: 'how do I reset my password?',
      limit: 3,
    });
    expect(hits[0]).toMatchObject({ title: 'Accounts › Passwords', sourceId: text.source.id });
    expect(hits[0]!.text).toContain('Forgot password');
    expect(hits[0]!.score).toBeGreaterThan(0);
    const canada = await fullText()({
      organizationId: orgA,
      projectId: projA,
      question: 'Can you deliver to Canada',
      limit: 3,
    });
    expect(canada[0]!.sourceId).toBe(faq.source.id);
    // A question of stop words only, or of nothing, finds nothing rather than everything.
    expect(await fullText()({ organizationId: orgA, projectId: projA, question: 'the of and', limit: 3 })).toEqual([]);
    expect(await fullText()({ organizationId: orgA, projectId: projA, question: '   ', limit: 3 })).toEqual([]);
  });

  it('an uploaded file (Markdown, HTML) is indexed from its text; other files are refused', async () => {
    const md = await extractFileText(
      'warranty.md',
      new TextEncoder().encode('# Warranty\n\nEvery kettle has a two-year warranty.'),
    );
    const { source, result } = await addAndIndex(orgA, projA, { kind: 'file', title: md.title, content: md.text });
    expect(result.outcome).toBe('indexed');
    const hits = await fullText()({
      organizationId: orgA,
      projectId: projA,
      question: 'kettle warranty length',
      limit: 1,
    });
    expect(hits[0]?.sourceId).toBe(source.id);
    const html = await extractFileText(
      'a.html',
      new TextEncoder().encode('<title>T</title><script>evil()</script><p>Body</p>'),
    );
    expect(html).toEqual({ title: 'T', text: 'Body' });
    await expect(extractFileText('a.txt', new Uint8Array([0xff, 0xfe, 0x00]))).rejects.toThrow(/UTF-8/);
  });

  it('a site is crawled through the real crawler: same site, robots.txt and noindex honoured, pages counted', async () => {
    const { source, result } = await addAndIndex(orgA, projA, { kind: 'site', title: base, url: `${base}/` });
    expect(result).toMatchObject({ outcome: 'indexed', pages: 3 });
    const stored = (await getKnowledgeSource(db, orgA, source.id))!;
    expect(stored).toMatchObject({ status: 'ready', pageCount: 3, title: 'Acme Help Center' });
    expect(stored.warnings.join('\n')).toMatch(/internal\/staff: disallowed by robots.txt/);
    expect(stored.warnings.join('\n')).toMatch(/noindex/);
    const chunks = await listKnowledgeChunks(db, orgA, source.id);
    const all = chunks.map((c) => c.text).join('\n');
    expect(all).not.toContain('SECRET42');
    expect(all).not.toContain('Unpublished');
    // Navigation and footers are not the page's text.
    expect(all).not.toContain('menu words');
    expect(all).not.toContain('Copyright');
    const hits = await fullText()({
      organizationId: orgA,
      projectId: projA,
      question: 'How long does express delivery take?',
      limit: 3,
    });
    expect(hits[0]).toMatchObject({ url: `${base}/shipping`, title: 'Shipping › Delivery times' });
  });

  it('a private address is refused unless allowlisted, and the source says why', async () => {
    const source = await createKnowledgeSource(db, orgA, projA, { kind: 'site', title: 'x', url: `${base}/` });
    const result = await indexKnowledgeSource(
      { ...deps(), fetchPolicy: { allow: [] } },
      { organizationId: orgA, sourceId: source.id, generation: 1 },
    );
    expect(result).toMatchObject({ outcome: 'failed' });
    expect(await getKnowledgeSource(db, orgA, source.id)).toMatchObject({ status: 'failed', chunkCount: 0 });
    expect((await getKnowledgeSource(db, orgA, source.id))!.error).toMatch(/private or reserved address/);
  });

  it('tenant isolation: another project of the same organization, or another organization, is never returned', async () => {
    await addAndIndex(orgA, projA2, {
      kind: 'text',
      title: 'Zebra care',
      content: 'Zebras in project two eat hay daily.',
    });
    await addAndIndex(orgB, projB, {
      kind: 'text',
      title: 'Zebra care',
      content: 'Zebras of organization B eat hay daily.',
    });
    const r = fullText();
    expect(await r({ organizationId: orgA, projectId: projA, question: 'zebras hay', limit: 5 })).toEqual([]);
    const two = await r({ organizationId: orgA, projectId: projA2, question: 'zebras hay', limit: 5 });
    expect(two.map((h) => h.text)).toEqual(['Zebras in project two eat hay daily.']);
    // The other organization's project id with our organization id (and the reverse) finds nothing.
    expect(await r({ organizationId: orgA, projectId: projB, question: 'zebras hay', limit: 5 })).toEqual([]);
    expect(await r({ organizationId: orgB, projectId: projA2, question: 'zebras hay', limit: 5 })).toEqual([]);
    // Re-index or delete through another tenant's ids touches nothing.
    const a2 = (await r({ organizationId: orgA, projectId: projA2, question: 'zebras', limit: 1 }))[0]!;
    expect(await requestKnowledgeReindex(db, orgB, projA2, a2.sourceId)).toBeNull();
    expect(await getKnowledgeSource(db, orgB, a2.sourceId)).toBeNull();
  });

  it('re-crawl replaces the pages, and a job of an older generation writes nothing', async () => {
    const { source } = await addAndIndex(orgA, projA2, { kind: 'site', title: base, url: `${base}/` });
    const before = await fullText()({
      organizationId: orgA,
      projectId: projA2,
      question: 'return window refund',
      limit: 1,
    });
    expect(before[0]?.text).toContain('30 days');
    pages.set('/returns', page('Returns', '<h2>Return window</h2><p>Returns are accepted within 60 days now.</p>'));
    const next = (await requestKnowledgeReindex(db, orgA, projA2, source.id))!;
    expect(next.generation).toBe(2);
    // The generation-1 job (retried late) finds the source moved on.
    expect(await indexKnowledgeSource(deps(), { organizationId: orgA, sourceId: source.id, generation: 1 })).toEqual({
      outcome: 'superseded',
    });
    const result = await indexKnowledgeSource(deps(), { organizationId: orgA, sourceId: source.id, generation: 2 });
    expect(result.outcome).toBe('indexed');
    const texts = (await listKnowledgeChunks(db, orgA, source.id)).map((c) => c.text).join('\n');
    expect(texts).toContain('60 days');
    expect(texts).not.toContain('30 days');
    const after = await fullText()({
      organizationId: orgA,
      projectId: projA2,
      question: 'return window refund days',
      limit: 1,
    });
    expect(after[0]?.text).toContain('60 days');
  });

  describe('with embeddings (fake OpenAI through the real SDK)', () => {
    let fake: TFakeOpenAi;
    const usage: TEmbeddingUsage[] = [];
    beforeAll(async () => {
      fake = await startFakeOpenAi();
    });
    afterAll(async () => {
      await fake?.close();
    });
    const embedder = () =>
      createOpenAiEmbedder({
        client: createOpenAiClient({ apiKey: fake.apiKey, baseURL: fake.baseUrl }),
        model: 'text-embedding-3-small',
        onUsage: (u) => void usage.push(u),
      });

    it('stores a vector per chunk, reports usage per organization, and fuses both rankings', async () => {
      const proj = (await createProject(db, orgA, { name: 'Hybrid', allowedOrigins: [] })).id;
      const source = await createKnowledgeSource(db, orgA, proj, {
        kind: 'text',
        title: 'Plans',
        content:
          '# Plans\n\n## Pro plan\n\nThe Pro plan costs 29 euros a month.\n\n## Team plan\n\nThe Team plan adds shared inboxes.',
      });
      const result = await indexKnowledgeSource(
        { ...deps(), embedder: embedder() },
        { organizationId: orgA, sourceId: source.id, generation: 1 },
      );
      expect(result).toMatchObject({ outcome: 'indexed', embedded: true, chunks: 2 });
      expect((await listKnowledgeChunks(db, orgA, source.id)).every((c) => c.hasEmbedding)).toBe(true);
      expect(usage.at(-1)).toMatchObject({ organizationId: orgA, model: 'text-embedding-3-small', kind: 'embedding' });
      expect(usage.at(-1)!.tokensIn).toBeGreaterThan(0);

      const hybrid = createKnowledgeRetriever({ db, embedder: embedder() });
      const hits = await hybrid({
        organizationId: orgA,
        projectId: proj,
        question: 'what does the pro plan cost',
        limit: 2,
      });
      expect(hits[0]).toMatchObject({ title: 'Plans › Pro plan' });
      expect(hits[0]!.ranks.fullText).toBe(1);
      expect(hits[0]!.ranks.vector).toBe(1);
      // The question's embedding is metered too.
      expect(usage.filter((u) => u.organizationId === orgA).length).toBeGreaterThanOrEqual(2);
      // Another project's vectors are never compared.
      expect(await hybrid({ organizationId: orgA, projectId: projA2, question: 'pro plan cost', limit: 5 })).toEqual(
        [],
      );
    });

    it('a provider failure keeps the source searchable by full text (indexing) and answers by full text (retrieval)', async () => {
      const proj = (await createProject(db, orgA, { name: 'Outage', allowedOrigins: [] })).id;
      const source = await createKnowledgeSource(db, orgA, proj, {
        kind: 'text',
        title: 'Hours',
        content: 'Open weekdays 9 to 17.',
      });
      fake.failNext('embeddings', { status: 500 }, 10);
      const result = await indexKnowledgeSource(
        { ...deps(), embedder: embedder() },
        { organizationId: orgA, sourceId: source.id, generation: 1 },
      );
      expect(result).toMatchObject({ outcome: 'indexed', embedded: false });
      if (result.outcome === 'indexed') expect(result.warnings.join()).toMatch(/Embeddings failed/);
      const hits = await createKnowledgeRetriever({ db, embedder: embedder() })({
        organizationId: orgA,
        projectId: proj,
        question: 'opening weekdays',
        limit: 1,
      });
      expect(hits[0]?.text).toBe('Open weekdays 9 to 17.');
      fake.reset();
    });
  });

  it('through the queue: an enqueued index job is run by the worker and the source turns ready', async () => {
    const redisConfig = { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() };
    const worker = await startKnowledgeWorker({
      db,
      redisConfig,
      log: createLogger('test', 'silent'),
      config: { fetchAllow: ['127.0.0.1'], maxPages: 10, embeddings: null },
    });
    const redis = createRedis(TEST_REDIS_URL, 'producer');
    const jobs = createKnowledgeJobs(redis, redisConfig);
    try {
      const source = await createKnowledgeSource(db, orgB, projB, { kind: 'site', title: base, url: `${base}/` });
      await jobs.enqueueIndex({ organizationId: orgB, sourceId: source.id, generation: 1 });
      const ready = await waitFor(
        async () => {
          const s = await getKnowledgeSource(db, orgB, source.id);
          return s?.status === 'ready' ? s : null;
        },
        { timeoutMs: 20_000, what: 'the source to be indexed' },
      );
      expect(ready.pageCount).toBe(3);
    } finally {
      await jobs.close();
      redis.disconnect();
      await worker.close();
    }
  });

  it('a lost enqueue: the recovery pass queues the pending source once (two passes, one job) and it turns ready', async () => {
    const redisConfig = { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() };
    const worker = await startKnowledgeWorker({
      db,
      redisConfig,
      log: createLogger('test', 'silent'),
      // No timer: the test runs the passes; "stale" from the first millisecond.
      config: { fetchAllow: ['127.0.0.1'], maxPages: 10, embeddings: null, recovery: { everyMs: 0, olderThanMs: 0 } },
    });
    try {
      // Created, but its job was never added (Redis away at that moment).
      const source = await createKnowledgeSource(db, orgB, projB, {
        kind: 'text',
        title: 'Gift wrap',
        content: 'Gift wrapping costs 3 euros per parcel.',
      });
      await new Promise((r) => setTimeout(r, 5));
      const [first, second] = await Promise.all([worker.recover(), worker.recover()]);
      // The same job id whoever queues it: the source is indexed once.
      expect(first + second).toBeGreaterThanOrEqual(1);
      const ready = await waitFor(
        async () => {
          const s = await getKnowledgeSource(db, orgB, source.id);
          return s?.status === 'ready' ? s : null;
        },
        { timeoutMs: 20_000, what: 'the recovered source to be indexed' },
      );
      expect(ready.generation).toBe(1);
      expect(ready.chunkCount).toBeGreaterThan(0);
      // Nothing left to recover.
      expect(await worker.recover()).toBe(0);
    } finally {
      await worker.close();
    }
  });
});
