// Idle widget sockets held by ONE realtime process, against its RSS.
// Run: [BENCH_PRODUCTION=1] [MALLOC_ARENA_MAX=n] pnpm exec tsx bench/realtime-idle-sockets.ts [sockets=19500] [clientProcesses=4]
// Each socket is a real widget session: handshake (project key + Origin), a new visitor row, rooms, presence,
// cross-node connection tracking. Loopback only; clients spread over 127.0.0.2… source addresses.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootBenchStack } from './realtime-bench-stack.js';

const total = Number(process.argv[2] ?? 19_500);
const procs = Number(process.argv[3] ?? 4);
const here = path.dirname(fileURLToPath(import.meta.url));
const deadline = Date.now() + 10 * 60_000;

// MALLOC_ARENA_MAX, when set for the bench, is handed to the realtime process (glibc's allocator arenas: see README).
const arenas = process.env.MALLOC_ARENA_MAX;
const stack = await bootBenchStack(arenas ? { extraEnv: { MALLOC_ARENA_MAX: arenas } } : {});
try {
  await new Promise((r) => setTimeout(r, 1_000));
  const baseline = stack.rssMb();
  const t0 = Date.now();
  const progress = new Map<number, { connected: number; failed: number }>();
  const children = Array.from({ length: procs }, (_, i) => {
    const n = Math.floor(total / procs) + (i < total % procs ? 1 : 0);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(here, 'realtime-idle-client.ts'),
        stack.url,
        stack.projectKey,
        stack.origin,
        String(n),
        `127.0.0.${i + 2}`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    child.stdout.on('data', (d: Buffer) => {
      const last = d.toString().trim().split('\n').pop();
      if (last) progress.set(i, JSON.parse(last) as { connected: number; failed: number });
    });
    return child;
  });
  const sum = () =>
    [...progress.values()].reduce((a, p) => ({ connected: a.connected + p.connected, failed: a.failed + p.failed }), {
      connected: 0,
      failed: 0,
    });
  let lastPrint = 0;
  while (sum().connected + sum().failed < total && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    if (Date.now() - lastPrint > 5_000) {
      lastPrint = Date.now();
      console.log(`  … ${sum().connected} connected, ${sum().failed} failed, RSS ${stack.rssMb().toFixed(0)} MB`);
    }
  }
  const connectSecs = (Date.now() - t0) / 1000;
  // Let the handshake garbage go and a ping round (25 s) pass with everything idle.
  await new Promise((r) => setTimeout(r, 30_000));
  const { connected, failed } = sum();
  const rss = stack.rssMb();
  const perSocketKb = ((rss - baseline) * 1024) / Math.max(1, connected);
  console.log('\nrealtime idle sockets (one process, after one ping interval)');
  console.log(
    `  sockets connected:   ${connected} (failed ${failed}) in ${connectSecs.toFixed(1)} s (${(connected / connectSecs).toFixed(0)} handshakes/s)`,
  );
  console.log(`  RSS baseline:        ${baseline.toFixed(0)} MB`);
  console.log(`  RSS with sockets:    ${rss.toFixed(0)} MB`);
  console.log(`  per socket:          ${perSocketKb.toFixed(1)} KB`);
  console.log(`  projected 20,000:    ${(baseline + (perSocketKb * 20_000) / 1024).toFixed(0)} MB`);
  console.log(
    `  how: ${procs} client processes with raw Engine.IO/Socket.IO websockets from 127.0.0.2-${procs + 1}; RSS = VmRSS of the realtime process`,
  );
  for (const c of children) c.kill('SIGTERM');
} finally {
  await stack.stop();
}
