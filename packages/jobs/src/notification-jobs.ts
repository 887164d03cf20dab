import { Queue } from 'bullmq';
import { z } from 'zod';
import type { Redis } from 'ioredis';
import { JOBS, QUEUES } from './names.js';
import { bullPrefix, type TRedisConfig } from './redis.js';

const ZId = z.string().min(1).max(64);

/**
 * "A visitor waits": fires when the first unanswered visitor message of a conversation has waited the project's
 * `waitNotifyMinutes`. One job per conversation and wait (its first message's seq), so every later message of the
 * same wait finds the job already there.
 */
export const ZConversationWaitingJob = z.object({
  organizationId: ZId,
  projectId: ZId,
  conversationId: ZId,
  visitorSeq: z.number().int().min(1),
});
export type TConversationWaitingJob = z.infer<typeof ZConversationWaitingJob>;
export const conversationWaitingJobId = (conversationId: string, visitorSeq: number) =>
  `wait-${conversationId}-${visitorSeq}`;

/**
 * One email. Rendered before it is queued (text and HTML), so a retry sends the same message; `kind` and `userId`
 * say what it is for the logs, the per-recipient limit and the unsubscribe headers.
 */
export const ZMailJob = z.object({
  to: z.string().email().max(320),
  subject: z.string().min(1).max(300),
  text: z.string().min(1).max(100_000),
  html: z.string().min(1).max(300_000),
  kind: z.string().min(1).max(40),
  /** RFC 8058 one-click unsubscribe URL (List-Unsubscribe and List-Unsubscribe-Post headers). */
  unsubscribeUrl: z.string().url().max(2_000).optional(),
});
export type TMailJob = z.infer<typeof ZMailJob>;

/** Retries of a temporary SMTP failure: 8 attempts, 30 s doubling (≈ 2 h in all). A hard bounce is never retried. */
export const MAIL_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 30_000 },
  removeOnComplete: 1_000,
  removeOnFail: 1_000,
} as const;

/** The producer side of the `mail` queue: one job per id, so a repeated enqueue of the same email sends it once. */
export interface TMailJobs {
  /** Queues one email (after `delayMs`, if given); a job id already queued is not queued again. */
  enqueue(jobId: string, mail: TMailJob, delayMs?: number): Promise<void>;
  close(): Promise<void>;
}

export function createMailJobs(redis: Redis, cfg: TRedisConfig): TMailJobs {
  const queue = new Queue(QUEUES.mail, { connection: redis, prefix: bullPrefix(cfg) });
  queue.on('error', () => undefined); // callers report a failed enqueue
  return {
    async enqueue(jobId, mail, delayMs) {
      await queue.add(JOBS.mailSend, ZMailJob.parse(mail), {
        jobId,
        ...MAIL_JOB_OPTIONS,
        ...(delayMs && delayMs > 0 ? { delay: delayMs } : {}),
      });
    },
    async close() {
      await queue.close();
    },
  };
}

/**
 * "Email me this conversation": the visitor asked in the widget (realtime checked who they are, the address and their
 * hourly budget); the worker renders the transcript and queues the email. The worker re-checks that the
 * conversation is this visitor's before anything is read.
 */
export const ZTranscriptJob = z.object({
  organizationId: ZId,
  conversationId: ZId,
  visitorId: ZId,
  email: z.string().email().max(320),
});
export type TTranscriptJob = z.infer<typeof ZTranscriptJob>;

/** The producer realtime holds: one job per request (the visitor's hourly budget bounds them). */
export interface TTranscriptJobs {
  request(job: TTranscriptJob, requestId: string): Promise<void>;
  close(): Promise<void>;
}

export function createTranscriptJobs(redis: Redis, cfg: TRedisConfig): TTranscriptJobs {
  const queue = new Queue(QUEUES.notifications, { connection: redis, prefix: bullPrefix(cfg) });
  queue.on('error', () => undefined); // the caller answers the visitor when the enqueue fails
  return {
    async request(job, requestId) {
      await queue.add(JOBS.transcript, ZTranscriptJob.parse(job), {
        jobId: `transcript-${requestId}`,
        attempts: 5,
        backoff: { type: 'exponential', delay: 5_000 },
        removeOnComplete: { age: 86_400 },
        removeOnFail: 1_000,
      });
    },
    async close() {
      await queue.close();
    },
  };
}

/** The producer side of the `team-notifications` queue (the worker schedules; any worker processes). */
export interface TNotificationJobs {
  /** Schedules a wait's email for `fireAt` (ms); a wait already scheduled is left as it is. */
  scheduleWaiting(job: TConversationWaitingJob, fireAt: number): Promise<'scheduled' | 'exists'>;
  /** Starts the repeating digest and visitor-reply passes (one schedule each across every worker). */
  startPasses(digestEveryMs: number, visitorRepliesEveryMs: number): Promise<void>;
  close(): Promise<void>;
}

export function createNotificationJobs(redis: Redis, cfg: TRedisConfig): TNotificationJobs {
  const queue = new Queue(QUEUES.notifications, { connection: redis, prefix: bullPrefix(cfg) });
  queue.on('error', () => undefined); // callers report a failed enqueue
  return {
    async scheduleWaiting(job, fireAt) {
      const data = ZConversationWaitingJob.parse(job);
      const jobId = conversationWaitingJobId(data.conversationId, data.visitorSeq);
      if (await queue.getJob(jobId)) return 'exists';
      await queue.add(JOBS.conversationWaiting, data, {
        jobId,
        delay: Math.max(0, fireAt - Date.now()),
        attempts: 5,
        backoff: { type: 'exponential', delay: 5_000 },
        removeOnComplete: { age: 86_400 },
        removeOnFail: 1_000,
      });
      return 'scheduled';
    },
    async startPasses(digestEveryMs, visitorRepliesEveryMs) {
      const opts = { removeOnComplete: 10, removeOnFail: 10 };
      await queue.upsertJobScheduler(
        'notification-digest',
        { every: digestEveryMs },
        { name: JOBS.notificationDigest, data: {}, opts },
      );
      await queue.upsertJobScheduler(
        'visitor-replies',
        { every: visitorRepliesEveryMs },
        { name: JOBS.visitorReplies, data: {}, opts },
      );
    },
    async close() {
      await queue.close();
    },
  };
}
