import { createHash } from 'node:crypto';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import nodemailer, { type Transporter } from 'nodemailer';
import type { TLogger } from '@pocketping/core';
import { isMailSuppressed, suppressMail, type TDb } from '@pocketping/db';
import { ZMailJob, type TMailJobs } from '@pocketping/jobs';

export interface TMailSenderDeps {
  db: TDb;
  redis: Redis;
  redisPrefix: string;
  smtpUrl: string;
  from: string;
  /** Emails per recipient per hour; past it the next ones wait for the next hour (never dropped). */
  perRecipientPerHour: number;
  /** Where an email past the recipient's hourly limit is queued again, for the next hour. */
  mail: Pick<TMailJobs, 'enqueue'>;
  log: TLogger;
  /** The clock of the hourly limit (tests pin it away from an hour's end); default now. */
  now?: () => number;
}

const HOUR_MS = 3_600_000;

/**
 * mail.send — one email through SMTP. An address the server once refused for good (5xx) is suppressed: its mail is
 * skipped, never retried forever. A temporary failure (4xx, connection) throws and BullMQ retries with backoff. Each
 * recipient gets at most `perRecipientPerHour` emails an hour; the rest are queued again for the next hour.
 */
export function createMailSender(deps: TMailSenderDeps) {
  let transport: Transporter | undefined;
  const counterKey = (to: string, hour: number) =>
    `${deps.redisPrefix}:mail-rate:${createHash('sha256').update(to.toLowerCase()).digest('hex').slice(0, 32)}:${hour}`;
  return async function sendMailJob(job: Job): Promise<{ outcome: string }> {
    const mail = ZMailJob.parse(job.data);
    if (await isMailSuppressed(deps.db, mail.to)) return { outcome: 'suppressed' };
    const now = (deps.now ?? Date.now)();
    const hour = Math.floor(now / HOUR_MS);
    const key = counterKey(mail.to, hour);
    const count = await deps.redis.incr(key);
    if (count === 1) await deps.redis.pexpire(key, HOUR_MS + 60_000);
    if (count > deps.perRecipientPerHour) {
      await deps.redis.decr(key);
      // The same email again in the next hour (its id says which hour: a repeat of this job queues it once).
      const nextHour = (hour + 1) * HOUR_MS + Math.floor(Math.random() * 60_000);
      await deps.mail.enqueue(`${String(job.id).replace(/-h\d+$/, '')}-h${hour + 1}`, mail, nextHour - now);
      return { outcome: 'deferred to the next hour' };
    }
    transport ??= nodemailer.createTransport(deps.smtpUrl);
    try {
      await transport.sendMail({
        from: deps.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        ...(mail.unsubscribeUrl
          ? {
              headers: {
                'List-Unsubscribe': `<${mail.unsubscribeUrl}>`,
                'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
              },
            }
          : {}),
      });
    } catch (err) {
      await deps.redis.decr(key);
      const code = (err as { responseCode?: number }).responseCode;
      if (typeof code === 'number' && code >= 500 && code < 600) {
        await suppressMail(deps.db, mail.to, `${code} ${(err as Error).message}`);
        deps.log.warn({ kind: mail.kind, code }, 'mail refused for good: address suppressed');
        throw new UnrecoverableError(`refused by the mail server (${code}); address suppressed`);
      }
      throw err;
    }
    return { outcome: 'sent' };
  };
}
