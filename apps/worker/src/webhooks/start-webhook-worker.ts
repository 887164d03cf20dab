import { createHash } from 'node:crypto';
import { Queue, type Job } from 'bullmq';
import { z } from 'zod';
import { decryptSecret, type TKeyRing, type TLogger } from '@pocketping/core';
import {
  disableFailingWebhookEndpoint,
  getWebhookEndpointSecrets,
  listOrganizationOwnerEmails,
  listStaleWebhookDeliveries,
  listenForWebhookDeliveries,
  nextPendingWebhookDelivery,
  recordWebhookAttempt,
  type TDb,
} from '@pocketping/db';
import { JOBS, QUEUES, bullPrefix, createPairLock, createRedis, type TRedisConfig } from '@pocketping/jobs';
import { sendWebhook, webhookRetryDelayMs, type TWebhookFetchPolicy } from '@pocketping/webhooks';
import type { TUsageMailer } from '../usage/usage-pass.js';
import { startQueueWorker } from '../queue-worker.js';

/**
 * Outbound webhooks (docs/webhooks.md). Deliveries are rows written with the change they announce; this worker
 * hears of them at commit (Postgres NOTIFY from a trigger), or from its sweeper when a notification or a job was lost
 * (a crash, a Redis restart), and sends them:
 * - in order per (endpoint, conversation): a job takes a Redis lease on the pair and sends that pair's pending rows
 *   oldest first (docs/design.md §2, the same lease as the chat-app deliveries); a failing row holds the ones behind it;
 * - with the Standard Webhooks signature and the row's own `webhook-id` on every attempt (receivers dedupe on it);
 * - retried on the exponential schedule of `webhookRetryDelayMs` (≈ 27 h), then `failed`; every attempt logged;
 * - an endpoint failing for `disableAfterMs` (days) is disabled and its owners are emailed once.
 * A worker killed mid-request leaves the row pending: it is sent again (same id) after the lease expires.
 */
export interface TWebhookWorkerConfig {
  fetch: TWebhookFetchPolicy;
  /** First retry delay; each next one ×3 (default 10 s). */
  retryBaseMs?: number;
  /** Failing this long (every attempt since failed) → disabled (default 5 days). */
  disableAfterMs?: number;
  mailer?: TUsageMailer | null;
  webPublicUrl?: string;
}

export const ZWebhookJob = z.object({
  organizationId: z.string().min(1),
  endpointId: z.string().min(1),
  groupKey: z.string(),
  deliveryId: z.string().min(1),
});
export type TWebhookJob = z.infer<typeof ZWebhookJob>;

/** The lease outlives one request (10 s timeout) with room to record it. */
const LEASE_MS = 30_000;

export interface TWebhookWorker {
  /** Re-enqueues due deliveries whose job was lost; returns how many groups. */
  sweep(olderThanMs: number): Promise<number>;
  enqueue(job: TWebhookJob, delayMs?: number, attempts?: number): Promise<void>;
  close(): Promise<void>;
}

const pairKey = (endpointId: string, groupKey: string) =>
  `${endpointId}:${createHash('sha256').update(groupKey).digest('hex').slice(0, 16)}`;

