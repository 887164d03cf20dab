// Operator replies → stored operator messages, through the path a Telegram webhook takes (ingestInboundEvent with the
// reorder window and the update_id gap rule), applied by ONE worker process (apps/worker, concurrency 50).
//   pnpm exec tsx bench/inbound-order.ts [conversations=100] [repliesPerConversation=10] [mode=paced|burst] [meanGapMs=1000]
// paced: every conversation writes its replies one after another, each delivered as soon as it is written, a random
//   0.5–1.5 × meanGapMs apart (conversations interleave, so an update's predecessor is often another conversation's,
//   still on its way: then the reorder window holds it). The figure is ingest → stored latency.
// burst: every conversation's replies are written first, then delivered ALL AT ONCE in reverse order (the last
//   written first), as a platform redelivering a backlog concurrently would: the figure is how long until all are
//   stored, and that every conversation's replies end up in the order they were written.
// Latency = the message row's createdAt (Postgres clock) − the moment just before the ingest (same machine).
import { cpus, loadavg } from 'node:os';
import { createLogger } from '@pocketping/core';
import { ingestInboundEvent } from '../packages/inbound/src/index.js';
import { waitFor } from '@pocketping/testkit';
import { percentile, startBenchStack, warmUp } from './delivery-stack.js';

const conversationCount = Number(process.argv[2] ?? 100);
const perConversation = Number(process.argv[3] ?? 10);
const mode = process.argv[4] === 'burst' ? 'burst' : 'paced';
const meanGapMs = Number(process.argv[5] ?? 1000);
const REORDER_WINDOW_MS = Number(process.env.BENCH_REORDER_MS ?? 250); // INBOUND_REORDER_WINDOW_MS default
const log = createLogger('bench', 'silent');

const stack = await startBenchStack({ conversations: conversationCount, concurrency: 50 });
try {
  await stack.startWorker();
  await warmUp(stack);
  const connection = await stack.db.bridgeConnection.findFirstOrThrow({
    where: { organizationId: stack.organizationId, kind: 'telegram' },
  });
  const threads = new Map(
    (await stack.db.bridgeThread.findMany({ where: { organizationId: stack.organizationId } })).map((t) => [
      t.conversationId,
      Number(t.externalThreadId),
    ]),
  );
  const ingestedAt = new Map<string, number>();
  const deliver = async (update: { update_id: number }, text: string) => {
    ingestedAt.set(text, Date.now());
    await ingestInboundEvent(
      { db: stack.db, producer: stack.producer, log },
      {
        organizationId: stack.organizationId,
        connectionId: connection.id,
        kind: 'telegram',
        externalId: String(update.update_id),
        payload: update,
        reorderWindowMs: REORDER_WINDOW_MS,
        previousExternalId: String(update.update_id - 1),
      },
    );
  };
  const write = async (conversationId: string, i: number) => {
    const text = `reply ${conversationId.slice(-6)} #${i}`;
    const { update } = await stack.telegram.operatorWrites({
      token: stack.botToken,
      chatId: stack.chatId,
      threadId: threads.get(conversationId)!,
      text,
      from: { id: 77, first_name: 'Olga' },
    });
    return { update: update as { update_id: number }, text };
  };
  const t0 = Date.now();
  if (mode === 'paced') {
    await Promise.all(
      stack.conversations.map(async (c) => {
        await new Promise((r) => setTimeout(r, Math.random() * meanGapMs));
        for (let i = 1; i <= perConversation; i++) {
          const w = await write(c, i);
          await deliver(w.update, w.text);
          await new Promise((r) => setTimeout(r, meanGapMs * (0.5 + Math.random())));
        }
      }),
    );
  } else {
    const written: { update: { update_id: number }; text: string }[][] = [];
    for (const c of stack.conversations) {
      const list = [];
      for (let i = 1; i <= perConversation; i++) list.push(await write(c, i));
      written.push(list);
    }
    await Promise.all(written.flatMap((list) => [...list].reverse().map((w) => deliver(w.update, w.text))));
  }
  const total = conversationCount * perConversation;
  const stored = () => stack.db.message.count({ where: { organizationId: stack.organizationId, sender: 'operator' } });
  await waitFor(async () => (await stored()) >= total, {
    timeoutMs: 180_000,
    intervalMs: 100,
    what: 'all replies stored',
  });
  const seconds = (Date.now() - t0) / 1000;
  const rows = await stack.db.message.findMany({
    where: { organizationId: stack.organizationId, sender: 'operator' },
    select: { conversationId: true, seq: true, body: true, createdAt: true },
    orderBy: { seq: 'asc' },
  });
  const latencies = rows
    .map((m) => m.createdAt.getTime() - (ingestedAt.get(m.body) ?? m.createdAt.getTime()))
    .sort((a, b) => a - b);
  const events = await stack.db.inboundEvent.findMany({
    where: { organizationId: stack.organizationId },
    select: { createdAt: true, readyAt: true, processedAt: true },
  });
  const held = events.filter((e) => e.readyAt.getTime() - e.createdAt.getTime() > 5).length;
  const queued = events
    .filter((e) => e.processedAt)
    .map((e) => e.processedAt!.getTime() - e.readyAt.getTime())
    .sort((a, b) => a - b);
  let outOfOrder = 0;
  for (const c of stack.conversations) {
    const bodies = rows.filter((m) => m.conversationId === c).map((m) => Number(m.body.split('#')[1]));
    if (bodies.some((n, i) => i > 0 && n < bodies[i - 1]!)) outOfOrder += 1;
  }
  console.log(
    JSON.stringify({
      bench: 'inbound-order',
      mode,
      meanGapMs: mode === 'paced' ? meanGapMs : undefined,
      conversations: conversationCount,
      repliesPerConversation: perConversation,
      stored: rows.length,
      outOfOrderConversations: outOfOrder,
      seconds: Number(seconds.toFixed(2)),
      repliesPerSecond: Math.round(rows.length / seconds),
      ingestToStored: {
        p50Ms: percentile(latencies, 50),
        p90Ms: percentile(latencies, 90),
        p99Ms: percentile(latencies, 99),
        maxMs: latencies.at(-1),
      },
      heldForAGap: held,
      readyToProcessed: { p50Ms: percentile(queued, 50), p99Ms: percentile(queued, 99) },
      loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
      cpus: cpus().length,
    }),
  );
} finally {
  await stack.close();
}
