// kill -9 of the worker PROCESS while webhooks are in flight; a fresh worker takes over. Every event must reach the
// receiver at least once, in order per conversation, and a re-sent event carries the same `webhook-id` as the
// attempt the kill cut off (so receivers dedupe on it). The receiver holds each request 150 ms so kills land while
// requests are open.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyRing, sha256 } from '@pocketping/core';
import {
  appendMessage,
  bootstrapTenant,
  createDb,
  createVisitor,
  getOrCreateOpenConversation,
  type TDb,
} from '@pocketping/db';
import { createWebhookEndpoint } from '@pocketping/webhooks';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  spawnApp,
  startWebhookReceiver,
  testEncryptionKey,
  uniqueRedisPrefix,
  waitFor,
  type TAppProcess,
  type TTestDatabase,
  type TWebhookReceiver,
} from '@pocketping/testkit';

const CONVERSATIONS = 6;
const PER_CONVERSATION = 8;

describe('fault: worker killed with SIGKILL during webhook delivery', () => {
  let database: TTestDatabase;
  let db: TDb;
  let receiver: TWebhookReceiver;
  let env: Record<string, string>;
  const workers: TAppProcess[] = [];
  const conversations: string[] = [];
  let organizationId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDb(database.url, { poolSize: 4 });
    const key = testEncryptionKey();
    const tenant = await bootstrapTenant(db, parseKeyRing(key), {
      email: 'o@fault-webhooks.test',
      orgName: 'Fault webhooks',
      allowedOrigins: [],
    });
    organizationId = tenant.organization.id;
    receiver = await startWebhookReceiver();
    receiver.delayMs = 150;
    await createWebhookEndpoint({ db, keyRing: parseKeyRing(key), fetchAllow: ['127.0.0.1'] }, organizationId, {
      projectId: tenant.project.id,
      url: `${receiver.url}/hook`,
      events: ['message.created'],
    });
    for (let i = 0; i < CONVERSATIONS; i++) {
      const v = await createVisitor(db, organizationId, {
        projectId: tenant.project.id,
        tokenHash: sha256(randomBytes(8).toString('hex')),
        metadata: {},
      });
      conversations.push(
        (await getOrCreateOpenConversation(db, organizationId, { projectId: tenant.project.id, visitorId: v.id })).id,
      );
    }
    env = {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: uniqueRedisPrefix(),
      ENCRYPTION_KEY: key,
      WEBHOOK_FETCH_ALLOW: '127.0.0.1',
      WEBHOOK_RETRY_BASE_MS: '200',
      SWEEP_INTERVAL_MS: '1000',
      WORKER_CONCURRENCY: '10',
      TELEGRAM_UPDATES_MODE: 'webhook',
    };
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) await w.stop().catch(() => undefined);
    await receiver?.close();
    await db?.$disconnect();
    await database?.drop();
  });

  it('loses no event, keeps order per conversation, and re-sends with the same webhook-id', async () => {
    workers.push(await spawnApp('worker', { env, readyWhen: (s) => s.includes('worker started') }));
    for (let n = 0; n < PER_CONVERSATION; n++)
      for (const [i, c] of conversations.entries())
        await appendMessage(db, organizationId, {
          conversationId: c,
          sender: 'visitor',
          body: `c${i} m${n}`,
          source: 'widget',
        });
    // Two kills while requests are in flight, each followed by a fresh worker.
    for (const atLeast of [6, 18]) {
      await waitFor(() => receiver.received.length >= atLeast || undefined, {
        what: `${atLeast} webhooks`,
        timeoutMs: 30_000,
      });
      await workers.at(-1)!.kill();
      workers.push(await spawnApp('worker', { env, readyWhen: (s) => s.includes('worker started') }));
    }
    const total = CONVERSATIONS * PER_CONVERSATION;
    await waitFor(
      async () =>
        (await db.webhookDelivery.count({ where: { organizationId, status: 'delivered' } })) === total || undefined,
      { what: 'every delivery recorded', timeoutMs: 90_000 },
    );
    const events = await db.webhookDelivery.findMany({ where: { organizationId }, select: { eventId: true } });
    const received = receiver.received.map((r) => ({
      id: r.id,
      body: JSON.parse(r.body) as { data: { message: { body: string } } },
    }));
    // At least once: every event's webhook-id arrived; one id per event, whatever the number of attempts.
    const ids = new Set(received.map((r) => r.id));
    for (const e of events) expect(ids.has(e.eventId)).toBe(true);
    const byId = new Map<string, string>();
    for (const r of received) {
      const body = r.body.data.message.body as string;
      expect(byId.get(r.id) ?? body).toBe(body); // a repeated id is the same event
      byId.set(r.id, body);
    }
    expect(byId.size).toBe(total);
    // In order per conversation (first arrival of each event).
    for (const [i] of conversations.entries()) {
      const firsts: string[] = [];
      for (const r of received) {
        const b = r.body.data.message.body as string;
        if (b.startsWith(`c${i} `) && !firsts.includes(b)) firsts.push(b);
      }
      expect(firsts).toEqual(Array.from({ length: PER_CONVERSATION }, (_, n) => `c${i} m${n}`));
    }
    console.warn(
      `webhook kill test: ${total} events, ${received.length} requests received, ${received.length - total} re-sent after a kill (same webhook-id)`,
    );
  }, 180_000);
});
