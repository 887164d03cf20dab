// The delivery pipeline in one process against the real Postgres and Redis and the fake Telegram: ordering,
// rate limits, a deleted topic, a revoked token — zero lost and zero duplicated messages each time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createLogger, parseKeyRing, sha256 } from '@pocketping/core';
import {
  appendMessage,
  bootstrapTenant,
  createDb,
  getConnection,
  getOrCreateOpenConversation,
  createVisitor,
  recordInboundEvent,
  listMessagesAfter,
  saveBridgeThread,
  type TDb,
} from '@pocketping/db';
import { createProducer, type TProducer } from '@pocketping/jobs';
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
import { startWorker, type TWorkerRuntime } from '../../apps/worker/src/runtime.js';

describe('delivery pipeline (worker in-process)', () => {
  let database: TTestDatabase;
  let db: TDb;
  let telegram: TFakeTelegram;
  let worker: TWorkerRuntime;
  let producer: TProducer;
  const key = testEncryptionKey();
  const ring = parseKeyRing(key);
  const redis = { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() };
  const botToken = `555001:${randomBytes(24).toString('base64url')}`;
  let chatId: number;
  let tenant: Awaited<ReturnType<typeof bootstrapTenant>>;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDb(database.url, { poolSize: 5 });
    telegram = await startFakeTelegram();
    telegram.addBot(botToken);
    chatId = telegram.addForumChat({ botIsAdmin: true, canManageTopics: true }).id;
    tenant = await bootstrapTenant(db, ring, {
      email: 'o@pipeline.test',
      orgName: 'Pipeline',
      allowedOrigins: ['https://site.test'],
      telegram: { botToken, chatId: String(chatId) },
    });
    producer = createProducer(redis);
    worker = await startWorker({
      databaseUrl: database.url,
      redis,
      keyRing: ring,
      // The per-group token bucket has its own test (pipeline-rate-limit.test.ts); here it must not pace the bursts.
      bridges: { telegram: { apiRoot: telegram.apiRoot, groupPostsPerMinute: 100_000 } },
      concurrency: 20,
      sweepIntervalMs: 1_000,
      log: createLogger('worker-test', 'silent'),
    });
  });

  afterAll(async () => {
    await worker?.close();
    await producer?.close();
    await db?.$disconnect();
    await telegram?.close();
    await database?.drop();
  });

  async function newConversation() {
    const visitor = await createVisitor(db, tenant.organization.id, {
      projectId: tenant.project.id,
      tokenHash: sha256(randomBytes(8).toString('hex')),
      metadata: { pageUrl: 'https://site.test/pricing' },
    });
    return getOrCreateOpenConversation(db, tenant.organization.id, {
      projectId: tenant.project.id,
      visitorId: visitor.id,
    });
  }

  async function visitorSays(conversationId: string, body: string) {
    const r = await appendMessage(db, tenant.organization.id, {
      conversationId,
      sender: 'visitor',
      body,
      source: 'widget',
      clientId: `c-${randomBytes(6).toString('hex')}`,
    });
    await producer.enqueueDeliveries(r.outbox);
    return r;
  }

  const postsIn = (threadId: number) =>
    telegram.messages(chatId, threadId).filter((m) => m.fromBot && !m.text?.startsWith('New conversation'));

  it('delivers a burst from several conversations in per-conversation order, each message once', async () => {
    const convs = await Promise.all([newConversation(), newConversation(), newConversation()]);
    const sends: Promise<unknown>[] = [];
    for (let i = 1; i <= 10; i++) for (const c of convs) sends.push(visitorSays(c.id, `${c.id.slice(-4)} #${i}`));
    await Promise.all(sends);
    for (const c of convs) {
      const threadId = await waitFor(
        async () => {
          const t = telegram
            .topics(chatId)
            .find((topic) =>
              telegram.messages(chatId, topic.threadId).some((m) => m.text?.startsWith(`${c.id.slice(-4)} #`)),
            );
          return t && postsIn(t.threadId).length >= 10 ? t.threadId : undefined;
        },
        { what: `10 posts for ${c.id}`, timeoutMs: 20_000 },
      );
      // Appends within a conversation are serialised by the seq row lock, so seq order = commit order; the posts
      // must follow seq order exactly.
      const stored = await listMessagesAfter(db, tenant.organization.id, c.id, 0, 100);
      expect(postsIn(threadId).map((m) => m.text)).toEqual(stored.messages.map((m) => m.body));
    }
    expect(
      telegram
        .topics(chatId)
        .filter((t) =>
          convs.some((c) => telegram.messages(chatId, t.threadId).some((m) => m.text?.startsWith(c.id.slice(-4)))),
        ),
    ).toHaveLength(3);
  });

  it('obeys a 429 retry_after without losing or reordering', async () => {
    const c = await newConversation();
    await visitorSays(c.id, 'first');
    const threadId = await waitFor(
      () =>
        telegram.topics(chatId).find((t) => telegram.messages(chatId, t.threadId).some((m) => m.text === 'first'))
          ?.threadId,
      { what: 'first post' },
    );
    telegram.failNext(
      'sendMessage',
      { errorCode: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 },
      2,
    );
    const t0 = Date.now();
    await visitorSays(c.id, 'second');
    await visitorSays(c.id, 'third');
    // After a 429 the pair has waited, so its backlog may be coalesced into one post (blank-line separated).
    const texts = () => postsIn(threadId).flatMap((m) => (m.text ?? '').split('\n\n'));
    await waitFor(() => texts().length === 3, { what: 'three messages posted', timeoutMs: 15_000 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_000);
    expect(texts()).toEqual(['first', 'second', 'third']);
  });

  it('recreates a deleted topic and carries on', async () => {
    const c = await newConversation();
    await visitorSays(c.id, 'before delete');
    const oldThread = await waitFor(
      () =>
        telegram
          .topics(chatId)
          .find((t) => telegram.messages(chatId, t.threadId).some((m) => m.text === 'before delete'))?.threadId,
      { what: 'first topic' },
    );
    telegram.deleteTopic(chatId, oldThread);
    await visitorSays(c.id, 'after delete');
    const newThread = await waitFor(
      () =>
        telegram
          .topics(chatId)
          .find(
            (t) =>
              t.threadId !== oldThread && telegram.messages(chatId, t.threadId).some((m) => m.text === 'after delete'),
          )?.threadId,
      { what: 'recreated topic' },
    );
    expect(newThread).not.toBe(oldThread);
    expect(telegram.messages(chatId).filter((m) => m.text === 'after delete')).toHaveLength(1);
  });

  it('a revoked token marks the connection broken with a readable reason, keeps messages queued, and delivers once fixed', async () => {
    const c = await newConversation();
    telegram.revokeToken(botToken);
    await visitorSays(c.id, 'while revoked');
    const connectionId = tenant.telegram!.connection.id;
    const broken = await waitFor(
      async () => {
        const conn = await getConnection(db, tenant.organization.id, connectionId);
        return conn?.status === 'broken' ? conn : undefined;
      },
      { what: 'broken status', timeoutMs: 15_000 },
    );
    expect(broken.statusReason).toMatch(/token was revoked/i);
    const pending = await db.outboxEvent.count({
      where: { organizationId: tenant.organization.id, status: 'pending' },
    });
    expect(pending).toBeGreaterThanOrEqual(1);
    // The owner fixes the bot (here: the fake accepts the token again); the queued message goes out once.
    telegram.restoreToken(botToken);
    await waitFor(() => telegram.messages(chatId).some((m) => m.text === 'while revoked'), {
      what: 'delivery after fix',
      timeoutMs: 30_000,
    });
    await waitFor(async () => (await getConnection(db, tenant.organization.id, connectionId))?.status === 'active', {
      what: 'active again',
    });
    expect(telegram.messages(chatId).filter((m) => m.text === 'while revoked')).toHaveLength(1);
  });

  it('an inbound update becomes one operator message even when processed twice', async () => {
    const c = await newConversation();
    await visitorSays(c.id, 'question');
    const threadId = await waitFor(
      () =>
        telegram.topics(chatId).find((t) => telegram.messages(chatId, t.threadId).some((m) => m.text === 'question'))
          ?.threadId,
      { what: 'topic' },
    );
    const update = {
      update_id: 700001,
      message: {
        message_id: 9001,
        message_thread_id: threadId,
        is_topic_message: true,
        from: { id: 5, is_bot: false, first_name: 'Sarah' },
        chat: { id: chatId, type: 'supergroup', is_forum: true },
        date: 1,
        text: 'answer',
      },
    };
    const first = await recordInboundEvent(db, tenant.organization.id, {
      connectionId: tenant.telegram!.connection.id,
      externalId: '700001',
      payload: update,
    });
    const again = await recordInboundEvent(db, tenant.organization.id, {
      connectionId: tenant.telegram!.connection.id,
      externalId: '700001',
      payload: update,
    });
    expect(again).toEqual({ id: first.id, duplicate: true });
    await producer.enqueueInbound({ organizationId: tenant.organization.id, inboundEventId: first.id });
    await waitFor(
      async () =>
        (await listMessagesAfter(db, tenant.organization.id, c.id, 0, 10)).messages.some((m) => m.body === 'answer'),
      { what: 'operator message' },
    );
    // A second event row for the same platform message (e.g. another update id carrying it) is still one message.
    const other = await recordInboundEvent(db, tenant.organization.id, {
      connectionId: tenant.telegram!.connection.id,
      externalId: '700002',
      payload: { ...update, update_id: 700002 },
    });
    await producer.enqueueInbound({ organizationId: tenant.organization.id, inboundEventId: other.id });
    await waitFor(async () => (await db.inboundEvent.findUnique({ where: { id: other.id } }))?.status === 'done', {
      what: 'second event processed',
    });
    const messages = (await listMessagesAfter(db, tenant.organization.id, c.id, 0, 10)).messages;
    expect(messages.filter((m) => m.body === 'answer')).toHaveLength(1);
    expect(messages.find((m) => m.body === 'answer')).toMatchObject({
      sender: 'operator',
      authorName: 'Sarah',
      source: 'telegram',
    });
  });

  it('a reply in a thread not recorded yet waits for the record; an old event about an unknown thread is ignored', async () => {
    const org = tenant.organization.id;
    const connectionId = tenant.telegram!.connection.id;
    const updateIn = (updateId: number, threadId: number, text: string) => ({
      update_id: updateId,
      message: {
        message_id: updateId,
        message_thread_id: threadId,
        is_topic_message: true,
        from: { id: 5, is_bot: false, first_name: 'Sarah' },
        chat: { id: chatId, type: 'supergroup', is_forum: true },
        date: 1,
        text,
      },
    });
    // The platform has answered the post that opened topic 424242, but the worker has not committed its row yet:
    // the operator's instant reply must not be dropped as "a thread of no conversation".
    const c = await newConversation();
    const early = await recordInboundEvent(db, org, {
      connectionId,
      externalId: '710001',
      payload: updateIn(710001, 424242, 'instant answer'),
    });
    await producer.enqueueInbound({ organizationId: org, inboundEventId: early.id });
    await new Promise((r) => setTimeout(r, 400));
    expect((await db.inboundEvent.findUnique({ where: { id: early.id } }))?.status).toBe('pending');
    await saveBridgeThread(db, org, {
      conversationId: c.id,
      connectionId,
      externalChatId: String(chatId),
      externalThreadId: '424242',
    });
    const stored = await waitFor(
      async () => (await listMessagesAfter(db, org, c.id, 0, 10)).messages.find((m) => m.body === 'instant answer'),
      { what: 'early reply stored' },
    );
    expect(stored).toMatchObject({ sender: 'operator', authorName: 'Sarah', source: 'telegram' });
    // The event is marked done after the message's follow-ups (pushes, the AI stop), so a moment after the message.
    const finished = await waitFor(
      async () => {
        const r = await db.inboundEvent.findUnique({ where: { id: early.id } });
        return r?.status === 'pending' ? undefined : r;
      },
      { what: 'early event finished', timeoutMs: 5_000 },
    );
    expect(finished.status).toBe('done');

    // Past the grace period, a message in a topic of no conversation (a human chat in the group) is ignored, once.
    const stray = await recordInboundEvent(db, org, {
      connectionId,
      externalId: '710002',
      payload: updateIn(710002, 434343, 'just chatting'),
    });
    await db.$executeRaw`UPDATE "InboundEvent" SET "createdAt" = now() - interval '1 minute' WHERE id = ${stray.id}`;
    await producer.enqueueInbound({ organizationId: org, inboundEventId: stray.id });
    const row = await waitFor(
      async () => {
        const r = await db.inboundEvent.findUnique({ where: { id: stray.id } });
        return r?.status === 'pending' ? undefined : r;
      },
      { what: 'stray event finished', timeoutMs: 5_000 },
    );
    expect(row).toMatchObject({ status: 'ignored', lastError: 'thread of no known conversation', attempts: 1 });
  });

  it('a commit whose enqueue never happened is delivered by the sweeper', async () => {
    const c = await newConversation();
    // Stored with its outbox row, but no job added: what a crash right after commit leaves behind.
    await appendMessage(db, tenant.organization.id, {
      conversationId: c.id,
      sender: 'visitor',
      body: 'orphaned by a crash',
      source: 'widget',
      clientId: 'crash-000001',
    });
    await waitFor(() => telegram.messages(chatId).some((m) => m.text === 'orphaned by a crash'), {
      what: 'sweeper delivery',
      timeoutMs: 15_000,
    });
  });
});
