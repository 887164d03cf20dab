// Visitor send → platform API call latency with 200 concurrent conversations, one worker process, fake Telegram.
//   pnpm exec tsx bench/delivery-latency.ts [conversations=200] [seconds=20] [meanGapMs=1000]
// How: every conversation's topic is opened first (steady state). Then each conversation sends a message, waits a
// random gap (uniform 0.5×–1.5× meanGapMs), and so on for the given time — 200 conversations at ~1 message/s each is
// ~200 messages/s. A message's latency is from just before the send (the transaction realtime runs: message +
// outbox row, then the job) to the moment the fake Telegram receives the sendMessage carrying it (its call log);
// commitToApiCall is the same from the moment the send returned (committed and enqueued): the worker's share.
import { cpus, loadavg } from 'node:os';
import { percentile, startBenchStack, warmUp } from './delivery-stack.js';
import { waitFor } from '@pocketping/testkit';

const conversationCount = Number(process.argv[2] ?? 200);
const seconds = Number(process.argv[3] ?? 20);
const meanGapMs = Number(process.argv[4] ?? 1000);

const stack = await startBenchStack({ conversations: conversationCount, concurrency: 50 });
try {
  await stack.startWorker();
  const sentAt = new Map<string, number>();
  // Progress on stderr (a stuck run says where it is, and shows the worker's output if it died).
  const progress = setInterval(() => {
    void stack.pending().then((p) => {
      const w = stack.worker;
      const dead = w && (w.child.exitCode !== null || w.child.signalCode !== null);
      console.error(
        `[latency] sent ${sentAt.size}, pending ${p}${dead ? `, WORKER DIED:\n${w.output().slice(-3000)}` : ''}`,
      );
    });
  }, 5_000);
  await warmUp(stack);
  /** The send itself (transaction + enqueue), for reading the latency: what is the database, what is the worker. */
  const commitMs: number[] = [];
  const committedAt = new Map<string, number>();
  const until = Date.now() + seconds * 1000;
  let n = 0;
  await Promise.all(
    stack.conversations.map(async (c) => {
      await new Promise((r) => setTimeout(r, Math.random() * meanGapMs)); // spread the starts
      while (Date.now() < until) {
        const text = `lat ${n++}`;
        const t0 = Date.now();
        sentAt.set(text, t0);
        await stack.send(c, text);
        committedAt.set(text, Date.now());
        commitMs.push(Date.now() - t0);
        await new Promise((r) => setTimeout(r, meanGapMs * (0.5 + Math.random())));
      }
    }),
  );
  await waitFor(async () => (await stack.pending()) === 0, {
    timeoutMs: 120_000,
    intervalMs: 200,
    what: 'all deliveries',
  });
  clearInterval(progress);
  const latencies: number[] = [];
  const pipeline: number[] = [];
  const seen = new Set<string>();
  for (const call of stack.telegram.callsOf('sendMessage')) {
    const text = String(call.params.text ?? '');
    const t = sentAt.get(text);
    if (t === undefined || seen.has(text)) continue;
    seen.add(text);
    latencies.push(call.at - t);
    // The job is enqueued before the send returns, so a post can even precede committedAt by a hair: clamp at 0.
    pipeline.push(Math.max(0, call.at - (committedAt.get(text) ?? t)));
  }
  latencies.sort((a, b) => a - b);
  pipeline.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      bench: 'delivery-latency',
      conversations: conversationCount,
      seconds,
      messages: sentAt.size,
      delivered: latencies.length,
      ratePerSecond: Math.round(sentAt.size / seconds),
      commitP50Ms: percentile(
        commitMs.sort((a, b) => a - b),
        50,
      ),
      commitP99Ms: percentile(commitMs, 99),
      sendToApiCall: {
        p50Ms: percentile(latencies, 50),
        p90Ms: percentile(latencies, 90),
        p99Ms: percentile(latencies, 99),
        maxMs: latencies[latencies.length - 1],
      },
      commitToApiCall: {
        p50Ms: percentile(pipeline, 50),
        p90Ms: percentile(pipeline, 90),
        p99Ms: percentile(pipeline, 99),
        maxMs: pipeline[pipeline.length - 1],
      },
      loadAverage1m: Number(loadavg()[0]?.toFixed(2)),
      cpus: cpus().length,
    }),
  );
  if (latencies.length !== sentAt.size) throw new Error(`expected ${sentAt.size} deliveries, saw ${latencies.length}`);
} finally {
  await stack.close();
}
