import { Queue } from 'bullmq';
import { z } from 'zod';
import type { Redis } from 'ioredis';
import { JOBS, QUEUES } from './names.js';
import { bullPrefix, type TRedisConfig } from './redis.js';

const ZId = z.string().min(1).max(64);

/** "Visitor left": scheduled when a visitor's last socket closes; void if they connected again meanwhile. */
export const ZVisitorLeftJob = z.object({
  organizationId: ZId,
  projectId: ZId,
  visitorId: ZId,
  /** The visitor's connection generation at disconnect time (see visitor-connections.ts). */
  generation: z.number().int().min(0),
});
export type TVisitorLeftJob = z.infer<typeof ZVisitorLeftJob>;

/** "The visitor is typing": shown in the conversation's thread on the apps that can show it (ephemeral). */
export const ZVisitorTypingJob = z.object({
  organizationId: ZId,
  conversationId: ZId,
});
export type TVisitorTypingJob = z.infer<typeof ZVisitorTypingJob>;

/**
 * A visitor message was stored in a project whose AI is on or whose team wants waiting-visitor emails: the worker
 * starts (or moves) the conversation's AI timer (apps/worker/src/ai/schedule-ai-timer.ts) and schedules the wait's
 * email (apps/worker/src/notifications). Realtime queues it after the ack, so the widget never waits.
 */
export const ZVisitorPostedJob = z.object({
  organizationId: ZId,
  projectId: ZId,
  conversationId: ZId,
  seq: z.number().int().min(1),
});
export type TVisitorPostedJob = z.infer<typeof ZVisitorPostedJob>;

/** One job per visitor message: a repeat (two nodes, a retried enqueue) is the same job. */
export const visitorPostedJobId = (conversationId: string, seq: number) => `vp-${conversationId}-${seq}`;

/** One job per visitor and disconnect generation: two tabs closing at once schedule it once. */
export const visitorLeftJobId = (visitorId: string, generation: number) => `vl-${visitorId}-${generation}`;

/**
 * How often a conversation may signal "typing" to the apps. Telegram shows a chat action for 5 s, Discord's typing
 * indicator lasts 10 s, so one signal per 4 s keeps it on while the visitor types without a call per keystroke.
 */
export const VISITOR_TYPING_EVERY_MS = 4_000;

/** The producer side of the `visitor-events` queue (realtime). */
export interface TVisitorJobs {
  scheduleLeft(job: TVisitorLeftJob, delayMs: number): Promise<void>;
  /** Best effort and throttled per conversation (one per VISITOR_TYPING_EVERY_MS across every node); never retried. */
  typing(job: TVisitorTypingJob): Promise<'queued' | 'throttled'>;
  /** A visitor message of a project with AI or wait emails on: the worker sets the AI timer and the wait's email. */
  posted(job: TVisitorPostedJob): Promise<void>;
  close(): Promise<void>;
}

export function createVisitorJobs(redis: Redis, cfg: TRedisConfig): TVisitorJobs {
  const queue = new Queue(QUEUES.visitor, { connection: redis, prefix: bullPrefix(cfg) });
  queue.on('error', () => undefined); // the caller logs failed schedules; BullMQ would print every reconnect
  return {
    async scheduleLeft(job, delayMs) {
      await queue.add(JOBS.visitorLeft, ZVisitorLeftJob.parse(job), {
        jobId: visitorLeftJobId(job.visitorId, job.generation),
        delay: delayMs,
        attempts: 5,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete: true,
        removeOnFail: 100,
      });
    },
    async typing(job) {
      const data = ZVisitorTypingJob.parse(job);
      const first = await redis.set(
        `${cfg.prefix}:typing:signalled:${data.conversationId}`,
        '1',
        'PX',
        VISITOR_TYPING_EVERY_MS,
        'NX',
      );
      if (first !== 'OK') return 'throttled';
      // A stale "typing" is worse than none: a job that waited longer than the indicator lasts is dropped by the worker.
      await queue.add(JOBS.visitorTyping, data, { attempts: 1, removeOnComplete: true, removeOnFail: true });
      return 'queued';
    },
    async posted(job) {
      const data = ZVisitorPostedJob.parse(job);
      await queue.add(JOBS.visitorPosted, data, {
        jobId: visitorPostedJobId(data.conversationId, data.seq),
        attempts: 3,
        backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: true,
        removeOnFail: 100,
      });
    },
    async close() {
      await queue.close();
    },
  };
}
