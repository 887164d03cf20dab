import { Queue } from 'bullmq';
import {
  JOBS,
  QUEUES,
  ZPlatformDeletionsJob,
  bullPrefix,
  cappedBackoff,
  createRedis,
  type TRedisConfig,
} from '@pocketping/jobs';
import type { TWorkerContext } from '../context.js';
import { runPrivacyPass } from './privacy-pass.js';
import { deletePlatformPosts } from './delete-platform-posts.js';
import { startQueueWorker } from '../queue-worker.js';

const SCHEDULER_ID = 'privacy-pass';

/**
 * The `privacy` queue: the privacy pass as a BullMQ job scheduler (`privacy.pass` every `intervalMs`; every worker
 * upserts the same scheduler id, so there is one schedule however many workers run, and one job per tick) and
 * `privacy.platform-deletions` (an erasure asks for its chat-app posts to go now). One job at a time per process.
 * A worker started with interval 0 schedules nothing (it still runs the jobs others schedule).
 */
export async function startPrivacyWorker(deps: {
  ctx: TWorkerContext;
  redisConfig: TRedisConfig;
  intervalMs: number;
}): Promise<{ close(): Promise<void> }> {
  const { ctx } = deps;
  const prefix = bullPrefix(deps.redisConfig);
  const connection = createRedis(deps.redisConfig, 'worker');
  const queue = new Queue(QUEUES.privacy, { connection, prefix });
  queue.on('error', (err) => ctx.log.warn({ err: err.message }, 'privacy queue error'));
  if (deps.intervalMs > 0)
    await queue.upsertJobScheduler(
      SCHEDULER_ID,
      { every: deps.intervalMs },
      { name: JOBS.privacyPass, data: {}, opts: { removeOnComplete: true, removeOnFail: true } },
    );
  const worker = await startQueueWorker(
    QUEUES.privacy,
    async (job) => {
      if (job.name === JOBS.privacyPass) {
        const r = await runPrivacyPass(ctx);
        if (r.conversations + r.organizationsPurged + r.platformPostsDeleted > 0) ctx.log.info(r, 'privacy pass');
        return r;
      }
      if (job.name === JOBS.platformDeletions) {
        const { organizationId } = ZPlatformDeletionsJob.parse(job.data);
        return deletePlatformPosts(ctx, { organizationId });
      }
      return 'unknown job';
    },
    { redisConfig: deps.redisConfig, log: ctx.log },
    {
      concurrency: 1,
      settings: { backoffStrategy: (attemptsMade: number) => cappedBackoff(attemptsMade) },
      failedMessage: 'privacy job failed',
    },
  );
  return {
    async close() {
      await worker.close();
      await queue.close();
      connection.disconnect();
    },
  };
}
