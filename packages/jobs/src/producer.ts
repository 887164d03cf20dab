import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUES, JOBS } from './names.js';
import {
  jobIds,
  ZPlatformDeletionsJob,
  ZStripeEventJob,
  type TDeliverJob,
  type TInboundJob,
  type TStripeEventJob,
} from './contracts.js';
import { bullPrefix, createRedis, type TRedisConfig } from './redis.js';

export const DELIVERY_JOB_OPTIONS = {
  attempts: 30,
  // 'capped': 1 s, 2 s, 4 s … up to 60 s (the worker defines it). After the last attempt the job is removed and
  // the sweeper re-adds it while its outbox row is still pending, so a broken connection retries forever, slowly.
  backoff: { type: 'capped' },
  // Completed/failed jobs are removed so their id can be added again by the sweeper.
  removeOnComplete: true,
  removeOnFail: true,
} as const;

/** An outbox row as the producer needs it (TOutboxRef of @pocketping/db). */
export interface TOutboxRow {
  id: string;
  organizationId: string;
  connectionId: string;
  conversationId: string;
}

export interface TProducer {
  enqueueDeliveries(rows: readonly TOutboxRow[]): Promise<void>;
  enqueueInbound(job: TInboundJob): Promise<void>;
  /** One job per Stripe event id (adding it again while it waits is a no-op); retried with capped backoff. */
  enqueueStripeEvent(job: TStripeEventJob): Promise<void>;
  /**
   * Asks the worker to delete an organization's queued chat-app posts now (PlatformDeletion rows, written with the
   * erasure); one waiting job per organization. A lost enqueue costs only time: the privacy pass drains them too.
   */
  enqueuePlatformDeletions(organizationId: string): Promise<void>;
  close(): Promise<void>;
  redis: Redis;
}

/** Producer side of the queues, for realtime and web. Job ids come from outbox/inbound row ids: adding twice is a no-op. */
export function createProducer(
  cfg: TRedisConfig,
  opts: { timeoutMs?: number; onError?: (err: Error) => void } = {},
): TProducer {
  const redis = createRedis(cfg, 'producer');
  const prefix = bullPrefix(cfg);
  const delivery = new Queue(QUEUES.delivery, { connection: redis, prefix });
  const inbound = new Queue(QUEUES.inbound, { connection: redis, prefix });
  const billing = new Queue(QUEUES.billing, { connection: redis, prefix });
  const privacy = new Queue(QUEUES.privacy, { connection: redis, prefix });
  // Without listeners BullMQ prints every connection error; callers decide how loud a Redis outage is.
  const onError = opts.onError ?? (() => undefined);
  delivery.on('error', onError);
  inbound.on('error', onError);
  billing.on('error', onError);
  privacy.on('error', onError);
  redis.on('error', onError);
  // An enqueue must never hang a request: the outbox row is already committed, the sweeper covers a failure.
  const timeoutMs = opts.timeoutMs ?? 2_000;
  const bounded = <T>(p: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`enqueue timed out after ${timeoutMs} ms (is Redis up?)`)),
        timeoutMs,
      );
      p.then(
        (v) => {
          clearTimeout(t);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(t);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  // Deliveries asked for in the same turn of the event loop (many sockets' sends) go to Redis as ONE addBulk: one
  // round trip and one pipeline instead of one per message. Order does not matter here (the pair's drain follows
  // seq), and each row keeps its own job id, so a row enqueued twice is still one job.
  let pendingDeliveries: { rows: readonly TOutboxRow[]; resolve: () => void; reject: (err: Error) => void }[] = [];
  let flushScheduled = false;
  const flushDeliveries = (): Promise<void> => {
    flushScheduled = false;
    const batch = pendingDeliveries;
    pendingDeliveries = [];
    if (batch.length === 0) return Promise.resolve();
    const jobs = batch.flatMap((b) =>
      b.rows.map((r) => ({
        name: JOBS.deliver,
        data: {
          organizationId: r.organizationId,
          connectionId: r.connectionId,
          conversationId: r.conversationId,
          outboxId: r.id,
        } satisfies TDeliverJob,
        opts: { jobId: jobIds.deliver(r.id), ...DELIVERY_JOB_OPTIONS },
      })),
    );
    return bounded(delivery.addBulk(jobs)).then(
      () => batch.forEach((b) => b.resolve()),
      (err: Error) => batch.forEach((b) => b.reject(err)),
    );
  };
  return {
    redis,
    enqueueDeliveries(rows) {
      if (rows.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        pendingDeliveries.push({ rows, resolve, reject });
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(() => void flushDeliveries());
        }
      });
    },
    async enqueueInbound(job) {
      await bounded(
        inbound.add(JOBS.inbound, job, { jobId: jobIds.inbound(job.inboundEventId), ...DELIVERY_JOB_OPTIONS }),
      );
    },
    async enqueueStripeEvent(job) {
      const data = ZStripeEventJob.parse(job);
      await bounded(
        billing.add(JOBS.stripeEvent, data, {
          jobId: jobIds.stripeEvent(data.stripeEventId),
          attempts: 20,
          backoff: { type: 'capped' },
          removeOnComplete: true,
          removeOnFail: true,
        }),
      );
    },
    async enqueuePlatformDeletions(organizationId) {
      const data = ZPlatformDeletionsJob.parse({ organizationId });
      await bounded(
        privacy.add(JOBS.platformDeletions, data, {
          jobId: jobIds.platformDeletions(organizationId),
          attempts: 5,
          backoff: { type: 'capped' },
          removeOnComplete: true,
          removeOnFail: true,
        }),
      );
    },
    async close() {
      await flushDeliveries();
      await Promise.allSettled([delivery.close(), inbound.close(), billing.close(), privacy.close()]);
      redis.disconnect();
    },
  };
}

/** The worker's backoff for 'capped' jobs: exponential from 1 s, never more than 60 s between attempts. */
export function cappedBackoff(attemptsMade: number): number {
  return Math.min(60_000, 1_000 * 2 ** Math.max(0, attemptsMade - 1));
}
