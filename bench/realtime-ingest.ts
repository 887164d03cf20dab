// message:send ingest rate and ack latency (p50/p99) against ONE realtime process, with the official client.
// Run: pnpm exec tsx bench/realtime-ingest.ts [visitors=50] [messagesPerVisitor=40]
// Each send is the full path: validation, rate limits (Redis), the visitor's conversation, the transactional
// append (seq + message + outbox), the ack. No bridge is connected, so no outbox rows or jobs.
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { bootBenchStack } from './realtime-bench-stack.js';

const visitors = Number(process.argv[2] ?? 50);
const perVisitor = Number(process.argv[3] ?? 40);
const stack = await bootBenchStack();
try {
  const sockets: Socket[] = await Promise.all(Array.from({ length: visitors }, () => new Promise<Socket>((resolve, reject) => {
    const s = io(`${stack.url}/widget`, { auth: { projectKey: stack.projectKey }, extraHeaders: { origin: stack.origin }, transports: ['websocket'], reconnection: false, forceNew: true });
    s.once('session', () => resolve(s));
    s.once('connect_error', reject);
  })));
  const latencies: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(sockets.map(async (s) => {
    for (let i = 0; i < perVisitor; i++) {
      const start = performance.now();
      // The per-visitor send limit (20 per 10 s) would refuse a script; each visitor paces itself under it.
      const ack = (await s.timeout(10_000).emitWithAck('message:send', { clientId: `b_${randomBytes(8).toString('hex')}`, body: `bench message ${i}` })) as { ok: boolean };
      latencies.push(performance.now() - start);
      if (!ack.ok) errors += 1;
      await new Promise((r) => setTimeout(r, 520));
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
  console.log('\nrealtime message:send ingest (one process)');
  console.log(`  messages:     ${latencies.length} (${errors} errors) from ${visitors} visitors in ${secs.toFixed(1)} s → ${(latencies.length / secs).toFixed(0)} msg/s offered`);
  console.log(`  ack latency:  p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`);
  console.log('  how: official socket.io-client, each visitor sends then waits 520 ms (under the 20/10 s per-visitor limit); latency = emit → ack');
  for (const s of sockets) s.close();
} finally {
  await stack.stop();
}
