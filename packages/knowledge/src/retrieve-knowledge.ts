import type { TKnowledgeSnippet } from '@pocketping/ai';
import type { TLogger } from '@pocketping/core';
import { searchKnowledgeFullText, searchKnowledgeVectors, type TDb, type TKnowledgeHit } from '@pocketping/db';
import type { TEmbedder } from './embeddings.js';

/** A retrieved passage: what the prompt needs (title, url, text) plus where it comes from and how it ranked. */
export interface TRetrievedSnippet extends TKnowledgeSnippet {
  chunkId: string;
  sourceId: string;
  /** Full text alone: ts_rank_cd. Hybrid: the reciprocal-rank-fusion score. Higher is better. */
  score: number;
  /** 1-based rank in each list it was found in. */
  ranks: { fullText: number | null; vector: number | null };
}

export interface TRetrieveKnowledgeInput {
  organizationId: string;
  projectId: string;
  question: string;
  limit: number;
}

/** The port the AI fallback takes: the owner's passages for a question, best first, scoped to one project. */
export type TRetrieveKnowledge = (input: TRetrieveKnowledgeInput) => Promise<TRetrievedSnippet[]>;

export interface TRetrieverDeps {
  db: TDb;
  /** With an embedder: hybrid (full text + cosine, fused by reciprocal rank). Without: full text only. */
  embedder: TEmbedder | null;
  log?: TLogger;
  /** Candidates taken from each list before fusion (default 20). */
  candidates?: number;
}

/** RRF's constant: ranks far down both lists count little, and neither list's raw scores need calibrating. */
const RRF_K = 60;
const LIMIT_MAX = 20;
const QUESTION_MAX_CHARS = 2000;

/** Reciprocal rank fusion of ranked lists of hits (by chunk id). */
export function fuseByReciprocalRank(
  fullText: readonly TKnowledgeHit[],
  vector: readonly TKnowledgeHit[],
): (TKnowledgeHit & { ranks: TRetrievedSnippet['ranks'] })[] {
  const byId = new Map<string, TKnowledgeHit & { ranks: TRetrievedSnippet['ranks']; fused: number }>();
  const add = (list: readonly TKnowledgeHit[], key: 'fullText' | 'vector') =>
    list.forEach((hit, i) => {
      const entry = byId.get(hit.chunkId) ?? { ...hit, ranks: { fullText: null, vector: null }, fused: 0 };
      entry.ranks[key] = i + 1;
      entry.fused += 1 / (RRF_K + i + 1);
      byId.set(hit.chunkId, entry);
    });
  add(fullText, 'fullText');
  add(vector, 'vector');
  return [...byId.values()]
    .sort((a, b) => b.fused - a.fused || (a.ranks.fullText ?? 1e9) - (b.ranks.fullText ?? 1e9))
    .map(({ fused, ...rest }) => ({ ...rest, score: fused }));
}

/**
 * Builds the retriever. Every query carries organizationId AND projectId. When the embeddings provider fails, the
 * answer falls back to full text (logged), so a provider outage never leaves the AI without knowledge.
 */
export function createKnowledgeRetriever(deps: TRetrieverDeps): TRetrieveKnowledge {
  const candidates = deps.candidates ?? 20;
  return async ({ organizationId, projectId, question, limit }) => {
    const q = question.trim().slice(0, QUESTION_MAX_CHARS);
    const n = Math.max(1, Math.min(LIMIT_MAX, Math.floor(limit)));
    if (!q) return [];
    const scope = { organizationId, projectId };
    const fullTextP = searchKnowledgeFullText(deps.db, {
      ...scope,
      question: q,
      limit: deps.embedder ? candidates : n,
    });
    let vector: TKnowledgeHit[] = [];
    if (deps.embedder) {
      try {
        const [v] = await deps.embedder.embed([q], organizationId);
        if (v)
          vector = await searchKnowledgeVectors(deps.db, {
            ...scope,
            vector: v,
            model: deps.embedder.model,
            limit: candidates,
          });
      } catch (err) {
        deps.log?.warn(
          { tenantId: organizationId, projectId, err: (err as Error).message },
          'question embedding failed; full-text retrieval only',
        );
      }
    }
    const fullText = await fullTextP;
    const ranked = deps.embedder
      ? fuseByReciprocalRank(fullText, vector)
      : fullText.map((h, i) => ({ ...h, ranks: { fullText: i + 1, vector: null } }));
    return ranked.slice(0, n).map((h) => ({
      chunkId: h.chunkId,
      sourceId: h.sourceId,
      title: h.title,
      url: h.url,
      text: h.text,
      score: h.score,
      ranks: h.ranks,
    }));
  };
}
