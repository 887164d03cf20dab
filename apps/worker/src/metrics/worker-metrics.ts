// The worker's Prometheus metrics (GET /metrics on the probe server): job counts per queue and state, and the
// outbox backlog (undelivered rows per kind, age of the oldest) — the two numbers that say deliveries are late.
import { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { createMetrics, type TMetrics } from '@pocketping/core/metrics';
import { outboxBacklog, type TOutboxBacklog } from '@pocketping/db';
import { QUEUES, bullPrefix, type TRedisConfig } from '@pocketping/jobs';
import type { TWorkerContext } from '../context.js';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

export function createWorkerMetrics(
  ctx: Pick<TWorkerContext, 'redis' | 'sql'>,
  redis: TRedisConfig,
  token: string | undefined,
): { metrics: TMetrics; close(): Promise<void> } {
  const metrics = createMetrics('worker', token);
  const queues = Object.values(QUEUES).map(
    (name) => new Queue(name, { connection: ctx.redis, prefix: bullPrefix(redis) }),
  );
  new Gauge({
    name: 'pocketping_queue_jobs',
    help: 'Jobs per BullMQ queue and state (all workers)',
    labelNames: ['queue', 'state'],
    registers: [metrics.registry],
    async collect() {
      for (const q of queues) {
        const counts = await q.getJobCounts(...STATES);
        for (const state of STATES) this.set({ queue: q.name, state }, counts[state] ?? 0);
      }
    },
  });
  // One query per scrape feeds both backlog gauges (a scrape collects every metric at once: they share it).
  let inFlight: Promise<TOutboxBacklog> | null = null;
  const backlog = () =>
    (inFlight ??= outboxBacklog(ctx.sql).finally(() => {
      inFlight = null;
    }));
  new Gauge({
    name: 'pocketping_outbox_pending',
    help: 'Undelivered outbox rows per kind (all tenants)',
    labelNames: ['kind'],
    registers: [metrics.registry],
    async collect() {
      const rows = await backlog();
      this.reset();
      for (const row of rows) this.set({ kind: row.kind }, row.pending);
    },
  });
  new Gauge({
    name: 'pocketping_outbox_oldest_pending_seconds',
    help: 'Age of the oldest undelivered outbox row per kind',
    labelNames: ['kind'],
    registers: [metrics.registry],
    async collect() {
      const rows = await backlog();
      this.reset();
      for (const row of rows) this.set({ kind: row.kind }, row.oldestSeconds);
    },
  });
  return {
    metrics,
    close: async () => {
      await Promise.all(queues.map((q) => q.close()));
    },
  };
}
