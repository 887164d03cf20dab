import { createOpenAiClient } from '@pocketping/ai';
import { createKnowledgeJobs, type TKnowledgeJobs } from '@pocketping/jobs';
import {
  createKnowledgeRetriever,
  createOpenAiEmbedder,
  type TOnEmbeddingUsage,
  type TRetrieveKnowledge,
} from '@pocketping/knowledge';
import type { TWebContext } from '../context';

export interface TKnowledgeServices {
  jobs: TKnowledgeJobs;
  retrieve: TRetrieveKnowledge;
  /** The provider client for the playground's answer; null without OPENAI_API_KEY. */
  ai: ReturnType<typeof createOpenAiClient> | null;
  embeddings: boolean;
}

// Kept on globalThis like the web context: `next dev` re-evaluates modules on every edit.
const holder = globalThis as typeof globalThis & { __pocketpingKnowledge?: TKnowledgeServices };

/**
 * Where the playground's question embeddings are metered. The AI usage table belongs to the AI fallback; until it is
 * wired here, usage is logged.
 */
const logUsage =
  (app: TWebContext): TOnEmbeddingUsage =>
  (u) =>
    app.log.debug({ tenantId: u.organizationId, model: u.model, tokensIn: u.tokensIn }, 'embedding usage');

/** The knowledge queue's producer, the retriever and the provider client, built once per process. */
export function knowledgeServices(app: TWebContext): TKnowledgeServices {
  if (holder.__pocketpingKnowledge) return holder.__pocketpingKnowledge;
  const { env } = app;
  const ai = env.OPENAI_API_KEY
    ? createOpenAiClient({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL })
    : null;
  const embedder =
    ai && env.KNOWLEDGE_EMBEDDINGS === 'on'
      ? createOpenAiEmbedder({ client: ai, model: env.OPENAI_EMBEDDING_MODEL, onUsage: logUsage(app) })
      : null;
  const services: TKnowledgeServices = {
    jobs: createKnowledgeJobs(app.producer.redis, { url: env.REDIS_URL, prefix: env.REDIS_PREFIX }),
    retrieve: createKnowledgeRetriever({ db: app.db, embedder, log: app.log }),
    ai,
    embeddings: embedder !== null,
  };
  holder.__pocketpingKnowledge = services;
  return services;
}
