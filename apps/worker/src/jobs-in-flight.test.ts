// A worker stopping past its bound hands the jobs it is still running back: they wait in their queue and another
// worker runs them at once (not after the lock of the stopping one expires). Real Redis, real BullMQ.
import { afterEach, describe, expect, it } from 'vitest';
import { Queue, Worker, type Job } from 'bullmq';
import { TEST_REDIS_URL, uniqueRedisPrefix, waitFor } from '@pocketping/testkit';
import { createRedis } from '@pocketping/jobs';
import { createJobsInFlight } from './jobs-in-flight.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});

describe('jobs in flight', () => {
  it('returns a running job to its queue; another worker completes it while the first is still stuck', async () => {
    const prefix = uniqueRedisPrefix();
    const queue = new Queue('t', { connection: createRedis(TEST_REDIS_URL, 'producer'), prefix });
    closers.push(() => queue.close());
    let releaseStuck!: () => void;
    const stuck = new Promise<void>((r) => (releaseStuck = r));
    const inFlight = createJobsInFlight();
    const first = new Worker(
      't',
      inFlight.wrap(async () => {
        await stuck;
        return 'first';
      }),
      // A long lock: without the hand-back, nobody else could run the job for a minute.
      { connection: createRedis(TEST_REDIS_URL, 'worker'), prefix, lockDuration: 60_000 },
    );
    closers.push(async () => {
      releaseStuck();
      await first.close(true);
    });
    await queue.add('j', {}, { jobId: 'job-1' });
    await waitFor(() => inFlight.count() === 1, { what: 'the first worker runs the job' });

    expect(await inFlight.returnAll()).toBe(1);
    expect(await queue.getJobState('job-1')).toBe('waiting');
    const done: Job[] = [];
    const second = new Worker('t', async () => 'second', {
      connection: createRedis(TEST_REDIS_URL, 'worker'),
      prefix,
    });
    second.on('completed', (job) => done.push(job));
    closers.push(() => second.close());
    await waitFor(() => done.length === 1, { what: 'the second worker completes the returned job' });
    expect(done[0]!.returnvalue).toBe('second');
    // The first one finishing late cannot complete it a second time (it no longer holds its lock).
    releaseStuck();
    await first.close();
    expect(await queue.getJobState('job-1')).toBe('completed');
    expect((await queue.getJob('job-1'))!.returnvalue).toBe('second');
  });
});
