// kill -9 of the worker PROCESS in the middle of a delivery burst, twice; a fresh worker takes over. Zero messages
// may be lost and order must hold. Telegram has no idempotency key, so a post whose platform call succeeded just
// before the kill — but whose record had not been written — is posted again: the test counts those duplicates and
// prints the figure (the window is one platform call + one INSERT, a few milliseconds).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL, waitFor } from '@pocketping/testkit';
import { burst, drained, startFaultStack, type TFaultStack } from './fault-stack.js';

describe('fault: worker killed with SIGKILL during delivery', () => {
  let stack: TFaultStack;
  beforeAll(async () => {
    // A little platform latency makes it likely that a kill lands while a call is in flight.
    stack = await startFaultStack({ redisUrl: TEST_REDIS_URL, conversations: 10, telegramLatencyMs: 3 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('loses nothing and keeps order across two kills; duplicates are counted and reported', async () => {
    let worker = await stack.startWorker();
    const sending = burst(stack, 40, 'kill');
    const botPosts = () => stack.telegram.callsOf('sendMessage').filter((c) => String(c.params.text ?? '').startsWith('kill ')).length;
    for (const threshold of [80, 200]) {
      await waitFor(() => botPosts() >= threshold, { what: `${threshold} posts`, timeoutMs: 60_000 });
      await worker.kill();
      worker = await stack.startWorker();
    }
    await sending;
    await drained(stack, 120_000);
    const audit = await stack.audit();
    // The figures are the point of the test: printed for the report (console.warn is what the lint allows).
    console.warn(`[fault-worker-kill] ${JSON.stringify({ kills: 2, ...audit })}`);
    expect(audit.stored).toBe(400);
    expect(audit.lost).toBe(0);
    expect(audit.outOfOrder).toBe(0);
    // Honest bound: at most one in-flight post per pair per kill can be repeated (20 = concurrency × 0 is the goal).
    expect(audit.duplicates).toBeLessThanOrEqual(2 * 10);
  }, 240_000);
});
