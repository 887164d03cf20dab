// The outbound-webhook fault tests' stack: one tenant with one endpoint (message.created) pointing at a receiver on
// 127.0.0.1 that holds each request `delayMs` (so a fault lands while requests are open), a few conversations, the
// worker's environment, and the audit of what the receiver got.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
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

export interface TWebhookFault {
  db: TDb;
  organizationId: string;
  receiver: TWebhookReceiver;
  conversations: string[];
  workers: TAppProcess[];
  /** Starts one more worker process (the previous ones are left as they are). */
  startWorker(): Promise<TAppProcess>;
  /** Appends visitor message `n` of every conversation (body `c<i> m<n>`), for each n of `range`. */
  append(range: Iterable<number>): Promise<void>;
  /** Waits until `total` deliveries are recorded delivered, then checks what the receiver got; returns the figures. */
  expectAllDelivered(perConversation: number, timeoutMs: number): Promise<{ events: number; requests: number }>;
  close(): Promise<void>;
}

export async function startWebhookFault(opts: {
  redisUrl: string;
  conversations: number;
  receiverDelayMs: number;
}): Promise<TWebhookFault> {
  const database: TTestDatabase = await createTestDatabase();
  const db = createDb(database.url, { poolSize: 4 });
  const key = testEncryptionKey();
  const tenant = await bootstrapTenant(db, parseKeyRing(key), {
    email: 'o@fault-webhooks.test',
    orgName: 'Fault webhooks',
    allowedOrigins: [],
  });
  const organizationId = tenant.organization.id;
  const receiver = await startWebhookReceiver();
  receiver.delayMs = opts.receiverDelayMs;
  await createWebhookEndpoint({ db, keyRing: parseKeyRing(key), fetchAllow: ['127.0.0.1'] }, organizationId, {
    projectId: tenant.project.id,
    url: `${receiver.url}/hook`,
    events: ['message.created'],
  });
  const conversations: string[] = [];
  for (let i = 0; i < opts.conversations; i++) {
    const v = await createVisitor(db, organizationId, {
      projectId: tenant.project.id,
      tokenHash: sha256(randomBytes(8).toString('hex')),
      metadata: {},
    });
    conversations.push(
      (await getOrCreateOpenConversation(db, organizationId, { projectId: tenant.project.id, visitorId: v.id })).id,
    );
  }
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: opts.redisUrl,
    REDIS_PREFIX: uniqueRedisPrefix(),
    ENCRYPTION_KEY: key,
    WEBHOOK_FETCH_ALLOW: '127.0.0.1',
    WEBHOOK_RETRY_BASE_MS: '200',
    SWEEP_INTERVAL_MS: '1000',
    WORKER_CONCURRENCY: '10',
    TELEGRAM_UPDATES_MODE: 'webhook',
  };
  const workers: TAppProcess[] = [];

  return {
    db,
    organizationId,
    receiver,
    conversations,
    workers,
    async startWorker() {
      const w = await spawnApp('worker', { env, readyWhen: (s) => s.includes('worker started') });
      workers.push(w);
      return w;
    },
    async append(range) {
      for (const n of range)
        for (const [i, c] of conversations.entries())
          await appendMessage(db, organizationId, {
            conversationId: c,
            sender: 'visitor',
            body: `c${i} m${n}`,
            source: 'widget',
          });
    },
    async expectAllDelivered(perConversation, timeoutMs) {
      const total = conversations.length * perConversation;
      await waitFor(
        async () =>
          (await db.webhookDelivery.count({ where: { organizationId, status: 'delivered' } })) === total || undefined,
        { what: 'every delivery recorded', timeoutMs },
      );
      const events = await db.webhookDelivery.findMany({ where: { organizationId }, select: { eventId: true } });
      expect(events).toHaveLength(total);
      const received = receiver.received.map((r) => ({
        id: r.id,
        body: (JSON.parse(r.body) as { data: { message: { body: string } } }).data.message.body,
      }));
      // At least once: every event's webhook-id arrived; one id per event, whatever the number of attempts.
      const ids = new Set(received.map((r) => r.id));
      for (const e of events) expect(ids.has(e.eventId)).toBe(true);
      const byId = new Map<string, string>();
      for (const r of received) {
        expect(byId.get(r.id) ?? r.body).toBe(r.body); // a repeated id is the same event
        byId.set(r.id, r.body);
      }
      expect(byId.size).toBe(total);
      // In order per conversation (first arrival of each event).
      for (const [i] of conversations.entries()) {
        const firsts: string[] = [];
        for (const r of received) if (r.body.startsWith(`c${i} `) && !firsts.includes(r.body)) firsts.push(r.body);
        expect(firsts).toEqual(Array.from({ length: perConversation }, (_, n) => `c${i} m${n}`));
      }
      return { events: total, requests: received.length };
    },
    async close() {
      for (const w of workers) await w.stop().catch(() => undefined);
      await receiver.close();
      await db.$disconnect();
      await database.drop();
    },
  };
}
