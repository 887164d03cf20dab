import { createOpenAiClient, estimateCostMicroUsd } from '@pocketping/ai';
import { recordAiUsage } from '@pocketping/db';
import { createKnowledgeJobs, type TKnowledgeJobs, redisConfigFromEnv } from '@pocketping/jobs';
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

/** The playground's question embeddings are metered like the worker's: AI usage and the plan's monthly tokens. */
const recordEmbeddingUsage =
  (app: TWebContext): TOnEmbeddingUsage =>
  async (u) => {
    await recordAiUsage(app.db, u.organizationId, {
      kind: 'embedding',
      model: u.model,
      promptTokens: u.tokensIn,
      completionTokens: 0,
      costMicroUsd: estimateCostMicroUsd(u.model, u.tokensIn, 0),
    });
    await app.limits.recordAiUsage(u.organizationId, { replies: 0, tokens: u.tokensIn });
  };

/** The knowledge queue's producer, the retriever and the provider client, built once per process. */
export function knowledgeServices(app: TWebContext): TKnowledgeServices {
  if (holder.__pocketpingKnowledge) return holder.__pocketpingKnowledge;
  const { env } = app;
  const ai = env.OPENAI_API_KEY
    ? createOpenAiClient({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL })
    : null;
  const embedder =
    ai && env.KNOWLEDGE_EMBEDDINGS === 'on'
      ? createOpenAiEmbedder({ client: ai, model: env.OPENAI_EMBEDDING_MODEL, onUsage: recordEmbeddingUsage(app) })
      : null;
  const services: TKnowledgeServices = {
    jobs: createKnowledgeJobs(app.producer.redis, redisConfigFromEnv(env)),
    retrieve: createKnowledgeRetriever({ db: app.db, embedder, log: app.log }),
    ai,
    embeddings: embedder !== null,
  };
  holder.__pocketpingKnowledge = services;
  return services;
}
