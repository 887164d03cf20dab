import { Queue } from 'bullmq';
import type { TLogger } from '@pocketping/core';
import { createOpenAiClient } from '@pocketping/ai';
import type { TDb } from '@pocketping/db';
import { QUEUES, ZKnowledgeIndexJob, bullPrefix, createRedis, type TRedisConfig } from '@pocketping/jobs';
import {
  createOpenAiEmbedder,
  indexKnowledgeSource,
  type TEmbedder,
  type TOnEmbeddingUsage,
} from '@pocketping/knowledge';
import { recoverStaleKnowledgeSources } from './recover-knowledge.js';
import { startQueueWorker } from '../queue-worker.js';

export interface TKnowledgeWorkerConfig {
  /** Private addresses the crawler may fetch anyway (KNOWLEDGE_FETCH_ALLOW; local development and tests). */
  fetchAllow: readonly string[];
  maxPages: number;
  /** Embeddings provider, or null for full-text search only. */
  embeddings: { apiKey: string; baseURL: string; model: string } | null;
  /** Where embedding usage is recorded (the AI usage meter); absent = not recorded. */
  onUsage?: TOnEmbeddingUsage;
  /**
   * The recovery pass (recover-knowledge.ts): every `everyMs`, sources pending or indexing for longer than
   * `olderThanMs` without a live job get it again. Default every minute, after 2 minutes; everyMs 0 = off.
   */
  recovery?: { everyMs: number; olderThanMs: number };
}

/** The embeddings client of the knowledge (indexing and the AI's questions), or null for full-text search only. */
export function createKnowledgeEmbedder(config: TKnowledgeWorkerConfig): TEmbedder | null {
  return config.embeddings
    ? createOpenAiEmbedder({
        client: createOpenAiClient({
          apiKey: config.embeddings.apiKey,
          baseURL: config.embeddings.baseURL,
          maxRetries: 2,
        }),
        model: config.embeddings.model,
        ...(config.onUsage ? { onUsage: config.onUsage } : {}),
      })
    : null;
}

/** The `ai-knowledge` queue: (re)index a knowledge source — crawl, chunk, embed, replace its passages. */
export async function startKnowledgeWorker(deps: {
  db: TDb;
  redisConfig: TRedisConfig;
  log: TLogger;
  config: TKnowledgeWorkerConfig;
}) {
  const { config } = deps;
  const embedder = createKnowledgeEmbedder(config);
  const worker = await startQueueWorker(
    QUEUES.knowledge,
    async (job) => {
      const data = ZKnowledgeIndexJob.parse(job.data);
      const result = await indexKnowledgeSource(
        { db: deps.db, fetchPolicy: { allow: config.fetchAllow }, maxPages: config.maxPages, embedder, log: deps.log },
        data,
      );
      deps.log.info({ tenantId: data.organizationId, sourceId: data.sourceId, ...result }, 'knowledge source indexed');
      return result;
    },
    deps,
    // Crawls are long and mostly waiting on other sites; two at a time per worker keeps them polite and bounded.
    { concurrency: 2, lockDuration: 60_000 },
  );

  const recovery = config.recovery ?? { everyMs: 60_000, olderThanMs: 120_000 };
  const queueRedis = createRedis(deps.redisConfig, 'producer');
  const queue = new Queue(QUEUES.knowledge, { connection: queueRedis, prefix: bullPrefix(deps.redisConfig) });
  queue.on('error', () => undefined); // a failed pass is logged below
  const recover = () =>
    recoverStaleKnowledgeSources({ db: deps.db, queue }, recovery.olderThanMs).then(
      (n) => (n > 0 ? deps.log.info({ requeued: n }, 'knowledge sources re-queued') : undefined),
      (err: unknown) =>
        deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'knowledge recovery failed'),
    );
  const timer = recovery.everyMs > 0 ? setInterval(() => void recover(), recovery.everyMs) : null;
  timer?.unref();
  return {
    /** One recovery pass now (tests). */
    recover: () => recoverStaleKnowledgeSources({ db: deps.db, queue }, recovery.olderThanMs),
    async close() {
      if (timer) clearInterval(timer);
      await worker.close();
      await queue.close();
      queueRedis.disconnect();
    },
  };
}
