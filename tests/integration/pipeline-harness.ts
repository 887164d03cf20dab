// Shared set-up of the pipeline integration tests: a fresh database, a private Redis prefix, the fake Telegram with
// two bots in two forum groups (two Telegram connections on one project, so mirroring between apps can be shown
// with what exists), the worker in-process, and a recorder on what it pushes to widgets.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createLogger, encryptSecret, parseKeyRing, sha256 } from '@pocketping/core';
import {
  appendMessage,
  bootstrapTenant,
  createConnection,
  createDb,
  createVisitor,
  getOrCreateOpenConversation,
  wantsVisitorFollowUp,
  type TConnection,
  type TDb,
} from '@pocketping/db';
import { createProducer, createRedis, createVisitorJobs, type TProducer } from '@pocketping/jobs';
import { ingestInboundEvent } from '@pocketping/inbound';
import type { TConversationEvent, TMessage } from '@pocketping/protocol';
import { createFileUrlSigner, createLocalStorage, type TStorage } from '@pocketping/storage';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  startFakeTelegram,
  testEncryptionKey,
  uniqueRedisPrefix,
  waitFor,
  type TFakeTelegram,
  type TTestDatabase,
} from '@pocketping/testkit';
import { startWorker, type TWorkerDeps, type TWorkerRuntime } from '../../apps/worker/src/runtime.js';
import { createVisitorFollowUp, createFollowUpGate } from '../../apps/realtime/src/widget/visitor-follow-up.js';

export interface TTelegramSide {
  connection: TConnection;
  botToken: string;
  chatId: number;
}

export interface THarness {
  db: TDb;
  telegram: TFakeTelegram;
  worker: TWorkerRuntime;
  producer: TProducer;
  storage: TStorage;
  organizationId: string;
  projectId: string;
  a: TTelegramSide;
  b: TTelegramSide;
  pushed: { messages: { conversationId: string; message: TMessage }[]; conversations: TConversationEvent[] };
  newConversation(metadata?: Record<string, unknown>): Promise<{ id: string; visitorId: string }>;
  visitorSays(
    conversationId: string,
    body: string,
    attachmentIds?: string[],
  ): Promise<Awaited<ReturnType<typeof appendMessage>>>;
  /** The topic of a conversation in a side's group, once the bridge opened it. */
  topicOf(side: TTelegramSide, conversationId: string): Promise<number>;
  /** A new conversation whose first visitor message is posted on both sides: its topics `ta` (a) and `tb` (b). */
  conversationWithTopics(): Promise<{ c: { id: string; visitorId: string }; ta: number; tb: number }>;
  /** A human writes in a topic; the update goes through the same path as the webhook (stored event + job). */
  operatorWrites(
    side: TTelegramSide,
    threadId: number,
    opts: { text?: string; editOf?: number; photo?: boolean; from?: { id: number; first_name: string } },
  ): Promise<{ messageId: number; eventId: string }>;
  botPosts(
    side: TTelegramSide,
    threadId: number,
  ): { messageId: number; text?: string; deleted: boolean; edited: boolean }[];
  /** The Redis config every worker of the harness shares (private prefix). */
  redis: { url: string; prefix: string };
  /** Another worker process's runtime on the same database and Redis (stopped by close()). */
  startExtraWorker(): Promise<TWorkerRuntime>;
  close(): Promise<void>;
}

const silent = createLogger('harness', 'silent');

