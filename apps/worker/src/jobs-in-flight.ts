import type { Job } from 'bullmq';

/**
 * The jobs this process is running, so a shutdown that reaches its bound can put them back in their queue (waiting)
 * for another worker at once, instead of leaving them locked until their lock expires. Safe because every job here
 * is idempotent: the database row (outbox, inbound event) is the truth, and a job run twice finds its row done.
 */
export interface TJobsInFlight {
  wrap<R>(processor: (job: Job, token: string | undefined) => Promise<R>): (job: Job, token?: string) => Promise<R>;
  count(): number;
  /** Moves every job still running back to waiting; resolves with how many were moved. */
  returnAll(): Promise<number>;
}

export function createJobsInFlight(): TJobsInFlight {
  const running = new Map<Job, string | undefined>();
  return {
    wrap: (processor) => async (job, token) => {
      running.set(job, token);
      try {
        return await processor(job, token);
      } finally {
        running.delete(job);
      }
    },
    count: () => running.size,
    async returnAll() {
      const moved = await Promise.allSettled([...running].map(([job, token]) => job.moveToWait(token)));
      return moved.filter((r) => r.status === 'fulfilled').length;
    },
  };
}
