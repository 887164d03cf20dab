import { Queue, type Job } from 'bullmq';
import { z } from 'zod';
import type { Redis } from 'ioredis';
import { JOBS, QUEUES } from './names.js';
import { bullPrefix, type TRedisConfig } from './redis.js';

const ZId = z.string().min(1).max(64);

/**
 * The AI takeover timer of one conversation: fires when the newest visitor message has waited the project's delay
 * without a human answer. The job is a trigger only: when it runs, the worker re-reads the conversation in Postgres
 * (the newest visitor message, whether a human wrote since, AI on or off) and decides from that.
 */
export const ZAiTakeoverJob = z.object({
  organizationId: ZId,
  projectId: ZId,
  conversationId: ZId,
  /** The visitor message that (re)started the timer. */
  visitorSeq: z.number().int().min(1),
});
export type TAiTakeoverJob = z.infer<typeof ZAiTakeoverJob>;

/** One job per conversation: a newer visitor message moves it, a human reply removes it. */
export const aiTakeoverJobId = (conversationId: string) => `ai-${conversationId}`;

/** Set by `cancel`: a takeover already running sees it between streamed tokens and stops before posting. */
export const aiCancelKey = (prefix: string, conversationId: string) => `${prefix}:ai:cancel:${conversationId}`;
/** Set by `schedule` when the conversation's job is running: the job looks at it before it ends and runs again. */
export const aiAgainKey = (prefix: string, conversationId: string) => `${prefix}:ai:again:${conversationId}`;

export const AI_TAKEOVER_JOB_OPTIONS = {
  // Provider 429/5xx: the worker retries with backoff; after the last attempt the visitor gets the fallback message.
  attempts: 3,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: true,
  removeOnFail: true,
} as const;

export type TAiScheduleOutcome = 'scheduled' | 'moved' | 'unchanged' | 'running';

export interface TAiTimer {
  /**
   * A visitor message arrived: the conversation's one timer is set to fire at `fireAt` (epoch ms), or moved there if
   * it was waiting for an older message. Calling it twice for the same message changes nothing.
   */
  schedule(job: TAiTakeoverJob, fireAt: number): Promise<TAiScheduleOutcome>;
  /** A human wrote: the pending timer is removed at once, and a takeover in progress is told to stop. */
  cancel(conversationId: string): Promise<void>;
  close(): Promise<void>;
}

/** The producer side of the `ai-takeover` queue (worker, web, realtime: whoever learns of a message). */
export function createAiTimer(redis: Redis, cfg: TRedisConfig): TAiTimer {
  const queue = new Queue(QUEUES.ai, { connection: redis, prefix: bullPrefix(cfg) });
  queue.on('error', () => undefined); // callers log failed schedules
  const add = (data: TAiTakeoverJob, delay: number) =>
    queue.add(JOBS.aiTakeover, data, {
      jobId: aiTakeoverJobId(data.conversationId),
      delay: Math.max(0, delay),
      ...AI_TAKEOVER_JOB_OPTIONS,
    });

  /** Moves a waiting or delayed job; false when it started (or ended) meanwhile. */
  async function move(job: Job, data: TAiTakeoverJob, delay: number): Promise<boolean> {
    try {
      await job.updateData(data);
      const state = await job.getState();
      if (state === 'delayed') {
        if (delay > 0) await job.changeDelay(delay);
        else await job.promote();
        return true;
      }
      return state === 'waiting' || state === 'prioritized';
    } catch {
      return false;
    }
  }

  return {
    async schedule(input, fireAt) {
      const data = ZAiTakeoverJob.parse(input);
      // A new message means any earlier "stop" no longer applies.
      await redis.del(aiCancelKey(cfg.prefix, data.conversationId));
      for (let attempt = 0; attempt < 3; attempt++) {
        const delay = fireAt - Date.now();
        const existing = await queue.getJob(aiTakeoverJobId(data.conversationId));
        if (!existing) {
          const job = await add(data, delay);
          // Two schedulers may race on the same id: the loser finds the winner's job and moves it if it is older.
          if (job.data.visitorSeq === data.visitorSeq) return 'scheduled';
          continue;
        }
        const state = await existing.getState();
        if (state === 'active') {
          // The job that is answering re-reads the conversation before it ends and runs again for this message.
          await redis.set(aiAgainKey(cfg.prefix, data.conversationId), String(data.visitorSeq), 'PX', 600_000);
          if ((await existing.getState()) === 'active') return 'running';
          continue;
        }
        if (state === 'completed' || state === 'failed' || state === 'unknown') {
          await existing.remove().catch(() => undefined);
          continue;
        }
        if ((existing.data as TAiTakeoverJob).visitorSeq >= data.visitorSeq) return 'unchanged';
        if (await move(existing, data, delay)) return 'moved';
      }
      return 'running';
    },
    async cancel(conversationId) {
      await redis.set(aiCancelKey(cfg.prefix, conversationId), '1', 'PX', 600_000);
      await redis.del(aiAgainKey(cfg.prefix, conversationId));
      // A job that is running cannot be removed (it holds its lock): the cancel key stops it instead.
      await queue.remove(aiTakeoverJobId(conversationId)).catch(() => 0);
    },
    async close() {
      await queue.close();
    },
  };
}
