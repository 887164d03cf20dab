// message:send ingest rate and ack latency (p50/p99) against ONE realtime process, with the official client.
// Run: pnpm exec tsx bench/realtime-ingest.ts [visitors=50] [messagesPerVisitor=40] [gapMs=520] [bridge=0|1]
// gapMs: pause after each ack (the stack scales the per-visitor limit, so 0 is allowed: closed-loop saturation).
// bridge=1: the project has a (Telegram) connection, so every send also writes an outbox row and enqueues a job.
// Each send is the full path: validation, rate limits (Redis), the visitor's conversation, the transactional
// append (seq + message + outbox), the ack. No bridge is connected, so no outbox rows or jobs.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { bootBenchStack, connectBenchVisitor } from './realtime-bench-stack.js';

const visitors = Number(process.argv[2] ?? 50);
const perVisitor = Number(process.argv[3] ?? 40);
const gapMs = Number(process.argv[4] ?? 520);
const withBridge = process.argv[5] === '1';
const stack = await bootBenchStack({ withBridge });
try {
  const sockets: Socket[] = await Promise.all(
    Array.from({ length: visitors }, () => connectBenchVisitor(stack.url, stack.projectKey, stack.origin)),
  );
  const latencies: number[] = [];
  // The first send of each visitor also creates its conversation (locked find-or-create): reported apart.
  const firstLatencies: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    sockets.map(async (s) => {
      for (let i = 0; i < perVisitor; i++) {
        const start = performance.now();
        // The per-visitor send limit (20 per 10 s) would refuse a script; each visitor paces itself under it.
        const ack = (await s.timeout(10_000).emitWithAck('message:send', {
          clientId: `b_${randomBytes(8).toString('hex')}`,
          body: `bench message ${i}`,
        })) as { ok: boolean };
        (i === 0 ? firstLatencies : latencies).push(performance.now() - start);
        if (!ack.ok) errors += 1;
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const all = [...latencies, ...firstLatencies].sort((a, b) => a - b);
  latencies.sort((a, b) => a - b);
  firstLatencies.sort((a, b) => a - b);
  const pct = (xs: number[], p: number) =>
    (xs.length === 0 ? NaN : xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!).toFixed(1);
  console.log('\nrealtime message:send ingest (one process)');
  console.log(
    `  messages:     ${all.length} (${errors} errors) from ${visitors} visitors in ${secs.toFixed(1)} s → ${(all.length / secs).toFixed(0)} msg/s acked${withBridge ? ' (with a bridge: outbox row + job each)' : ''}`,
  );
  console.log(`  ack latency:  all p50 ${pct(all, 50)} ms, p99 ${pct(all, 99)} ms, max ${all.at(-1)!.toFixed(1)} ms`);
  console.log(
    `                steady (2nd send on) p50 ${pct(latencies, 50)} ms, p99 ${pct(latencies, 99)} ms; first send (creates the conversation) p50 ${pct(firstLatencies, 50)} ms, p99 ${pct(firstLatencies, 99)} ms`,
  );
  console.log(
    `  how: official socket.io-client, each visitor sends, waits for the ack, then ${gapMs} ms; latency = emit → ack`,
  );
  for (const s of sockets) s.close();
} finally {
  await stack.stop();
}
