// A small stack for the delivery fault tests: a fresh database, the fake Telegram, one tenant, and the worker as a
// real process (so it can be killed with SIGKILL), pointed at any Redis (the machine's, or a private one the test
// restarts). Visitor messages are written the way realtime writes them: one transaction, then the enqueue.
import { randomBytes } from 'node:crypto';
import { parseKeyRing, sha256 } from '@pocketping/core';
import { appendMessage, bootstrapTenant, createDb, createVisitor, getOrCreateOpenConversation, listMessagesAfter, type TDb } from '@pocketping/db';
import { createTestDatabase, spawnApp, startFakeTelegram, testEncryptionKey, uniqueRedisPrefix, waitFor, type TAppProcess, type TFakeTelegram, type TTestDatabase } from '@pocketping/testkit';
import { createProducer, type TProducer } from '../../packages/jobs/src/index.js';

export interface TFaultStack {
  db: TDb;
  telegram: TFakeTelegram;
  producer: TProducer;
  organizationId: string;
  chatId: number;
  conversations: string[];
  startWorker(): Promise<TAppProcess>;
  /** Commit + enqueue; an enqueue failure (Redis down) is ignored like realtime does: the sweeper covers it. */
  send(conversationId: string, body: string): Promise<void>;
  pending(): Promise<number>;
  /** Per conversation: what was stored vs. what the bot posted in its topic (coalesced posts split back). */
  audit(): Promise<{ lost: number; duplicates: number; outOfOrder: number; posted: number; stored: number }>;
  close(): Promise<void>;
}

export async function startFaultStack(opts: { redisUrl: string; conversations: number; telegramLatencyMs?: number; groupPostsPerMinute?: number }): Promise<TFaultStack> {
  const database: TTestDatabase = await createTestDatabase('pp_fault');
  const db = createDb(database.url, { poolSize: 10 });
  const key = testEncryptionKey();
  const telegram = await startFakeTelegram({ latencyMs: opts.telegramLatencyMs ?? 0 });
  const botToken = `558001:${randomBytes(24).toString('base64url')}`;
  telegram.addBot(botToken);
  const chatId = telegram.addForumChat({ title: 'Faults' }).id;
  const tenant = await bootstrapTenant(db, parseKeyRing(key), { email: 'f@fault.test', orgName: 'Fault', allowedOrigins: ['https://f.test'], telegram: { botToken, chatId: String(chatId) } });
  const organizationId = tenant.organization.id;
  const prefix = uniqueRedisPrefix();
  const producer = createProducer({ url: opts.redisUrl, prefix }, { timeoutMs: 500 });
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    REDIS_URL: opts.redisUrl,
    REDIS_PREFIX: prefix,
    ENCRYPTION_KEY: key,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_GROUP_POSTS_PER_MINUTE: String(opts.groupPostsPerMinute ?? 0),
    WORKER_CONCURRENCY: '20',
    SWEEP_INTERVAL_MS: '1000',
    LOG_LEVEL: 'info',
  };
  const conversations: string[] = [];
  for (let i = 0; i < opts.conversations; i++) {
    const v = await createVisitor(db, organizationId, { projectId: tenant.project.id, tokenHash: sha256(randomBytes(8).toString('hex')), metadata: {} });
    conversations.push((await getOrCreateOpenConversation(db, organizationId, { projectId: tenant.project.id, visitorId: v.id })).id);
  }
  const workers: TAppProcess[] = [];
  const stack: TFaultStack = {
    db, telegram, producer, organizationId, chatId, conversations,
    async startWorker() {
      const w = await spawnApp('worker', { env, readyWhen: (s) => s.includes('worker started') });
      workers.push(w);
      return w;
    },
    async send(conversationId, body) {
      const r = await appendMessage(db, organizationId, { conversationId, sender: 'visitor', body, source: 'widget', clientId: `f-${randomBytes(8).toString('hex')}` });
      await producer.enqueueDeliveries(r.outbox).catch(() => undefined);
    },
    pending: () => db.outboxEvent.count({ where: { organizationId, status: 'pending' } }),
    async audit() {
      let lost = 0;
      let duplicates = 0;
      let outOfOrder = 0;
      let posted = 0;
      let stored = 0;
      for (const c of conversations) {
        const bodies = (await listMessagesAfter(db, organizationId, c, 0, 1000)).messages.map((m) => m.body);
        stored += bodies.length;
        const thread = await db.bridgeThread.findFirst({ where: { organizationId, conversationId: c } });
        const posts = thread
          ? telegram.messages(chatId, Number(thread.externalThreadId)).filter((m) => m.fromBot && !m.text?.startsWith('New conversation')).flatMap((m) => (m.text ?? '').split('\n\n'))
          : [];
        posted += posts.length;
        const seen = new Set<string>();
        const firsts: string[] = [];
        for (const p of posts) {
          if (seen.has(p)) duplicates += 1;
          else {
            seen.add(p);
            firsts.push(p);
          }
        }
        lost += bodies.filter((b) => !seen.has(b)).length;
        if (firsts.join('\u0000') !== bodies.filter((b) => seen.has(b)).join('\u0000')) outOfOrder += 1;
      }
      return { lost, duplicates, outOfOrder, posted, stored };
    },
    async close() {
      await Promise.allSettled(workers.map((w) => w.stop()));
      await producer.close();
      await db.$disconnect();
      await telegram.close();
      await database.drop();
    },
  };
  return stack;
}

/** Sends `perConversation` numbered messages in every conversation, conversations in parallel, each in order. */
export async function burst(stack: TFaultStack, perConversation: number, label: string): Promise<void> {
  await Promise.all(stack.conversations.map(async (c, ci) => {
    for (let i = 1; i <= perConversation; i++) await stack.send(c, `${label} c${ci} #${i}`);
  }));
}

export async function drained(stack: TFaultStack, timeoutMs = 90_000): Promise<void> {
  await waitFor(async () => (await stack.pending()) === 0, { timeoutMs, intervalMs: 200, what: 'every outbox row delivered' });
}