export async function startWebhookWorker(deps: {
  db: TDb;
  databaseUrl: string;
  keyRing: TKeyRing;
  redisConfig: TRedisConfig;
  concurrency: number;
  log: TLogger;
  config: TWebhookWorkerConfig;
}): Promise<TWebhookWorker> {
  const { db, log, config } = deps;
  const redis = createRedis(deps.redisConfig, 'worker');
  const lock = createPairLock(redis, `${deps.redisConfig.prefix}:wh`, LEASE_MS);
  const prefix = bullPrefix(deps.redisConfig);
  const queueRedis = createRedis(deps.redisConfig, 'producer');
  queueRedis.on('error', () => undefined);
  const queue = new Queue(QUEUES.webhooks, { connection: queueRedis, prefix });
  queue.on('error', () => undefined);
  const disableAfterMs = config.disableAfterMs ?? 5 * 24 * 3_600_000;

  const enqueue = async (job: TWebhookJob, delayMs = 0, attempts = 0) => {
    await queue.add(JOBS.webhookDeliver, job, {
      // One job per delivery and attempt: adding it again while it waits is a no-op.
      jobId: `wh-${job.deliveryId}-${attempts}`,
      delay: Math.max(0, delayMs),
      attempts: 5,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: true,
      removeOnFail: true,
    });
  };

  /** Sends the pair's pending rows in order until none is due. Returns when the pair needs nothing more now. */
  const drainPair = async (job: TWebhookJob, key: string, token: string): Promise<void> => {
    const { organizationId, endpointId, groupKey } = job;
    for (;;) {
      const head = await nextPendingWebhookDelivery(db, organizationId, endpointId, groupKey);
      if (!head) return;
      const endpoint = await getWebhookEndpointSecrets(db, organizationId, endpointId);
      // Disabled: its rows wait (nothing is lost) until a person enables it again.
      if (!endpoint || endpoint.status !== 'enabled') return;
      const wait = head.nextAttemptAt.getTime() - Date.now();
      if (wait > 0) {
        await enqueue({ ...job, deliveryId: head.id }, wait, head.attempts);
        return;
      }
      if (!(await lock.extend(key, token))) throw new Error('webhook lease lost');
      const secrets = [decryptSecret(deps.keyRing, endpoint.sealedSecret)];
      if (
        endpoint.sealedPreviousSecret &&
        endpoint.previousSecretExpiresAt &&
        endpoint.previousSecretExpiresAt.getTime() > Date.now()
      )
        secrets.push(decryptSecret(deps.keyRing, endpoint.sealedPreviousSecret));
      const result = await sendWebhook(
        endpoint.url,
        { id: head.eventId, body: JSON.stringify(head.payload), secrets },
        config.fetch,
      );
      const delay = result.ok ? null : webhookRetryDelayMs(head.attempts + 1, config.retryBaseMs);
      const retryAt = delay === null ? null : new Date(Date.now() + delay);
      const { failingSince } = await recordWebhookAttempt(db, organizationId, head, { ...result, retryAt });
      log[result.ok ? 'debug' : 'info'](
        {
          tenantId: organizationId,
          endpointId,
          deliveryId: head.id,
          eventType: head.eventType,
          attempt: head.attempts + 1,
          status: result.status,
          latencyMs: result.latencyMs,
          ...(result.ok ? {} : { err: result.response.slice(0, 200) }),
        },
        result.ok ? 'webhook delivered' : 'webhook attempt failed',
      );
      if (result.ok) continue;
      if (failingSince && Date.now() - failingSince.getTime() >= disableAfterMs) {
        await disableEndpoint(organizationId, endpoint.id, endpoint.url, failingSince);
        return;
      }
      if (retryAt) {
        await enqueue({ ...job, deliveryId: head.id }, delay ?? 0, head.attempts + 1);
        return;
      }
      // The schedule is used up: the row is `failed` (replay sends it again) and the next one may go.
    }
  };

  const disableEndpoint = async (organizationId: string, endpointId: string, url: string, since: Date) => {
    const reason = `Every delivery failed since ${since.toISOString()}`;
    if (!(await disableFailingWebhookEndpoint(db, organizationId, endpointId, reason))) return;
    log.warn({ tenantId: organizationId, endpointId }, 'webhook endpoint disabled after failing for days');
    if (!config.mailer) return;
    const owners = await listOrganizationOwnerEmails(db, organizationId);
    for (const to of owners)
      await config.mailer
        .send({
          to,
          subject: 'PocketPing: a webhook endpoint was disabled',
          text:
            `Your webhook endpoint ${url} has failed every delivery since ${since.toUTCString()}, so PocketPing ` +
            `disabled it. Its undelivered events are kept: fix the receiver, then enable the endpoint again in ` +
            `the project's Webhooks settings (${config.webPublicUrl ?? ''}/app) and they will be sent in order.\n`,
        })
        .catch((err: unknown) =>
          log.warn(
            { tenantId: organizationId, endpointId, err: (err as Error).message },
            'webhook disabled mail failed',
          ),
        );
  };

  const process = async (job: Job): Promise<string> => {
    const data = ZWebhookJob.parse(job.data);
    const key = pairKey(data.endpointId, data.groupKey);
    const token = await lock.acquireUnlessDone(key, data.deliveryId);
    // Busy: the holder was flagged and drains once more before it lets go (pair-lock.ts); our row is its job now.
    if (token === null || token === 'done') return 'busy';
    try {
      for (;;) {
        await drainPair(data, key, token);
        if (await lock.releaseIfClean(key, token)) return 'drained';
      }
    } catch (err) {
      await lock.release(key, token).catch(() => undefined);
      throw err;
    }
  };

  const worker = await startQueueWorker(QUEUES.webhooks, process, deps, {
    concurrency: deps.concurrency,
    lockDuration: 15_000,
    stalledInterval: 5_000,
    failedMessage: 'webhook job failed',
  });

  // Deliveries are announced at commit by the table's trigger (NOTIFY); a lost notification costs one sweep.
  const listener = await listenForWebhookDeliveries(deps.databaseUrl, {
    onDelivery: (d) =>
      void enqueue(d).catch((err: unknown) =>
        log.warn(
          { tenantId: d.organizationId, deliveryId: d.deliveryId, err: (err as Error).message },
          'webhook enqueue failed (the sweeper retries)',
        ),
      ),
    onError: (err) => log.warn({ err: err.message }, 'webhook listener connection error'),
  });

  return {
    enqueue,
    async sweep(olderThanMs) {
      const stale = await listStaleWebhookDeliveries(db, { olderThanMs, limit: 500 });
      for (const s of stale)
        await enqueue(
          {
            organizationId: s.organizationId,
            endpointId: s.endpointId,
            groupKey: s.groupKey,
            deliveryId: s.deliveryId,
          },
          0,
          s.attempts,
        );
      return stale.length;
    },
    async close() {
      await listener.close();
      await worker.close();
      await queue.close();
      queueRedis.disconnect();
      redis.disconnect();
    },
  };
}