export async function startHarness(
  opts: {
    groupPostsPerMinute?: number;
    ai?: TWorkerDeps['ai'];
    notifications?: TWorkerDeps['notifications'];
  } = {},
): Promise<THarness> {
  const database: TTestDatabase = await createTestDatabase();
  const db = createDb(database.url, { poolSize: 5 });
  const ring = parseKeyRing(testEncryptionKey());
  const redis = { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() };
  const telegram = await startFakeTelegram();
  const tokenA = `556001:${randomBytes(24).toString('base64url')}`;
  const tokenB = `556002:${randomBytes(24).toString('base64url')}`;
  telegram.addBot(tokenA);
  telegram.addBot(tokenB);
  const chatA = telegram.addForumChat({ title: 'Support A' }).id;
  const chatB = telegram.addForumChat({ title: 'Support B' }).id;
  const tenant = await bootstrapTenant(db, ring, {
    email: 'o@harness.test',
    orgName: 'Harness',
    allowedOrigins: ['https://site.test'],
    telegram: { botToken: tokenA, chatId: String(chatA) },
  });
  const organizationId = tenant.organization.id;
  const projectId = tenant.project.id;
  const connB = await createConnection(db, organizationId, {
    projectId,
    kind: 'telegram',
    sealedCredentials: encryptSecret(ring, JSON.stringify({ botToken: tokenB })),
    targetId: String(chatB),
  });
  const a: TTelegramSide = { connection: tenant.telegram!.connection, botToken: tokenA, chatId: chatA };
  const b: TTelegramSide = { connection: connB, botToken: tokenB, chatId: chatB };

  const storageDir = mkdtempSync(path.join(tmpdir(), 'pp-pipeline-'));
  const storage = createLocalStorage(storageDir);
  const producer = createProducer(redis);
  // What realtime does after a visitor message (its `visitorMessagePosted` follow-up): the AI timer's trigger.
  const visitorJobsRedis = createRedis(redis.url, 'producer');
  const visitorJobs = createVisitorJobs(visitorJobsRedis, redis);
  const visitorFollowUp = createVisitorFollowUp({
    wanted: createFollowUpGate((o, p) => wantsVisitorFollowUp(db, o, p), 0),
    visitorJobs,
  });
  const workerDeps = {
    databaseUrl: database.url,
    redis,
    keyRing: ring,
    bridges: { telegram: { apiRoot: telegram.apiRoot, groupPostsPerMinute: opts.groupPostsPerMinute ?? 100_000 } },
    concurrency: 20,
    sweepIntervalMs: 1_000,
    log: createLogger('worker-test', 'silent'),
    storage,
    fileUrls: createFileUrlSigner(ring, { baseUrl: 'http://realtime.test', ttlSeconds: 600 }),
    maxAttachmentBytes: 10 * 1024 * 1024,
    ...(opts.ai ? { ai: opts.ai } : {}),
    ...(opts.notifications ? { notifications: opts.notifications } : {}),
  };
  const worker = await startWorker(workerDeps);
  const extraWorkers: TWorkerRuntime[] = [];
  // Records what the worker pushes to widgets and still forwards it (the Redis emitter stays in the path).
  const pushed: THarness['pushed'] = { messages: [], conversations: [] };
  // Records what every worker pushes to widgets and still forwards it: the conversation actions push through this
  // object (ctx.conversations.widget is ctx.signals.push).
  const record = (w: TWorkerRuntime) => {
    const widget = w.ctx.conversations.widget;
    const realMessage = widget.message.bind(widget);
    widget.message = (conversationId, message) => {
      pushed.messages.push({ conversationId, message });
      realMessage(conversationId, message);
    };
    const realConversation = widget.conversation.bind(widget);
    widget.conversation = (event) => {
      pushed.conversations.push(event);
      realConversation(event);
    };
  };
  record(worker);

  const h: THarness = {
    db,
    telegram,
    worker,
    producer,
    storage,
    organizationId,
    projectId,
    a,
    b,
    pushed,
    redis,
    async newConversation(metadata = { pageUrl: 'https://site.test/pricing' }) {
      const visitor = await createVisitor(db, organizationId, {
        projectId,
        tokenHash: sha256(randomBytes(8).toString('hex')),
        metadata,
      });
      const c = await getOrCreateOpenConversation(db, organizationId, { projectId, visitorId: visitor.id });
      return { id: c.id, visitorId: visitor.id };
    },
    async visitorSays(conversationId, body, attachmentIds) {
      const r = await appendMessage(db, organizationId, {
        conversationId,
        sender: 'visitor',
        body,
        source: 'widget',
        clientId: `c-${randomBytes(6).toString('hex')}`,
        ...(attachmentIds ? { attachmentIds } : {}),
      });
      await producer.enqueueDeliveries(r.outbox);
      if (!r.duplicate)
        await visitorFollowUp({
          organizationId,
          projectId,
          conversationId,
          messageId: r.message.id,
          seq: r.message.seq,
        });
      return r;
    },
    async topicOf(side, conversationId) {
      return waitFor(
        async () => {
          const t = await db.bridgeThread.findFirst({
            where: { organizationId, conversationId, connectionId: side.connection.id },
          });
          return t ? Number(t.externalThreadId) : undefined;
        },
        { what: `topic of ${conversationId}`, timeoutMs: 15_000 },
      );
    },
    async conversationWithTopics() {
      const c = await this.newConversation();
      await this.visitorSays(c.id, `hello from ${c.id.slice(-5)}`);
      const [ta, tb] = await Promise.all([this.topicOf(a, c.id), this.topicOf(b, c.id)]);
      await waitFor(() => this.botPosts(a, ta).length === 1 && this.botPosts(b, tb).length === 1, {
        what: 'first message on both',
      });
      return { c, ta, tb };
    },
    async operatorWrites(side, threadId, o) {
      const { update } = await telegram.operatorWrites({ token: side.botToken, chatId: side.chatId, threadId, ...o });
      const u = update as {
        update_id: number;
        message?: { message_id: number };
        edited_message?: { message_id: number };
      };
      const ev = await ingestInboundEvent(
        { db, producer, log: silent },
        {
          organizationId,
          connectionId: side.connection.id,
          kind: 'telegram',
          externalId: String(u.update_id),
          payload: update,
        },
      );
      await waitFor(async () => (await db.inboundEvent.findUnique({ where: { id: ev.id } }))?.status !== 'pending', {
        what: 'inbound processed',
      });
      return { messageId: (u.message ?? u.edited_message)?.message_id ?? 0, eventId: ev.id };
    },
    botPosts(side, threadId) {
      return telegram
        .messages(side.chatId, threadId)
        .filter((m) => m.fromBot && !m.text?.startsWith('New conversation'));
    },
    async startExtraWorker() {
      const w = await startWorker(workerDeps);
      record(w);
      extraWorkers.push(w);
      return w;
    },
    async close() {
      for (const w of extraWorkers) await w.close();
      await worker.close();
      await producer.close();
      await visitorJobs.close();
      visitorJobsRedis.disconnect();
      await db.$disconnect();
      await telegram.close();
      await database.drop();
      rmSync(storageDir, { recursive: true, force: true });
    },
  };
  return h;
}
