import {
  claimKnowledgeSource,
  failKnowledgeSource,
  getKnowledgeSourceFile,
  replaceKnowledgeChunks,
  type TDb,
  type TKnowledgeChunkInput,
  type TKnowledgeSourceWithContent,
} from '@pocketping/db';
import type { TLogger } from '@pocketping/core';
import { chunkText, type TChunkOptions } from './chunk-text.js';
import { crawlSite, CrawlFailedError } from './crawl-site.js';
import { detectLanguage } from './detect-language.js';
import type { TEmbedder } from './embeddings.js';
import { readPdfFile, UnsupportedFileError } from './extract-file-text.js';
import { FetchRefusedError, type TFetchPolicy } from '@pocketping/core';

export interface TIndexDeps {
  db: TDb;
  fetchPolicy: TFetchPolicy;
  maxPages: number;
  /** Null = full-text only. */
  embedder: TEmbedder | null;
  log?: TLogger;
  crawlDeadlineMs?: number;
  chunk?: Partial<TChunkOptions>;
  /** Passages one source may have (the rest are left out with a warning). */
  maxChunks?: number;
  signal?: AbortSignal;
}

export type TIndexOutcome =
  | { outcome: 'indexed'; pages: number; chunks: number; embedded: boolean; warnings: string[] }
  | { outcome: 'superseded' }
  | { outcome: 'failed'; error: string };

interface TDocument {
  url: string | null;
  title: string;
  text: string;
}

async function documentsOf(
  source: TKnowledgeSourceWithContent,
  deps: TIndexDeps,
): Promise<{ docs: TDocument[]; warnings: string[]; title?: string; content?: string }> {
  switch (source.kind) {
    case 'file': {
      if (source.content !== null)
        return { docs: [{ url: null, title: source.title, text: source.content }], warnings: [] };
      // An uploaded PDF not read yet: parsed here, off the web request (bounded in pages and time), and its text
      // replaces the file on the source once the passages are written.
      const bytes = await getKnowledgeSourceFile(deps.db, source.organizationId, source.id);
      if (!bytes) throw new UnsupportedFileError('The uploaded file is missing: upload it again');
      const pdf = await readPdfFile(bytes, source.title);
      return {
        docs: [{ url: null, title: pdf.title, text: pdf.text }],
        warnings: pdf.warnings,
        title: pdf.title,
        content: pdf.text,
      };
    }
    case 'text':
      return { docs: [{ url: null, title: source.title, text: source.content ?? '' }], warnings: [] };
    case 'faq':
      // The question is the passage's title and is repeated in its text: questions are what visitors ask.
      return {
        docs: [{ url: null, title: source.title, text: `${source.title}\n\n${source.content ?? ''}` }],
        warnings: [],
      };
    case 'site':
    case 'sitemap': {
      const crawl = await crawlSite(
        { url: source.url ?? '', mode: source.kind },
        {
          fetchPolicy: deps.fetchPolicy,
          maxPages: deps.maxPages,
          ...(deps.crawlDeadlineMs !== undefined ? { deadlineMs: deps.crawlDeadlineMs } : {}),
          ...(deps.signal ? { signal: deps.signal } : {}),
        },
      );
      return {
        docs: crawl.pages.map((p) => ({ url: p.url, title: p.title, text: p.text })),
        warnings: crawl.warnings,
        ...(source.kind === 'site' && crawl.siteTitle ? { title: crawl.siteTitle } : {}),
      };
    }
  }
}

/**
 * (Re)indexes one source at one generation: text, FAQ and files from their stored text (an uploaded PDF is read
 * here first, and its text kept in place of the file), sites by crawling them;
 * chunks, detects the language, embeds when an embedder is given (a provider failure leaves the passages without
 * vectors — full-text search still finds them — and says so), then replaces the source's chunks in one transaction.
 * A newer generation asked meanwhile wins and this run writes nothing. Never throws for a bad source: the source
 * turns `failed` with a readable error. Infrastructure errors (database) do throw, so the job retries.
 */
export async function indexKnowledgeSource(
  deps: TIndexDeps,
  job: { organizationId: string; sourceId: string; generation: number },
): Promise<TIndexOutcome> {
  const source = await claimKnowledgeSource(deps.db, job.organizationId, job.sourceId, job.generation);
  if (!source) return { outcome: 'superseded' };
  let docs: TDocument[];
  let warnings: string[];
  let title: string | undefined;
  let content: string | undefined;
  try {
    ({ docs, warnings, title, content } = await documentsOf(source, deps));
  } catch (err) {
    if (!(err instanceof CrawlFailedError || err instanceof FetchRefusedError || err instanceof UnsupportedFileError))
      throw err;
    await failKnowledgeSource(deps.db, job.organizationId, job.sourceId, job.generation, err.message);
    return { outcome: 'failed', error: err.message };
  }
  const maxChunks = deps.maxChunks ?? 5000;
  const chunks: TKnowledgeChunkInput[] = [];
  for (const doc of docs) {
    const language = detectLanguage(doc.text);
    for (const c of chunkText(doc, deps.chunk)) {
      if (chunks.length >= maxChunks) break;
      chunks.push({ url: doc.url, title: c.title, text: c.text, language, embedding: null, embeddingModel: null });
    }
  }
  if (chunks.length >= maxChunks) warnings.push(`Only the first ${maxChunks} passages were kept`);
  if (chunks.length === 0) {
    const error = 'No text was found in this source';
    await failKnowledgeSource(deps.db, job.organizationId, job.sourceId, job.generation, error, warnings);
    return { outcome: 'failed', error };
  }
  let embedded = false;
  if (deps.embedder) {
    try {
      const vectors = await deps.embedder.embed(
        chunks.map((c) => `${c.title}\n\n${c.text}`),
        job.organizationId,
      );
      chunks.forEach((c, i) => {
        c.embedding = vectors[i] ?? null;
        c.embeddingModel = vectors[i] ? deps.embedder!.model : null;
      });
      embedded = true;
    } catch (err) {
      deps.log?.warn(
        { tenantId: job.organizationId, sourceId: job.sourceId, err: (err as Error).message },
        'knowledge embeddings failed; indexed for full-text search only',
      );
      warnings.push(`Embeddings failed (${(err as Error).message.slice(0, 200)}); full-text search only`);
    }
  }
  const pageCount = source.kind === 'site' || source.kind === 'sitemap' ? docs.length : 1;
  const written = await replaceKnowledgeChunks(deps.db, job.organizationId, job.sourceId, job.generation, {
    chunks,
    pageCount,
    warnings,
    ...(title ? { title } : {}),
    ...(content !== undefined ? { content } : {}),
  });
  if (!written) return { outcome: 'superseded' };
  return { outcome: 'indexed', pages: pageCount, chunks: chunks.length, embedded, warnings };
}
