// GET /metrics of the worker: Prometheus text with the job counts per queue and state and the outbox backlog (rows
// per kind, age of the oldest), behind a bearer token (absent token setting: no endpoint at all).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { parseKeyRing } from '@pocketping/core';
import { answerMetrics, createMetrics } from '@pocketping/core/metrics';
import { bootstrapTenant, createDb, createSqlPool, type TDb, type TSql } from '@pocketping/db';
import { QUEUES, bullPrefix } from '@pocketping/jobs';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  testEncryptionKey,
  uniqueRedisPrefix,
  type TTestDatabase,
} from '@pocketping/testkit';
import { createWorkerMetrics } from '../../apps/worker/src/metrics/worker-metrics.js';

const TOKEN = 'metrics-token-for-tests-0123456789';

describe('worker metrics', () => {
  let database: TTestDatabase;
  let db: TDb;
  let sql: TSql;
  let redis: Redis;
  const cfg = { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDb(database.url, { poolSize: 2 });
    sql = createSqlPool(database.url, { poolSize: 2, onError: () => undefined });
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const t = await bootstrapTenant(db, parseKeyRing(testEncryptionKey()), {
      email: 'm@m.test',
      orgName: 'M',
      allowedOrigins: ['https://m.test'],
      telegram: { botToken: '1:mmmmmmmmmmmmmmmmmmmmmmmm', chatId: '-100333' },
    });
    // Three undelivered rows, the oldest 90 s old, and one delivered row (not counted).
    await sql.query(
      `INSERT INTO "OutboxEvent" (id, "organizationId", kind, "connectionId", "conversationId", seq, status, "createdAt")
       SELECT 'm' || g, $1, 'bridge.deliver', $2, 'conv-1', g,
              (CASE WHEN g = 4 THEN 'done' ELSE 'pending' END)::"OutboxStatus", now() - (g * 30) * interval '1 second'
       FROM generate_series(1, 4) g`,
      [t.organization.id, t.telegram!.connection.id],
    );
    const q = new Queue(QUEUES.delivery, { connection: redis, prefix: bullPrefix(cfg) });
    await q.add('bridge.deliver', { x: 1 }, { delay: 60_000 });
    await q.add('bridge.deliver', { x: 2 });
    await q.close();
  });

  afterAll(async () => {
    await db?.$disconnect();
    await sql?.end();
    redis?.disconnect();
    await database?.drop();
  });

  it('reports job counts per queue and state and the outbox backlog', async () => {
    const m = createWorkerMetrics({ redis, sql }, cfg, TOKEN);
    try {
      const answer = await answerMetrics(m.metrics, `Bearer ${TOKEN}`);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toMatch(/^text\/plain/);
      const value = (name: string, labels: string) =>
        Number(new RegExp(`^${name}\\{${labels},app="worker"\\} ([0-9.e+]+)$`, 'm').exec(answer.body)?.[1]);
      expect(value('pocketping_queue_jobs', 'queue="bridge-delivery",state="waiting"')).toBe(1);
      expect(value('pocketping_queue_jobs', 'queue="bridge-delivery",state="delayed"')).toBe(1);
      expect(value('pocketping_queue_jobs', 'queue="bridge-inbound",state="waiting"')).toBe(0);
      expect(value('pocketping_outbox_pending', 'kind="bridge.deliver"')).toBe(3);
      expect(value('pocketping_outbox_oldest_pending_seconds', 'kind="bridge.deliver"')).toBeGreaterThanOrEqual(90);
      expect(answer.body).toMatch(/^pocketping_process_resident_memory_bytes\{app="worker"\} \d+/m);
    } finally {
      await m.close();
    }
  });

  it('answers only the bearer token, and does not exist without one configured', async () => {
    const m = createWorkerMetrics({ redis, sql }, cfg, TOKEN);
    try {
      for (const auth of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, TOKEN]) {
        const a = await answerMetrics(m.metrics, auth);
        expect({ auth, status: a.status, leaks: a.body.includes('pocketping_') }).toEqual({
          auth,
          status: 401,
          leaks: false,
        });
      }
    } finally {
      await m.close();
    }
    expect((await answerMetrics(createMetrics('worker', undefined), `Bearer ${TOKEN}`)).status).toBe(404);
  });
});
