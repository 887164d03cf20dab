// A worker killed while its Slack post is in flight leaves a post Slack has and the database does not know about.
// Slack posts carry our message id as metadata and the pair keeps a "posting" marker in Redis, so the next drain
// looks for that post (conversations.replies) and records it instead of posting again. The crash is staged exactly:
// the post is sent through the worker's own bridge and the marker set, the outbox row left pending.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, encryptSecret, parseKeyRing, sha256 } from '@pocketping/core';
import {
  appendMessage,
  bootstrapTenant,
  createAttachment,
  createConnection,
  createDb,
  createVisitor,
  getOrCreateOpenConversation,
  type TDb,
} from '@pocketping/db';
import { getBridge } from '@pocketping/bridges';
import { createProducer, type TProducer } from '@pocketping/jobs';
import { createFileUrlSigner, createLocalStorage, type TStorage } from '@pocketping/storage';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  startFakeSlack,
  testEncryptionKey,
  uniqueRedisPrefix,
  waitFor,
  type TFakeSlack,
  type TTestDatabase,
} from '@pocketping/testkit';
import { startWorker, type TWorkerRuntime } from '../../apps/worker/src/runtime.js';

describe('Slack: the post of an interrupted delivery is found, not posted twice', () => {
  let database: TTestDatabase;
  let db: TDb;
  let slack: TFakeSlack;
  let worker: TWorkerRuntime;
  let producer: TProducer;
  let organizationId: string;
  let projectId: string;
  let connectionId: string;
  let channel: string;
  let credentials: Record<string, string>;
  let storage: TStorage;
  let storageDir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDb(database.url, { poolSize: 5 });
    const ring = parseKeyRing(testEncryptionKey());
    const redis = { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() };
    slack = await startFakeSlack();
    const teamId = slack.addTeam({ name: 'Acme' }).id;
    const bot = slack.addBot({ teamId });
    channel = slack.addChannel({ teamId, name: 'support', members: [bot.botUserId] }).id;
    credentials = { botToken: bot.token, teamId, botUserId: bot.botUserId, botId: bot.botId };
    const tenant = await bootstrapTenant(db, ring, {
      email: 's@interrupted.test',
      orgName: 'Interrupted',
      allowedOrigins: ['https://i.test'],
    });
    organizationId = tenant.organization.id;
    projectId = tenant.project.id;
    connectionId = (
      await createConnection(db, organizationId, {
        projectId,
        kind: 'slack',
        sealedCredentials: encryptSecret(ring, JSON.stringify(credentials)),
        targetId: channel,
        targetScope: teamId,
      })
    ).id;
    producer = createProducer(redis);
    storageDir = mkdtempSync(path.join(tmpdir(), 'pp-slack-interrupted-'));
    storage = createLocalStorage(storageDir);
    worker = await startWorker({
      databaseUrl: database.url,
      redis,
      keyRing: ring,
      bridges: { telegram: { apiRoot: 'http://127.0.0.1:9' }, slack: { apiUrl: slack.apiUrl } },
      concurrency: 5,
      sweepIntervalMs: 60_000,
      log: createLogger('worker-test', 'silent'),
      storage,
      fileUrls: createFileUrlSigner(ring, { baseUrl: 'http://realtime.test', ttlSeconds: 600 }),
      maxAttachmentBytes: 1024 * 1024,
    });
  });
  afterAll(async () => {
    await worker?.close();
    await producer?.close();
    await db?.$disconnect();
    await slack?.close();
    await database?.drop();
    if (storageDir) rmSync(storageDir, { recursive: true, force: true });
  });

  /** A conversation whose Slack thread exists (its first message delivered normally). */
  async function conversationWithThread(): Promise<{ conversationId: string; threadTs: string }> {
    const visitor = await createVisitor(db, organizationId, {
      projectId,
      tokenHash: sha256(randomBytes(8).toString('hex')),
      metadata: {},
    });
    const conversationId = (await getOrCreateOpenConversation(db, organizationId, { projectId, visitorId: visitor.id }))
      .id;
    const first = await appendMessage(db, organizationId, {
      conversationId,
      sender: 'visitor',
      body: 'hello',
      source: 'widget',
      clientId: `c-${randomBytes(6).toString('hex')}`,
    });
    await producer.enqueueDeliveries(first.outbox);
    const thread = await waitFor(
      () => db.bridgeThread.findFirst({ where: { organizationId, conversationId, connectionId } }),
      { what: 'slack thread' },
    );
    await waitFor(
      async () => (await db.outboxEvent.findUnique({ where: { id: first.outbox[0]!.id } }))?.status === 'done',
      { what: 'first delivered' },
    );
    return { conversationId, threadTs: thread.externalThreadId };
  }

  /** A committed message whose job has not run yet (the dead worker had taken it). */
  async function pendingMessage(conversationId: string, body: string) {
    return appendMessage(db, organizationId, {
      conversationId,
      sender: 'visitor',
      body,
      source: 'widget',
      clientId: `c-${randomBytes(6).toString('hex')}`,
    });
  }

  const posts = (threadTs: string, body: string) =>
    slack.messages(channel, threadTs).filter((m) => m.botId && m.threadTs === threadTs && m.text === body);
  const done = async (outboxId: string) =>
    waitFor(async () => (await db.outboxEvent.findUnique({ where: { id: outboxId } }))?.status === 'done', {
      what: 'outbox row done',
    });
  const pairKey = (conversationId: string) => `${connectionId}:${conversationId}`;

  it('the post reached Slack before the kill: the next drain records it and posts nothing', async () => {
    const { conversationId, threadTs } = await conversationWithThread();
    const m = await pendingMessage(conversationId, 'sent just before the crash');
    const outboxId = m.outbox[0]!.id;
    // What the dead worker did: marker, then the post (its answer lost with the process).
    await worker.ctx.lock.markPosting(pairKey(conversationId), outboxId);
    const bridge = getBridge(worker.ctx.bridges, 'slack');
    const target = { connectionId, credentials, targetId: channel, targetScope: null };
    const sent = await bridge.send(
      target,
      { externalChatId: channel, externalThreadId: threadTs },
      {
        messageId: m.message.id,
        seq: m.message.seq,
        sender: 'visitor',
        authorName: null,
        body: 'sent just before the crash',
        source: 'widget',
        visibility: 'public',
      },
    );

    await producer.enqueueDeliveries(m.outbox);
    await done(outboxId);
    expect(posts(threadTs, 'sent just before the crash')).toHaveLength(1);
    const mapping = await db.bridgeMessage.findFirst({
      where: { organizationId, messageId: m.message.id, connectionId },
    });
    expect(mapping?.externalMessageId).toBe(sent.externalMessageId);
    const lookup = slack.callsOf('conversations.replies').at(-1)?.params;
    expect(lookup).toMatchObject({ channel, ts: threadTs });
    expect(String(lookup?.include_all_metadata)).toBe('true');

    // The next message of the pair goes out normally, once.
    const next = await pendingMessage(conversationId, 'after the recovery');
    await producer.enqueueDeliveries(next.outbox);
    await done(next.outbox[0]!.id);
    expect(posts(threadTs, 'after the recovery')).toHaveLength(1);
  });

  it('the kill came before the post reached Slack: the drain finds nothing and posts it once', async () => {
    const { conversationId, threadTs } = await conversationWithThread();
    const m = await pendingMessage(conversationId, 'never reached Slack');
    await worker.ctx.lock.markPosting(pairKey(conversationId), m.outbox[0]!.id);
    const lookups = slack.callsOf('conversations.replies').length;
    await producer.enqueueDeliveries(m.outbox);
    await done(m.outbox[0]!.id);
    expect(posts(threadTs, 'never reached Slack')).toHaveLength(1);
    expect(slack.callsOf('conversations.replies').length).toBe(lookups + 1);
  });

  it('the kill came while the thread was being opened: the next drain finds the parent post and opens no second one', async () => {
    const visitor = await createVisitor(db, organizationId, {
      projectId,
      tokenHash: sha256(randomBytes(8).toString('hex')),
      metadata: {},
    });
    const conversationId = (await getOrCreateOpenConversation(db, organizationId, { projectId, visitorId: visitor.id }))
      .id;
    const m = await pendingMessage(conversationId, 'first words');
    // What the dead worker did: marker, then the parent post (its answer, and the thread row, lost with it).
    await worker.ctx.lock.markPosting(pairKey(conversationId), 'thread');
    const bridge = getBridge(worker.ctx.bridges, 'slack');
    const opened = await bridge.ensureThread(
      { connectionId, credentials, targetId: channel, targetScope: null },
      {
        conversationId,
        visitorName: null,
        visitorEmail: null,
        pageUrl: null,
        referrer: null,
        userAgent: null,
        location: null,
      },
    );
    const parents = () =>
      slack
        .messages(channel)
        .filter(
          (x) => x.botId && x.threadTs === undefined && x.metadata?.event_payload.conversation_id === conversationId,
        );
    expect(parents()).toHaveLength(1);

    await producer.enqueueDeliveries(m.outbox);
    await done(m.outbox[0]!.id);
    expect(parents()).toHaveLength(1);
    expect(
      (await db.bridgeThread.findFirst({ where: { organizationId, conversationId, connectionId } }))?.externalThreadId,
    ).toBe(opened.externalThreadId);
    expect(posts(opened.externalThreadId, 'first words')).toHaveLength(1);
  });

  it('a lookup Slack refuses (an install without the history scope) does not stop delivery; no marker, no lookup', async () => {
    const { conversationId, threadTs } = await conversationWithThread();
    const m = await pendingMessage(conversationId, 'despite the refused lookup');
    await worker.ctx.lock.markPosting(pairKey(conversationId), m.outbox[0]!.id);
    slack.failNext('conversations.replies', { error: 'missing_scope' });
    await producer.enqueueDeliveries(m.outbox);
    await done(m.outbox[0]!.id);
    expect(posts(threadTs, 'despite the refused lookup')).toHaveLength(1);
    expect((await db.bridgeConnection.findUnique({ where: { id: connectionId } }))?.status).toBe('active');

    // An ordinary delivery (no marker naming its row) never reads the thread back.
    const lookups = slack.callsOf('conversations.replies').length;
    const plain = await pendingMessage(conversationId, 'ordinary');
    await producer.enqueueDeliveries(plain.outbox);
    await done(plain.outbox[0]!.id);
    expect(slack.callsOf('conversations.replies').length).toBe(lookups);
  });

  /** A committed visitor message carrying one stored file and no text (a single upload step). */
  async function pendingFileMessage(conversationId: string, name: string) {
    const bytes = Buffer.from(`%PDF-1.4\n% ${name} ${randomBytes(8).toString('hex')}\n`);
    const key = `att/${organizationId}/${conversationId}/${randomBytes(8).toString('hex')}`;
    await storage.put(key, bytes, {
      contentType: 'application/pdf',
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    const att = await createAttachment(db, organizationId, {
      conversationId,
      uploadedBy: 'visitor',
      name,
      contentType: 'application/pdf',
      size: bytes.length,
      sha256: 'x',
      storageKey: key,
    });
    const m = await appendMessage(db, organizationId, {
      conversationId,
      sender: 'visitor',
      body: '',
      source: 'widget',
      clientId: `f-${randomBytes(6).toString('hex')}`,
      attachmentIds: [att.id],
    });
    return { m, file: { name, contentType: 'application/pdf', size: bytes.length, data: bytes } };
  }
  const shares = (threadTs: string, name: string) =>
    slack
      .messages(channel, threadTs)
      .filter(
        (x) =>
          x.botId &&
          x.threadTs === threadTs &&
          (x.files ?? []).some((id) => slack.files().find((f) => f.id === id)?.name === name),
      );

  it('a file shared before the kill: the next drain finds the upload (files.info) and uploads nothing', async () => {
    const { conversationId, threadTs } = await conversationWithThread();
    const { m, file } = await pendingFileMessage(conversationId, 'shared-before-kill.pdf');
    const partId = `${m.outbox[0]!.id}#0`;
    // What the dead worker did: marker, upload (the file id kept in the marker), share — its answer lost.
    await worker.ctx.lock.markPosting(pairKey(conversationId), partId);
    const bridge = getBridge(worker.ctx.bridges, 'slack');
    const target = { connectionId, credentials, targetId: channel, targetScope: null };
    const sent = await bridge.sendAttachment!(
      target,
      { externalChatId: channel, externalThreadId: threadTs },
      file,
      {
        messageId: m.message.id,
        seq: m.message.seq,
        sender: 'visitor',
        authorName: null,
        body: '',
        source: 'widget',
        visibility: 'public',
      },
      { onPending: (ref) => worker.ctx.lock.markPosting(pairKey(conversationId), partId, ref) },
    );
    expect(shares(threadTs, 'shared-before-kill.pdf')).toHaveLength(1);
    const uploads = slack.callsOf('files.getUploadURLExternal').length;

    await producer.enqueueDeliveries(m.outbox);
    await done(m.outbox[0]!.id);
    expect(shares(threadTs, 'shared-before-kill.pdf')).toHaveLength(1);
    expect(slack.callsOf('files.getUploadURLExternal').length).toBe(uploads);
    expect(slack.callsOf('files.info').at(-1)?.params).toMatchObject({ file: sent.externalMessageId });
    const mapping = await db.bridgeMessage.findFirst({
      where: { organizationId, messageId: m.message.id, connectionId },
    });
    expect(mapping?.externalMessageId).toBe(sent.externalMessageId);
  });

  it('killed between the upload and its share: the file is uploaded again and shared once', async () => {
    const { conversationId, threadTs } = await conversationWithThread();
    const { m, file } = await pendingFileMessage(conversationId, 'never-shared.pdf');
    const partId = `${m.outbox[0]!.id}#0`;
    await worker.ctx.lock.markPosting(pairKey(conversationId), partId);
    const bridge = getBridge(worker.ctx.bridges, 'slack');
    const target = { connectionId, credentials, targetId: channel, targetScope: null };
    // The process "dies" right after Slack issued the file id: no bytes, no share.
    await expect(
      bridge.sendAttachment!(
        target,
        { externalChatId: channel, externalThreadId: threadTs },
        file,
        {
          messageId: m.message.id,
          seq: m.message.seq,
          sender: 'visitor',
          authorName: null,
          body: '',
          source: 'widget',
          visibility: 'public',
        },
        {
          onPending: async (ref) => {
            await worker.ctx.lock.markPosting(pairKey(conversationId), partId, ref);
            throw new Error('killed');
          },
        },
      ),
    ).rejects.toThrow('killed');
    const abandoned = (await worker.ctx.lock.postingMark(pairKey(conversationId), partId))?.ref;
    expect(abandoned).toMatch(/^F/);

    await producer.enqueueDeliveries(m.outbox);
    await done(m.outbox[0]!.id);
    expect(shares(threadTs, 'never-shared.pdf')).toHaveLength(1);
    expect(slack.callsOf('files.info').at(-1)?.params).toMatchObject({ file: abandoned });
    const mapping = await db.bridgeMessage.findFirst({
      where: { organizationId, messageId: m.message.id, connectionId },
    });
    expect(mapping?.externalMessageId).not.toBe(abandoned);
  });
});
