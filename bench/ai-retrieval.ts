// Retrieval quality of the AI's knowledge on a sample help site (bench/fixtures/help-site: 45 pages of a fictional
// meal-kit service, 67 questions each labelled with the page that answers it).
//   pnpm exec tsx bench/ai-retrieval.ts
// How: the pages are served as HTML on 127.0.0.1 (a shared layout with navigation and footer, links between pages,
// robots.txt, sitemap.xml) and crawled through the real crawler (packages/knowledge: robots.txt, same-site links,
// SSRF guard with 127.0.0.1 allowlisted) into a fresh Postgres database. Each question is asked through the same
// retriever the AI uses; a hit is a retrieved passage whose page is the labelled one. Printed: hit@1, hit@3 and MRR
// (over the top 10) for full-text search alone, and for hybrid (full text + embeddings, reciprocal rank fusion).
// The embeddings come from the fake OpenAI server (packages/testkit: hashed words, not a language model), so the
// hybrid figures only show the plumbing works end to end — they say nothing about real embeddings.
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseKeyRing } from '@pocketping/core';
import { bootstrapTenant, createDb, createKnowledgeSource, createProject, getKnowledgeSource } from '@pocketping/db';
import { createOpenAiClient } from '@pocketping/ai';
import {
  createKnowledgeRetriever,
  createOpenAiEmbedder,
  indexKnowledgeSource,
  type TEmbedder,
  type TRetrieveKnowledge,
} from '@pocketping/knowledge';
import { createTestDatabase, startFakeOpenAi, testEncryptionKey } from '@pocketping/testkit';

