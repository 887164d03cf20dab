// Redis dies (SIGKILL, no persistence: every webhook job, delayed retry and pair lease is gone) while webhook
// requests are in flight, messages keep being written while it is down, and it comes back empty on the same port.
// The deliveries in Postgres are the truth: the worker's sweeper re-enqueues what Redis forgot. Every event must
// reach the receiver at least once with its one `webhook-id`, in order per conversation. The machine's Redis is
// shared by other test runs, so this test runs its OWN redis-server and restarts that one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, waitFor, type TRedisServer } from '@pocketping/testkit';
import { startWebhookFault, type TWebhookFault } from './webhook-fault.js';

const PER_CONVERSATION = 10;

describe('fault: Redis killed and restarted during webhook delivery', () => {
  let redis: TRedisServer;
  let fault: TWebhookFault;

  beforeAll(async () => {
    redis = await startRedisServer();
    fault = await startWebhookFault({ redisUrl: redis.url, conversations: 6, receiverDelayMs: 150 });
  }, 60_000);

  afterAll(async () => {
    await fault?.close();
    await redis?.kill();
  });

  it('loses no event across the restart, keeps order per conversation and the webhook-id', async () => {
    await fault.startWorker();
    await fault.append([0, 1, 2, 3, 4]);
    await waitFor(() => fault.receiver.received.length >= 8 || undefined, {
      what: 'deliveries under way',
      timeoutMs: 30_000,
    });
    await redis.kill();
    const beforeKill = fault.receiver.received.length;
    // Written while Redis is down: the deliveries are committed, their enqueue cannot happen.
    await fault.append([5, 6, 7]);
    await redis.restart();
    await fault.append([8, 9]);
    const { events, requests } = await fault.expectAllDelivered(PER_CONVERSATION, 120_000);
    expect(beforeKill).toBeLessThan(events);
    // The outage was real: deliveries committed meanwhile could not be enqueued, and only the sweeper sent them.
    expect(fault.workers[0]!.output()).toContain('webhook enqueue failed (the sweeper retries)');
    console.warn(
      `webhook Redis restart test: ${events} events, ${beforeKill} received before the kill, ${requests} requests, ${requests - events} re-sent (same webhook-id)`,
    );
  }, 240_000);
});
