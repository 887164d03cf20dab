import { Worker, type Job, type Processor, type WorkerOptions } from 'bullmq';
import type { TLogger } from '@pocketping/core';
import { bullPrefix, createRedis, type TRedisConfig } from '@pocketping/jobs';

export interface TQueueWorkerOptions extends Omit<WorkerOptions, 'connection' | 'prefix' | 'autorun'> {
  /** The log line of a failed attempt (default "job failed"). */
  failedMessage?: string;
  /** How loud a failed attempt is (default warn; an expected retry can be debug). */
  failedLevel?: (err: Error) => 'debug' | 'warn';
}

/**
 * One BullMQ worker of this process, made the same way for every queue: its own Redis connection, closed when the
 * worker closes (BullMQ never closes a connection it was given, so a worker stopped and started again — a graceful
 * shutdown, a test — would leave one behind each time), the deployment's key prefix, and every failed attempt and
 * connection error logged with the queue, the job and its tenant. Resolves once the worker is connected.
 */
export async function startQueueWorker<TData = unknown>(
  queue: string,
  processor: Processor<TData>,
  deps: { redisConfig: TRedisConfig; log: TLogger },
  options: TQueueWorkerOptions = {},
): Promise<Worker<TData>> {
  const { failedMessage = 'job failed', failedLevel, ...workerOptions } = options;
  const connection = createRedis(deps.redisConfig, 'worker');
  const worker = new Worker<TData>(queue, processor, {
    ...workerOptions,
    prefix: bullPrefix(deps.redisConfig),
    connection,
  });
  worker.on('closed', () => connection.disconnect());
  worker.on('failed', (job: Job<TData> | undefined, err: Error) =>
    deps.log[failedLevel?.(err) ?? 'warn'](
      {
        queue,
        jobId: job?.id,
        tenantId: (job?.data as { organizationId?: unknown } | undefined)?.organizationId,
        attempts: job?.attemptsMade,
        err: err.message,
      },
      failedMessage,
    ),
  );
  worker.on('error', (err) => deps.log.error({ queue, err: err.message }, 'worker connection error'));
  try {
    await worker.waitUntilReady();
  } catch (err) {
    await worker.close();
    throw err;
  }
  return worker;
}