const here = path.dirname(fileURLToPath(import.meta.url));
const siteDir = path.join(here, 'fixtures/help-site');
const slugs = readdirSync(path.join(siteDir, 'pages'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => f.slice(0, -3))
  .sort();
const questions = JSON.parse(readFileSync(path.join(siteDir, 'questions.json'), 'utf8')) as {
  q: string;
  page: string;
}[];

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The page's Markdown as HTML, inside the help center's layout (navigation, related links, footer). */
function renderPage(slug: string): string {
  const md = readFileSync(path.join(siteDir, 'pages', `${slug}.md`), 'utf8');
  const title = /^# (.+)$/m.exec(md)?.[1] ?? slug;
  const body = md
    .split(/\n(?=#)|\n{2,}/)
    .map((block) => {
      const h = /^(#{1,3}) (.+)$/.exec(block.trim());
      if (h) return `<h${h[1]!.length}>${escape(h[2]!)}</h${h[1]!.length}>`;
      return block
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((p) => `<p>${escape(p)}</p>`)
        .join('\n');
    })
    .join('\n');
  const i = slugs.indexOf(slug);
  const related = [slugs[(i + 1) % slugs.length], slugs[(i + slugs.length - 1) % slugs.length]];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · Pebble Pantry Help</title></head>
<body><header><a href="/">Pebble Pantry Help Center</a> <a href="/login">Log in</a></header>
<nav><a href="/">All topics</a> <a href="/delivery-days">Delivery</a> <a href="/prices">Prices</a> <a href="/contact-support">Contact</a></nav>
<main><article>${body}</article>
<aside>Related: ${related.map((r) => `<a href="/${r}">${r}</a>`).join(' ')}</aside></main>
<footer>© Pebble Pantry B.V. · Privacy · Cookies · Terms</footer></body></html>`;
}

function renderIndex(): string {
  return `<!doctype html><html><head><title>Pebble Pantry Help Center</title></head><body>
<main><h1>Help Center</h1><p>Find answers about deliveries, your subscription, payments and our food.</p>
<ul>${slugs.map((s) => `<li><a href="/${s}">${s.replace(/-/g, ' ')}</a></li>`).join('')}</ul>
<a href="/admin/drafts">Drafts</a></main></body></html>`;
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const slug = url.pathname.replace(/^\//, '');
  if (url.pathname === '/robots.txt')
    res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /admin\n');
  else if (url.pathname === '/sitemap.xml')
    res
      .writeHead(200, { 'content-type': 'application/xml' })
      .end(
        `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${slugs.map((s) => `<url><loc>${base}/${s}</loc></url>`).join('')}</urlset>`,
      );
  else if (url.pathname === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(renderIndex());
  else if (slugs.includes(slug)) res.writeHead(200, { 'content-type': 'text/html' }).end(renderPage(slug));
  else res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const database = await createTestDatabase('pp_bench_ai');
const db = createDb(database.url, { poolSize: 5 });
const fake = await startFakeOpenAi();
try {
  const tenant = await bootstrapTenant(db, parseKeyRing(testEncryptionKey()), {
    email: 'bench@ai.test',
    orgName: 'Bench',
    allowedOrigins: [],
  });
  const organizationId = tenant.organization.id;

  async function crawlInto(projectId: string, mode: 'site' | 'sitemap', embedder: TEmbedder | null) {
    const source = await createKnowledgeSource(db, organizationId, projectId, {
      kind: mode,
      title: base,
      url: mode === 'site' ? `${base}/` : `${base}/sitemap.xml`,
    });
    const t0 = performance.now();
    const result = await indexKnowledgeSource(
      { db, fetchPolicy: { allow: ['127.0.0.1'] }, maxPages: 200, embedder },
      { organizationId, sourceId: source.id, generation: 1 },
    );
    const ms = performance.now() - t0;
    if (result.outcome !== 'indexed') throw new Error(`indexing failed: ${JSON.stringify(result)}`);
    const stored = await getKnowledgeSource(db, organizationId, source.id);
    return { ms, pages: stored!.pageCount, chunks: stored!.chunkCount, warnings: stored!.warnings };
  }

  async function evaluate(name: string, projectId: string, retrieve: TRetrieveKnowledge) {
    let hit1 = 0;
    let hit3 = 0;
    let rr = 0;
    const misses: string[] = [];
    const latencies: number[] = [];
    for (const { q, page } of questions) {
      const t0 = performance.now();
      const hits = await retrieve({ organizationId, projectId, question: q, limit: 10 });
      latencies.push(performance.now() - t0);
      const want = `${base}/${page}`;
      const rank = hits.findIndex((h) => h.url === want) + 1;
      if (rank === 1) hit1++;
      if (rank >= 1 && rank <= 3) hit3++;
      if (rank >= 1) rr += 1 / rank;
      if (rank === 0 || rank > 3)
        misses.push(
          `  "${q}" → want ${page}, got ${
            hits
              .slice(0, 3)
              .map((h) => h.url?.replace(`${base}/`, ''))
              .join(', ') || 'nothing'
          }${rank ? ` (rank ${rank})` : ''}`,
        );
    }
    latencies.sort((a, b) => a - b);
    const n = questions.length;
    console.log(
      `${name.padEnd(44)} hit@1 ${(hit1 / n).toFixed(3)}  hit@3 ${(hit3 / n).toFixed(3)}  MRR@10 ${(rr / n).toFixed(3)}  (query p50 ${latencies[Math.floor(n / 2)]!.toFixed(1)} ms)`,
    );
    if (misses.length) console.log(`  misses at 3:\n${misses.join('\n')}`);
  }

  console.log(`help site: ${slugs.length} pages, ${questions.length} labelled questions, served at ${base}`);
  const ftProject = tenant.project.id;
  const crawl = await crawlInto(ftProject, 'site', null);
  console.log(
    `crawl (start URL, links): ${crawl.pages} pages, ${crawl.chunks} passages in ${crawl.ms.toFixed(0)} ms; skipped: ${crawl.warnings.length} (${crawl.warnings.join('; ')})`,
  );
  await evaluate('full text (site crawl)', ftProject, createKnowledgeRetriever({ db, embedder: null }));

  const smProject = (await createProject(db, organizationId, { name: 'Sitemap', allowedOrigins: [] })).id;
  const sm = await crawlInto(smProject, 'sitemap', null);
  console.log(`crawl (sitemap.xml): ${sm.pages} pages, ${sm.chunks} passages in ${sm.ms.toFixed(0)} ms`);
  await evaluate('full text (sitemap crawl)', smProject, createKnowledgeRetriever({ db, embedder: null }));

  const embedder = createOpenAiEmbedder({
    client: createOpenAiClient({ apiKey: fake.apiKey, baseURL: fake.baseUrl }),
    model: 'text-embedding-3-small',
  });
  const hyProject = (await createProject(db, organizationId, { name: 'Hybrid', allowedOrigins: [] })).id;
  const hy = await crawlInto(hyProject, 'site', embedder);
  console.log(`crawl with embeddings: ${hy.pages} pages, ${hy.chunks} passages in ${hy.ms.toFixed(0)} ms`);
  await evaluate(
    'hybrid, FAKE embeddings (plumbing check only)',
    hyProject,
    createKnowledgeRetriever({ db, embedder }),
  );
  console.log(
    'Note: the fake embeddings hash words into vectors (no meaning); hybrid figures only prove the fusion path runs.',
  );
} finally {
  await fake.close();
  await db.$disconnect();
  await database.drop();
  server.close();
}
