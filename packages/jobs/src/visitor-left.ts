import { Queue } from 'bullmq';
import { z } from 'zod';
import type { Redis } from 'ioredis';
import { JOBS, QUEUES } from './names.js';
import { bullPrefix, type TRedisConfig } from './redis.js';

/** "Visitor left": scheduled when a visitor's last socket closes; void if they connected again meanwhile. */
export const ZVisitorLeftJob = z.object({
  organizationId: z.string().min(1).max(64),
  projectId: z.string().min(1).max(64),
  visitorId: z.string().min(1).max(64),
  /** The visitor's connection generation at disconnect time (see visitor-connections.ts). */
  generation: z.number().int().min(0),
});
export type TVisitorLeftJob = z.infer<typeof ZVisitorLeftJob>;

/** One job per visitor and disconnect generation: two tabs closing at once schedule it once. */
export const visitorLeftJobId = (visitorId: string, generation: number) => `vl-${visitorId}-${generation}`;

export interface TVisitorLeftScheduler {
  schedule(job: TVisitorLeftJob, delayMs: number): Promise<void>;
  close(): Promise<void>;
}

export function createVisitorLeftScheduler(redis: Redis, cfg: TRedisConfig): TVisitorLeftScheduler {
  const queue = new Queue(QUEUES.visitor, { connection: redis, prefix: bullPrefix(cfg) });
  queue.on('error', () => undefined); // the caller logs failed schedules; BullMQ would print every reconnect
  return {
    async schedule(job, delayMs) {
      await queue.add(JOBS.visitorLeft, ZVisitorLeftJob.parse(job), {
        jobId: visitorLeftJobId(job.visitorId, job.generation),
        delay: delayMs,
        attempts: 5,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete: true,
        removeOnFail: 100,
      });
    },
    async close() {
      await queue.close();
    },
  };
}
