// kill -9 of the worker PROCESS while webhooks are in flight; a fresh worker takes over. Every event must reach the
// receiver at least once, in order per conversation, and a re-sent event carries the same `webhook-id` as the
// attempt the kill cut off (so receivers dedupe on it). The receiver holds each request 150 ms so kills land while
// requests are open.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { TEST_REDIS_URL, waitFor } from '@pocketping/testkit';
import { startWebhookFault, type TWebhookFault } from './webhook-fault.js';

const PER_CONVERSATION = 8;

describe('fault: worker killed with SIGKILL during webhook delivery', () => {
  let fault: TWebhookFault;

  beforeAll(async () => {
    fault = await startWebhookFault({ redisUrl: TEST_REDIS_URL, conversations: 6, receiverDelayMs: 150 });
  }, 60_000);

  afterAll(async () => {
    await fault?.close();
  });

  it('loses no event, keeps order per conversation, and re-sends with the same webhook-id', async () => {
    await fault.startWorker();
    await fault.append(Array.from({ length: PER_CONVERSATION }, (_, n) => n));
    // Two kills while requests are in flight, each followed by a fresh worker.
    for (const atLeast of [6, 18]) {
      await waitFor(() => fault.receiver.received.length >= atLeast || undefined, {
        what: `${atLeast} webhooks`,
        timeoutMs: 30_000,
      });
      await fault.workers.at(-1)!.kill();
      await fault.startWorker();
    }
    const { events, requests } = await fault.expectAllDelivered(PER_CONVERSATION, 90_000);
    console.warn(
      `webhook kill test: ${events} events, ${requests} requests received, ${requests - events} re-sent after a kill (same webhook-id)`,
    );
  }, 180_000);
});
