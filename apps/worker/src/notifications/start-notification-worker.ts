import type { Redis } from 'ioredis';
import type { TKeyRing, TLogger } from '@pocketping/core';
import type { TDb } from '@pocketping/db';
import { JOBS, QUEUES, createMailJobs, createRedis, type TRedisConfig } from '@pocketping/jobs';
import { processWaitingJob } from './notify-waiting.js';
import { runDigestPass } from './digest.js';
import { runVisitorReplyPass } from './visitor-replies.js';
import { createMailSender } from './send-mail.js';
import { processTranscriptJob, runCloseTranscriptPass } from './transcripts.js';
import { startQueueWorker } from '../queue-worker.js';

export interface TNotificationsConfig {
  smtpUrl: string;
  from: string;
  /** The dashboard's public URL (the emails' links). */
  webPublicUrl: string;
  /** How often digest users get their digest (ms). */
  digestEveryMs: number;
  perRecipientPerHour: number;
  /** Visitor replies by email: a reply younger than this is left to the widget (default 2 min). */
  visitorReplyGraceMs?: number;
  /** How long a reply email's link into the conversation works (default 14 days). */
  visitorLinkTtlMs?: number;
  /** The clock of the per-recipient hourly limit (tests); default now. */
  mailClock?: () => number;
}

/**
 * The team notifications of this worker: the `team-notifications` queue (a wait's email, the digest pass) and the
 * `mail` queue that sends every such email through SMTP with retries. Only a worker with SMTP configured runs it;
 * the others leave the jobs to it.
 */
export async function startNotificationWorker(deps: {
  db: TDb;
  redis: Redis;
  redisConfig: TRedisConfig;
  keyRing: TKeyRing;
  log: TLogger;
  config: TNotificationsConfig;
}) {
  const producerRedis = createRedis(deps.redisConfig, 'producer');
  const mail = createMailJobs(producerRedis, deps.redisConfig);
  const notifyDeps = {
    db: deps.db,
    mail,
    keyRing: deps.keyRing,
    webPublicUrl: deps.config.webPublicUrl,
    log: deps.log,
  };
  const replyDeps = { ...notifyDeps, redis: deps.redis, redisPrefix: deps.redisConfig.prefix };
  const replyOptions = {
    graceMs: deps.config.visitorReplyGraceMs ?? 120_000,
    linkTtlMs: deps.config.visitorLinkTtlMs ?? 14 * 86_400_000,
  };
  const notifications = await startQueueWorker(
    QUEUES.notifications,
    async (job) => {
      if (job.name === JOBS.notificationDigest) return runDigestPass(notifyDeps, deps.config.digestEveryMs);
      if (job.name === JOBS.transcript) return processTranscriptJob(notifyDeps, job);
      // The emails to visitors share one schedule: replies they missed, then transcripts of conversations just closed.
      if (job.name === JOBS.visitorReplies)
        return {
          ...(await runVisitorReplyPass(replyDeps, replyOptions)),
          closeTranscripts: await runCloseTranscriptPass(notifyDeps),
        };
      return processWaitingJob(notifyDeps, job);
    },
    deps,
    { concurrency: 5 },
  );
  const sendMail = createMailSender({
    db: deps.db,
    redis: deps.redis,
    redisPrefix: deps.redisConfig.prefix,
    smtpUrl: deps.config.smtpUrl,
    from: deps.config.from,
    perRecipientPerHour: deps.config.perRecipientPerHour,
    mail,
    log: deps.log,
    ...(deps.config.mailClock ? { now: deps.config.mailClock } : {}),
  });
  const mailer = await startQueueWorker(QUEUES.mail, (job) => sendMail(job), deps, { concurrency: 5 });
  return {
    /** One digest pass now (tests; the scheduler runs it every digestEveryMs). */
    digestPass: (now?: Date) => runDigestPass(notifyDeps, deps.config.digestEveryMs, now),
    /** One visitor-reply pass now (tests; the scheduler runs it every minute). */
    visitorReplyPass: (now?: Date) => runVisitorReplyPass(replyDeps, replyOptions, now),
    /** One transcript-at-close pass now (tests; the scheduler runs it with the visitor-reply pass). */
    closeTranscriptPass: (now?: Date) => runCloseTranscriptPass(notifyDeps, now),
    async close() {
      await Promise.allSettled([notifications.close(), mailer.close()]);
      await mail.close();
      producerRedis.disconnect();
    },
  };
}
