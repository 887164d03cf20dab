import { Prisma, type KnowledgeSource } from '@prisma/client';
import type { TDb } from '../client.js';
import { newId } from './ids.js';

/**
 * The AI's knowledge: sources and their chunks, scoped by organization AND project in every statement. Chunks are
 * written here with their tsvector (title weighted above text) and searched here; chunking, crawling and ranking
 * fusion live in @pocketping/knowledge.
 */

export type TKnowledgeSourceKind = 'text' | 'faq' | 'file' | 'site' | 'sitemap';
export type TKnowledgeSourceStatus = 'pending' | 'indexing' | 'ready' | 'failed';
/** The text-search configurations chunks are indexed with: English stemming, or plain words for other languages. */
export type TKnowledgeLanguage = 'english' | 'simple';

export interface TKnowledgeSource {
  id: string;
  organizationId: string;
  projectId: string;
  kind: TKnowledgeSourceKind;
  title: string;
  url: string | null;
  status: TKnowledgeSourceStatus;
  error: string | null;
  warnings: string[];
  pageCount: number;
  chunkCount: number;
  /** Characters of stored text (text, FAQ, file sources). */
  contentChars: number;
  generation: number;
  lastIndexedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A source with its stored text, for the indexer. */
export interface TKnowledgeSourceWithContent extends TKnowledgeSource {
  content: string | null;
}

/** A source row without its file: the bytes of an uploaded PDF are only ever read by the indexer (getKnowledgeSourceFile). */
const NO_FILE = { fileBytes: true } as const;

function toSource(row: Omit<KnowledgeSource, 'fileBytes'>): TKnowledgeSourceWithContent {
  return {
    id: row.id,
    organizationId: row.organizationId,
    projectId: row.projectId,
    kind: row.kind,
    title: row.title,
    url: row.url,
    status: row.status,
    error: row.error,
    warnings: row.warnings,
    pageCount: row.pageCount,
    chunkCount: row.chunkCount,
    contentChars: row.content?.length ?? 0,
    generation: row.generation,
    lastIndexedAt: row.lastIndexedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    content: row.content,
  };
}

function withoutContent(s: TKnowledgeSourceWithContent): TKnowledgeSource {
  const { content: _content, ...rest } = s;
  return rest;
}

export async function createKnowledgeSource(
  db: TDb,
  organizationId: string,
  projectId: string,
  input: {
    kind: TKnowledgeSourceKind;
    title: string;
    content?: string | null;
    url?: string | null;
    /** An uploaded PDF, kept until the indexer has read its text. */
    fileBytes?: Uint8Array | null;
  },
): Promise<TKnowledgeSource> {
  const row = await db.knowledgeSource.create({
    data: {
      organizationId,
      projectId,
      kind: input.kind,
      title: input.title,
      content: input.content ?? null,
      url: input.url ?? null,
      // A copy on its own ArrayBuffer (what the client takes; a Buffer may be a view of a shared pool).
      fileBytes: input.fileBytes ? new Uint8Array(input.fileBytes) : null,
    },
    omit: NO_FILE,
  });
  return withoutContent(toSource(row));
}

export async function countKnowledgeSources(db: TDb, organizationId: string, projectId: string): Promise<number> {
  return db.knowledgeSource.count({ where: { organizationId, projectId } });
}

export async function listKnowledgeSources(
  db: TDb,
  organizationId: string,
  projectId: string,
): Promise<TKnowledgeSource[]> {
  const rows = await db.knowledgeSource.findMany({
    where: { organizationId, projectId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: 500,
    omit: NO_FILE,
  });
  return rows.map((r) => withoutContent(toSource(r)));
}

export async function getKnowledgeSource(
  db: TDb,
  organizationId: string,
  sourceId: string,
): Promise<TKnowledgeSourceWithContent | null> {
  const row = await db.knowledgeSource.findFirst({ where: { organizationId, id: sourceId }, omit: NO_FILE });
  return row ? toSource(row) : null;
}

/** The uploaded file of a source not read yet (a PDF the indexer parses), or null. */
export async function getKnowledgeSourceFile(
  db: TDb,
  organizationId: string,
  sourceId: string,
): Promise<Uint8Array | null> {
  const row = await db.knowledgeSource.findFirst({
    where: { organizationId, id: sourceId },
    select: { fileBytes: true },
  });
  return row?.fileBytes ?? null;
}

/** Deletes a source of that project (its chunks go with it). False when there is no such source there. */
export async function deleteKnowledgeSource(
  db: TDb,
  organizationId: string,
  projectId: string,
  sourceId: string,
): Promise<boolean> {
  const { count } = await db.knowledgeSource.deleteMany({ where: { organizationId, projectId, id: sourceId } });
  return count > 0;
}

/**
 * Asks for a new index of a source (re-crawl): a new generation, status pending. The job that carries the new
 * generation does the work; a job of an older generation still queued or running finds it moved on and stops.
 */
export async function requestKnowledgeReindex(
  db: TDb,
  organizationId: string,
  projectId: string,
  sourceId: string,
): Promise<{ generation: number } | null> {
  const rows = await db.$queryRaw<{ generation: number }[]>`
    UPDATE "KnowledgeSource" SET generation = generation + 1, status = 'pending', error = NULL, "updatedAt" = now()
    WHERE "organizationId" = ${organizationId} AND "projectId" = ${projectId} AND id = ${sourceId}
    RETURNING generation`;
  return rows[0] ?? null;
}

/**
 * Sources waiting (pending) or stuck (indexing) since before `olderThanMs`: their index job may be lost (a failed
 * enqueue, a job that failed for good). The knowledge worker's recovery pass, a system scan across tenants.
 */
export async function listStaleKnowledgeSources(
  db: TDb,
  input: { olderThanMs: number; limit: number },
): Promise<{ organizationId: string; id: string; generation: number; status: 'pending' | 'indexing' }[]> {
  const rows = await db.knowledgeSource.findMany({
    where: {
      status: { in: ['pending', 'indexing'] },
      updatedAt: { lt: new Date(Date.now() - input.olderThanMs) },
    },
    orderBy: { updatedAt: 'asc' },
    take: input.limit,
    select: { organizationId: true, id: true, generation: true, status: true },
  });
  return rows.map((r) => ({ ...r, status: r.status === 'indexing' ? 'indexing' : 'pending' }));
}

/** The indexer takes a source of this generation: pending → indexing. Null when the generation moved on or it is gone. */
export async function claimKnowledgeSource(
  db: TDb,
  organizationId: string,
  sourceId: string,
  generation: number,
): Promise<TKnowledgeSourceWithContent | null> {
  const { count } = await db.knowledgeSource.updateMany({
    where: { organizationId, id: sourceId, generation },
    data: { status: 'indexing', error: null },
  });
  if (count === 0) return null;
  return getKnowledgeSource(db, organizationId, sourceId);
}

export async function failKnowledgeSource(
  db: TDb,
  organizationId: string,
  sourceId: string,
  generation: number,
  error: string,
  warnings: string[] = [],
): Promise<boolean> {
  const { count } = await db.knowledgeSource.updateMany({
    where: { organizationId, id: sourceId, generation },
    data: { status: 'failed', error: error.slice(0, 500), warnings: warnings.slice(0, 50), lastIndexedAt: new Date() },
  });
  return count > 0;
}

export interface TKnowledgeChunkInput {
  url: string | null;
  title: string;
  text: string;
  language: TKnowledgeLanguage;
  embedding: number[] | null;
  embeddingModel: string | null;
}

const INSERT_BATCH = 100;

const tsvOf = (language: TKnowledgeLanguage, title: string, text: string) =>
  Prisma.sql`setweight(to_tsvector(${language}::regconfig, ${title}), 'A') || setweight(to_tsvector(${language}::regconfig, ${text}), 'D')`;

/**
 * Replaces every chunk of a source with `chunks`, in one transaction, if the source is still at `generation` (a
 * re-crawl asked meanwhile wins: false, nothing written). The source turns ready with its counts.
 */
export async function replaceKnowledgeChunks(
  db: TDb,
  organizationId: string,
  sourceId: string,
  generation: number,
  result: {
    chunks: TKnowledgeChunkInput[];
    pageCount: number;
    warnings: string[];
    title?: string;
    /** The text read from the source's uploaded file: stored in place of the file, which is dropped. */
    content?: string;
  },
): Promise<boolean> {
  return db.$transaction(
    async (tx) => {
      const locked = await tx.$queryRaw<{ projectId: string }[]>`
        SELECT "projectId" FROM "KnowledgeSource"
        WHERE "organizationId" = ${organizationId} AND id = ${sourceId} AND generation = ${generation} FOR UPDATE`;
      const projectId = locked[0]?.projectId;
      if (!projectId) return false;
      await tx.$executeRaw`DELETE FROM "KnowledgeChunk" WHERE "organizationId" = ${organizationId} AND "sourceId" = ${sourceId}`;
      for (let at = 0; at < result.chunks.length; at += INSERT_BATCH) {
        const rows = result.chunks.slice(at, at + INSERT_BATCH).map(
          (c, i) =>
            Prisma.sql`(${newId()}, ${organizationId}, ${projectId}, ${sourceId}, ${c.url}, ${c.title}, ${c.text}, ${at + i},
              ${c.language}, ${tsvOf(c.language, c.title, c.text)}, ${c.embedding}::real[], ${c.embeddingModel})`,
        );
        await tx.$executeRaw`INSERT INTO "KnowledgeChunk"
          (id, "organizationId", "projectId", "sourceId", url, title, text, position, language, tsv, embedding, "embeddingModel")
          VALUES ${Prisma.join(rows)}`;
      }
      await tx.knowledgeSource.update({
        where: { organizationId_id: { organizationId, id: sourceId } },
        data: {
          status: 'ready',
          error: null,
          warnings: result.warnings.slice(0, 50),
          pageCount: result.pageCount,
          chunkCount: result.chunks.length,
          lastIndexedAt: new Date(),
          ...(result.title ? { title: result.title.slice(0, 300) } : {}),
          ...(result.content !== undefined ? { content: result.content, fileBytes: null } : {}),
        },
      });
      return true;
    },
    { timeout: 60_000 },
  );
}

export interface TKnowledgeHit {
  chunkId: string;
  sourceId: string;
  title: string;
  url: string | null;
  text: string;
  score: number;
}

const LANGUAGES: readonly TKnowledgeLanguage[] = ['english', 'simple'];

/**
 * Full-text search, ranked like BM25 without term frequencies: each word of the question (normalised by the chunk's
 * text-search configuration: English stemming and stop words, or `simple`) counts by its rarity in this project's
 * passages (idf), twice when it is in the passage's title, the sum damped for long passages; a cover-density term
 * (`ts_rank_cd`, the words close together) breaks ties. `ts_rank_cd` alone has no idf: it ranks a passage that
 * repeats a common word ("box") over the one with the rare word the question is about ("Wadden"). Chunks indexed as
 * English are searched with the English configuration, the others with `simple`.
 */
export async function searchKnowledgeFullText(
  db: TDb,
  q: { organizationId: string; projectId: string; question: string; limit: number },
): Promise<TKnowledgeHit[]> {
  const question = q.question.slice(0, 2000);
  if (!/[\p{L}\p{N}]/u.test(question)) return [];
  const lists = await Promise.all(LANGUAGES.map((language) => searchOneLanguage(db, { ...q, question }, language)));
  return lists
    .flat()
    .sort((a, b) => b.score - a.score || a.chunkId.localeCompare(b.chunkId))
    .slice(0, q.limit);
}

function searchOneLanguage(
  db: TDb,
  q: { organizationId: string; projectId: string; question: string; limit: number },
  language: TKnowledgeLanguage,
): Promise<TKnowledgeHit[]> {
  // Each lexeme becomes a quoted tsquery operand (lexemes of URLs or e-mail addresses hold characters tsquery parses),
  // and a second one restricted to the title's weight (A).
  return db.$queryRaw<TKnowledgeHit[]>`
    WITH words AS (
      SELECT DISTINCT '''' || replace(replace(w, '\', '\\'), '''', '''''') || '''' AS lit
      FROM unnest(tsvector_to_array(to_tsvector(${language}::regconfig, ${q.question}))) AS w
      LIMIT 32
    ),
    terms AS (SELECT lit::tsquery AS tq, (lit || ':A')::tsquery AS tqa FROM words),
    scope AS (
      SELECT id, "sourceId", title, url, text, tsv FROM "KnowledgeChunk"
      WHERE "organizationId" = ${q.organizationId} AND "projectId" = ${q.projectId} AND language = ${language}
    ),
    stats AS (SELECT count(*)::float8 AS n, GREATEST(avg(length(text)), 1)::float8 AS avglen FROM scope),
    weighted AS (
      SELECT t.tq, t.tqa, ln(1 + (st.n - d.df + 0.5) / (d.df + 0.5)) AS idf
      FROM terms t CROSS JOIN stats st
      CROSS JOIN LATERAL (SELECT count(*)::float8 AS df FROM scope s WHERE s.tsv @@ t.tq) d
    ),
    anyterm AS (SELECT string_agg(tq::text, ' | ')::tsquery AS q FROM terms)
    SELECT s.id AS "chunkId", s."sourceId", s.title, s.url, s.text,
      (sum(w.idf * CASE WHEN s.tsv @@ w.tqa THEN 2 ELSE 1 END) / (0.75 + 0.25 * length(s.text) / st.avglen)
        + 0.5 * ts_rank_cd(s.tsv, a.q, 1))::float8 AS score
    FROM scope s
    JOIN weighted w ON s.tsv @@ w.tq
    CROSS JOIN stats st CROSS JOIN anyterm a
    GROUP BY s.id, s."sourceId", s.title, s.url, s.text, s.tsv, st.avglen, a.q
    ORDER BY score DESC, s.id
    LIMIT ${q.limit}`;
}

/** Most chunks a vector search compares (newest sources' chunks first past it); keeps one query bounded. */
const VECTOR_SCAN_MAX = 20_000;

/** Cosine similarity in SQL over the chunks embedded with `model` (same dimensions), best first. */
export async function searchKnowledgeVectors(
  db: TDb,
  q: { organizationId: string; projectId: string; vector: number[]; model: string; limit: number },
): Promise<TKnowledgeHit[]> {
  const norm = Math.hypot(...q.vector);
  if (!norm) return [];
  return db.$queryRaw<TKnowledgeHit[]>`
    WITH cand AS (
      SELECT id, "sourceId", title, url, text, embedding FROM "KnowledgeChunk"
      WHERE "organizationId" = ${q.organizationId} AND "projectId" = ${q.projectId}
        AND "embeddingModel" = ${q.model} AND cardinality(embedding) = ${q.vector.length}
      ORDER BY "createdAt" DESC LIMIT ${VECTOR_SCAN_MAX}
    )
    SELECT id AS "chunkId", "sourceId", title, url, text,
      ((SELECT sum(a * b) FROM unnest(embedding, ${q.vector}::real[]) AS t(a, b))
        / NULLIF(sqrt((SELECT sum(a * a) FROM unnest(embedding) AS t(a))) * ${norm}, 0))::float8 AS score
    FROM cand
    ORDER BY score DESC NULLS LAST, id
    LIMIT ${q.limit}`;
}

/** Chunks of a source, in order (the dashboard's preview and tests). */
export async function listKnowledgeChunks(
  db: TDb,
  organizationId: string,
  sourceId: string,
): Promise<{ id: string; url: string | null; title: string; text: string; hasEmbedding: boolean }[]> {
  const rows = await db.$queryRaw<
    { id: string; url: string | null; title: string; text: string; hasEmbedding: boolean }[]
  >`
    SELECT id, url, title, text, (embedding IS NOT NULL) AS "hasEmbedding" FROM "KnowledgeChunk"
    WHERE "organizationId" = ${organizationId} AND "sourceId" = ${sourceId} ORDER BY position`;
  return rows;
}
