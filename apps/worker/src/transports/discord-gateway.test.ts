import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Routes, REST } from 'discord.js';
import { createLogger, encryptSecret, parseKeyRing, randomToken, sha256 } from '@pocketping/core';
import { createDiscordBridge, startDiscordGateway, type TDiscordGateway } from '@pocketping/bridges';
import {
  appendMessage,
  createConnection,
  createDb,
  createOrganizationWithOwner,
  createProject,
  createVisitor,
  getOrCreateOpenConversation,
  saveBridgeThread,
  type TDb,
} from '@pocketping/db';
import { QUEUES, bullPrefix, createProducer, type TProducer } from '@pocketping/jobs';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  startFakeDiscord,
  testEncryptionKey,
  uniqueRedisPrefix,
  waitFor,
  type TFakeDiscord,
  type TTestDatabase,
} from '@pocketping/testkit';
import type { TWorkerContext } from '../context.js';
import { createTransportPorts } from './create-transport-ports.js';

// Gateway → InboundEvent → inbound job, with the real Postgres and Redis, discord.js against the fake gateway.
describe('Discord gateway consumer', () => {
  let fake: TFakeDiscord;
  let testDb: TTestDatabase;
  let db: TDb;
  let producer: TProducer;
  let queue: Queue;
  let gateway: TDiscordGateway | null = null;
  const redis = { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() };
  const log = createLogger('test', 'silent');
  const ring = parseKeyRing(testEncryptionKey());
  let guildId: string;
  let channelId: string;
  let threadId: string;
  let organizationId: string;
  let connectionId: string;
  let conversationId: string;

  const start = async (backfill = false) => {
    const g = startDiscordGateway({
      ports: createTransportPorts(
        { db, producer, log, redis: producer.redis } as unknown as TWorkerContext,
        redis.prefix,
      ),
      log,
      botToken: fake.token,
      apiUrl: fake.apiUrl,
      ...(backfill ? {} : { backfill: false }),
    });
    await waitFor(() => g.shards().length === 1 && g.shards().every((s) => s.ready), {
      what: 'gateway ready',
      timeoutMs: 15_000,
    });
    return g;
  };
  const events = () => db.inboundEvent.findMany({ where: { organizationId }, orderBy: { createdAt: 'asc' } });

  beforeAll(async () => {
    fake = await startFakeDiscord({ heartbeatIntervalMs: 1_000 });
    guildId = fake.addGuild({ name: 'Acme' }).id;
    channelId = fake.addTextChannel(guildId).id;
    testDb = await createTestDatabase();
    db = createDb(testDb.url, { poolSize: 4 });
    producer = createProducer(redis);
    queue = new Queue(QUEUES.inbound, { connection: producer.redis, prefix: bullPrefix(redis) });

    const { organization } = await createOrganizationWithOwner(db, { email: 'o@acme.example', orgName: 'Acme' });
    organizationId = organization.id;
    const project = await createProject(db, organizationId, { name: 'Acme', allowedOrigins: ['https://acme.example'] });
    const conn = await createConnection(db, organizationId, {
      projectId: project.id,
      kind: 'discord',
      sealedCredentials: encryptSecret(ring, JSON.stringify({ guildId, channelId })),
      targetId: channelId,
      targetScope: guildId,
    });
    connectionId = conn.id;
    const visitor = await createVisitor(db, organizationId, {
      projectId: project.id,
      tokenHash: sha256(randomToken('vt_', 24)),
    });
    const conversation = await getOrCreateOpenConversation(db, organizationId, {
      projectId: project.id,
      visitorId: visitor.id,
    });
    conversationId = conversation.id;
    const bridge = createDiscordBridge({ apiUrl: fake.apiUrl, botToken: fake.token });
    const thread = await bridge.ensureThread(
      { connectionId, credentials: { guildId, channelId }, targetId: channelId, targetScope: guildId },
      {
        conversationId: conversation.id,
        visitorName: 'Ada',
        visitorEmail: null,
        pageUrl: null,
        referrer: null,
        userAgent: null,
        location: null,
      },
    );
    threadId = thread.externalThreadId;
    await saveBridgeThread(db, organizationId, { conversationId: conversation.id, connectionId, ...thread });
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await queue?.close();
    await producer?.close();
    await db?.$disconnect();
    await fake?.close();
    await testDb?.drop();
  });

  it('stores an operator message in a known thread once, enqueues the inbound job, and the bridge parses it', async () => {
    gateway = await start();
    const m = fake.operatorWrites({ guildId, threadId, content: 'Hello from Discord' });
    const [ev] = await waitFor(async () => ((await events()).length === 1 ? events() : null), {
      what: 'inbound event',
    });
    expect(ev).toMatchObject({ connectionId, externalId: `MESSAGE_CREATE:${m.id}:`, status: 'pending' });
    expect(await queue.getJob(`in-${ev!.id}`)).toBeTruthy();
    const bridge = createDiscordBridge({ apiUrl: fake.apiUrl, botToken: fake.token });
    expect(
      bridge.parseInbound(
        { connectionId, credentials: { guildId, channelId }, targetId: channelId, targetScope: guildId },
        ev!.payload,
      ),
    ).toMatchObject({
      type: 'message',
      text: 'Hello from Discord',
      authorName: 'Sarah',
      externalMessageId: m.id,
      thread: { externalChatId: channelId, externalThreadId: threadId },
    });
  });

  it('a dropped connection resumes; the missed message arrives once; a replayed dispatch is stored once', async () => {
    const before = (await events()).length;
    fake.dropConnection();
    const missed = fake.operatorWrites({ guildId, threadId, content: 'written during the outage' });
    await waitFor(() => fake.gateway.resumes >= 1, { what: 'RESUME', timeoutMs: 15_000 });
    await waitFor(async () => (await events()).some((e) => e.externalId === `MESSAGE_CREATE:${missed.id}:`), {
      what: 'missed message stored',
    });
    // Discord may replay the same dispatch again (a second resume from an older seq): same key, nothing new.
    fake.dispatch('MESSAGE_CREATE', { ...missed, guild_id: guildId, type: 0, timestamp: new Date().toISOString() });
    await waitFor(() => gateway!.stats.duplicates >= 1, { what: 'duplicate seen' });
    await gateway!.idle();
    const rows = (await events()).filter((e) => e.externalId.includes(missed.id));
    expect(rows).toHaveLength(1);
    expect((await events()).length).toBe(before + 1);
  });

  it('edits and deletes become their own events; bots, other channels and unknown threads are skipped', async () => {
    const m = fake.operatorWrites({ guildId, threadId, content: 'typo' });
    fake.edit({ threadId, messageId: m.id, content: 'fixed' });
    fake.delete({ threadId, messageId: m.id });
    fake.operatorWrites({ guildId, threadId, content: 'I am a bot', author: { bot: true } });
    const otherChannel = fake.addTextChannel(guildId).id;
    const strayThread = (await new REST({ api: fake.apiUrl })
      .setToken(fake.token)
      .post(Routes.threads(otherChannel), { body: { name: 'x', type: 11 } })) as { id: string };
    fake.operatorWrites({ guildId, threadId: strayThread.id, content: 'not ours' });
    await waitFor(async () => (await events()).some((e) => e.externalId === `MESSAGE_DELETE:${m.id}:`), {
      what: 'delete stored',
    });
    await gateway!.idle();
    const keys = (await events()).map((e) => e.externalId).filter((k) => k.includes(m.id));
    expect(keys).toHaveLength(3);
    expect(keys[0]).toBe(`MESSAGE_CREATE:${m.id}:`);
    expect(keys[1]).toMatch(new RegExp(`^MESSAGE_UPDATE:${m.id}:\\d{4}-`));
    expect(JSON.stringify((await events()).map((e) => e.payload))).not.toMatch(/I am a bot|not ours/);
  });

  it('after a restart (a fresh session), messages written meanwhile are backfilled once', async () => {
    await gateway!.close();
    gateway = null;
    const during = fake.operatorWrites({ guildId, threadId, content: 'while the worker was down' });
    const count = (await events()).length;
    gateway = await start(true);
    await waitFor(async () => (await events()).some((e) => e.externalId === `MESSAGE_CREATE:${during.id}:`), {
      what: 'backfilled',
      timeoutMs: 15_000,
    });
    await gateway.idle();
    // Only the missing one is new: everything else fetched by the backfill was already stored.
    expect((await events()).length).toBe(count + 1);
  });

  it('after a restart, an operator message deleted while disconnected becomes one MESSAGE_DELETE event; the others stay', async () => {
    const keep = fake.operatorWrites({ guildId, threadId, content: 'keep me' });
    const gone = fake.operatorWrites({ guildId, threadId, content: 'delete me' });
    // As the inbound job stores them: operator messages mapped to their Discord ids.
    for (const m of [keep, gone]) {
      await appendMessage(db, organizationId, {
        conversationId,
        sender: 'operator',
        authorName: 'Sarah',
        body: m.content,
        source: 'discord',
        inbound: { connectionId, externalChatId: channelId, externalMessageId: m.id },
      });
    }
    await gateway!.idle();
    await gateway!.close();
    gateway = null;
    const deletes = async () =>
      (await events()).filter((e) => e.externalId.startsWith('MESSAGE_DELETE:')).map((e) => e.externalId);
    const before = await deletes();
    fake.delete({ threadId, messageId: gone.id });
    gateway = await start(true);
    await waitFor(async () => (await events()).some((e) => e.externalId === `MESSAGE_DELETE:${gone.id}:`), {
      what: 'missed delete inferred',
      timeoutMs: 15_000,
    });
    await gateway.idle();
    expect(await deletes()).toEqual([...before, `MESSAGE_DELETE:${gone.id}:`]);
    expect(gateway.stats.missedDeletes).toBe(1);
    // Its payload is what the bridge parses as a delete in that thread (guild + channel + thread checked).
    const ev = (await events()).find((e) => e.externalId === `MESSAGE_DELETE:${gone.id}:`)!;
    const bridge = createDiscordBridge({ apiUrl: fake.apiUrl, botToken: fake.token });
    expect(
      bridge.parseInbound(
        { connectionId, credentials: { guildId, channelId }, targetId: channelId, targetScope: guildId },
        ev.payload,
      ),
    ).toEqual({
      type: 'delete',
      thread: { externalChatId: channelId, externalThreadId: threadId },
      externalMessageId: gone.id,
    });
    // A second fresh session finds nothing new to delete (the message is still shown until the inbound job runs, but
    // the event's dedupe key makes the repeat a no-op).
    await gateway.close();
    gateway = await start(true);
    await new Promise((r) => setTimeout(r, 1_000));
    await gateway.idle();
    expect(await deletes()).toEqual([...before, `MESSAGE_DELETE:${gone.id}:`]);
  });
});
