import { Queue } from 'bullmq';
import { z } from 'zod';
import type { Redis } from 'ioredis';
import { JOBS, QUEUES } from './names.js';
import { bullPrefix, type TRedisConfig } from './redis.js';

const ZId = z.string().min(1).max(64);

/** (Re)index one knowledge source at one generation (a re-crawl bumps it; older jobs then do nothing). */
export const ZKnowledgeIndexJob = z.object({
  organizationId: ZId,
  sourceId: ZId,
  generation: z.number().int().min(1),
});
export type TKnowledgeIndexJob = z.infer<typeof ZKnowledgeIndexJob>;

/** One job per source generation: asking twice for the same generation queues it once. */
export const knowledgeIndexJobId = (sourceId: string, generation: number) => `kn-${sourceId}-${generation}`;

export const KNOWLEDGE_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: true,
  removeOnFail: 100,
} as const;

/** The producer side of the `ai-knowledge` queue (web). */
export interface TKnowledgeJobs {
  enqueueIndex(job: TKnowledgeIndexJob): Promise<void>;
  close(): Promise<void>;
}

export function createKnowledgeJobs(redis: Redis, cfg: TRedisConfig): TKnowledgeJobs {
  const queue = new Queue(QUEUES.knowledge, { connection: redis, prefix: bullPrefix(cfg) });
  queue.on('error', () => undefined); // the caller reports a failed enqueue; BullMQ would print every reconnect
  return {
    async enqueueIndex(job) {
      const data = ZKnowledgeIndexJob.parse(job);
      await queue.add(JOBS.knowledgeIndex, data, {
        jobId: knowledgeIndexJobId(data.sourceId, data.generation),
        ...KNOWLEDGE_JOB_OPTIONS,
      });
    },
    async close() {
      await queue.close();
    },
  };
}
