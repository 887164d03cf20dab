// Deliveries per second of ONE worker process against the fake Telegram with no rate limit.
//   pnpm exec tsx bench/delivery-throughput.ts [messages=20000] [conversations=200] [concurrency=50]
// How: N visitor messages are committed the way realtime does it (message + outbox row in one transaction, then the
// BullMQ job) while no worker runs; then one worker process starts and drains them. The figure is
// messages / (time from the first to the last platform call), read from the fake's own call log; every outbox row
// must be done and every message posted exactly once for the run to count.
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { waitFor } from '@pocketping/testkit';
import { cpuMsOf, cpuMsOfAll, startBenchStack, warmUp } from './delivery-stack.js';

const total = Number(process.argv[2] ?? 20_000);
const conversationCount = Number(process.argv[3] ?? 200);
const concurrency = Number(process.argv[4] ?? 50);

const stack = await startBenchStack({ conversations: conversationCount, concurrency });
try {
  await stack.startWorker();
  await warmUp(stack);
  await stack.worker?.stop();
  const t0 = performance.now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const c = stack.conversations[i % conversationCount] as string;
    sends.push(stack.send(c, `tp ${i}`));
    if (sends.length >= 20) await Promise.all(sends.splice(0));
  }
  await Promise.all(sends);
  console.log(
    `committed ${total} messages (+ jobs) in ${((performance.now() - t0) / 1000).toFixed(1)} s; starting one worker process (concurrency ${concurrency})`,
  );
  const callsBefore = stack.telegram.callsOf('sendMessage').length;
  const worker = await stack.startWorker();
  const cpu0 = cpuMsOf(worker.child.pid);
  // The rest of the machine's share: Postgres (every backend), Redis, and this process (the fake Telegram).
  const others0 = { postgres: cpuMsOfAll('postgres'), redis: cpuMsOfAll('redis-server'), fake: process.cpuUsage() };
  const commits = async () =>
    Number(
      (
        await stack.db.$queryRaw<
          { n: bigint }[]
        >`SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()`
      )[0]?.n ?? 0,
    );
  const commits0 = await commits();
  await waitFor(async () => (await stack.pending()) === 0, {
    timeoutMs: 600_000,
    intervalMs: 250,
    what: 'all deliveries',
  });
  const workerCpuSeconds = (cpuMsOf(worker.child.pid) - cpu0) / 1000;
  const fakeUsage = process.cpuUsage(others0.fake);
  const otherCpuSeconds = {
    postgres: (cpuMsOfAll('postgres') - others0.postgres) / 1000,
    redis: (cpuMsOfAll('redis-server') - others0.redis) / 1000,
    fakeAndBench: (fakeUsage.user + fakeUsage.system) / 1e6,
  };
  // Statements the database committed during the drain (the bench's own polling adds about 4 per second).
  const dbCommits = (await commits()) - commits0;
  const calls = stack.telegram
    .callsOf('sendMessage')
    .slice(callsBefore)
    .filter((c) => String(c.params.text ?? '').startsWith('tp '));
  const first = calls[0]?.at ?? 0;
  const last = calls[calls.length - 1]?.at ?? 0;
  const texts = new Set(calls.map((c) => String(c.params.text)));
  const seconds = (last - first) / 1000;
  const ms = (cpuSeconds: number) => Number(((cpuSeconds * 1000) / calls.length).toFixed(3));
  console.log(
    JSON.stringify({
      bench: 'delivery-throughput',
      messages: total,
      conversations: conversationCount,
      concurrency,
      posts: calls.length,
      distinct: texts.size,
      duplicates: calls.length - texts.size,
      seconds: Number(seconds.toFixed(2)),
      deliveriesPerSecond: Math.round(calls.length / seconds),
      workerCpuSeconds: Number(workerCpuSeconds.toFixed(2)),
      deliveriesPerWorkerCpuSecond: Math.round(calls.length / workerCpuSeconds),
      cpuMsPerDelivery: {
        worker: ms(workerCpuSeconds),
        postgres: ms(otherCpuSeconds.postgres),
        redis: ms(otherCpuSeconds.redis),
        fakeAndBench: ms(otherCpuSeconds.fakeAndBench),
      },
      dbCommitsPerDelivery: Number((dbCommits / calls.length).toFixed(2)),
      loadAverage1m: Number(loadavg()[0]?.toFixed(2)),
      cpus: cpus().length,
    }),
  );
  if (texts.size !== total) throw new Error(`expected ${total} distinct posts, got ${texts.size}`);
} finally {
  await stack.close();
}
