// Mirroring across all three platforms at once: one project connected to Telegram, Slack and Discord (each through
// its fake server and official SDK), the worker in-process with the Discord gateway. A visitor message reaches the
// three threads; an operator reply written in any one app reaches the widget and the two other apps, labelled with
// the author and the app it came from — and never comes back to the app it was written in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createLogger, encryptSecret, parseKeyRing, sha256 } from '@pocketping/core';
import {
  appendMessage,
  bootstrapTenant,
  createConnection,
  createDb,
  createVisitor,
  getOrCreateOpenConversation,
  listMessagesAfter,
  recordInboundEvent,
  type TDb,
} from '@pocketping/db';
import { createProducer, type TProducer } from '@pocketping/jobs';
import type { TMessage } from '@pocketping/protocol';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  startFakeDiscord,
  startFakeSlack,
  startFakeTelegram,
  testEncryptionKey,
  uniqueRedisPrefix,
  waitFor,
  type TFakeDiscord,
  type TFakeSlack,
  type TFakeTelegram,
  type TTestDatabase,
} from '@pocketping/testkit';
import { startWorker, type TWorkerRuntime } from '../../apps/worker/src/runtime.js';

describe('mirroring across Telegram, Slack and Discord at once', () => {
  let database: TTestDatabase;
  let db: TDb;
  let telegram: TFakeTelegram;
  let slack: TFakeSlack;
  let discord: TFakeDiscord;
  let worker: TWorkerRuntime;
  let producer: TProducer;
  let organizationId: string;
  let projectId: string;
  const ids = {
    tgConn: '',
    slackConn: '',
    discordConn: '',
    chatId: 0,
    tgToken: '',
    slackChannel: '',
    slackTeam: '',
    guildId: '',
    channelId: '',
  };
  const pushed: TMessage[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDb(database.url, { poolSize: 5 });
    const ring = parseKeyRing(testEncryptionKey());
    const redis = { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() };
    [telegram, slack, discord] = await Promise.all([
      startFakeTelegram(),
      startFakeSlack(),
      startFakeDiscord({ heartbeatIntervalMs: 2_000 }),
    ]);
    ids.tgToken = `559001:${randomBytes(24).toString('base64url')}`;
    telegram.addBot(ids.tgToken);
    ids.chatId = telegram.addForumChat({ title: 'Support' }).id;
    const tenant = await bootstrapTenant(db, ring, {
      email: 'm@mirror.test',
      orgName: 'Mirror',
      allowedOrigins: ['https://m.test'],
      telegram: { botToken: ids.tgToken, chatId: String(ids.chatId) },
    });
    organizationId = tenant.organization.id;
    projectId = tenant.project.id;
    ids.tgConn = tenant.telegram!.connection.id;

    ids.slackTeam = slack.addTeam({ name: 'Acme' }).id;
    const bot = slack.addBot({ teamId: ids.slackTeam });
    ids.slackChannel = slack.addChannel({ teamId: ids.slackTeam, name: 'support', members: [bot.botUserId] }).id;
    const slackCreds = { botToken: bot.token, teamId: ids.slackTeam, botUserId: bot.botUserId, botId: bot.botId };
    ids.slackConn = (
      await createConnection(db, organizationId, {
        projectId,
        kind: 'slack',
        sealedCredentials: encryptSecret(ring, JSON.stringify(slackCreds)),
        targetId: ids.slackChannel,
        targetScope: ids.slackTeam,
      })
    ).id;

    ids.guildId = discord.addGuild({ name: 'Acme' }).id;
    ids.channelId = discord.addTextChannel(ids.guildId, { name: 'support' }).id;
    ids.discordConn = (
      await createConnection(db, organizationId, {
        projectId,
        kind: 'discord',
        sealedCredentials: encryptSecret(ring, JSON.stringify({ guildId: ids.guildId, channelId: ids.channelId })),
        targetId: ids.channelId,
        targetScope: ids.guildId,
      })
    ).id;

    producer = createProducer(redis);
    worker = await startWorker({
      databaseUrl: database.url,
      redis,
      keyRing: ring,
      bridges: {
        telegram: { apiRoot: telegram.apiRoot, groupPostsPerMinute: 100_000 },
        slack: { apiUrl: slack.apiUrl },
        discord: { apiUrl: discord.apiUrl, botToken: discord.token, applicationId: discord.applicationId },
      },
      concurrency: 20,
      sweepIntervalMs: 1_000,
      log: createLogger('worker-test', (process.env.MIRROR_LOG as 'warn' | undefined) ?? 'silent'),
    });
    const widget = worker.ctx.conversations.widget;
    const real = widget.message.bind(widget);
    widget.message = (conversationId, m) => {
      pushed.push(m);
      real(conversationId, m);
    };
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await producer?.close();
    await db?.$disconnect();
    await Promise.allSettled([telegram?.close(), slack?.close(), discord?.close()]);
    await database?.drop();
  });

  const threadOf = async (conversationId: string, connectionId: string) => {
    const kind = connectionId === ids.tgConn ? 'telegram' : connectionId === ids.slackConn ? 'slack' : 'discord';
    try {
      return await waitFor(
        () => db.bridgeThread.findFirst({ where: { organizationId, conversationId, connectionId } }),
        { what: `${kind} thread`, timeoutMs: 20_000 },
      );
    } catch (err) {
      const rows = await db.outboxEvent.findMany({
        where: { organizationId, connectionId },
        select: { status: true, attempts: true, lastError: true },
      });
      throw new Error(`${String(err)}; outbox: ${JSON.stringify(rows)}`);
    }
  };
  const tgTexts = (threadId: string) =>
    telegram
      .messages(ids.chatId, Number(threadId))
      .filter((m) => m.fromBot && !m.text?.startsWith('New conversation'))
      .map((m) => m.text ?? '');
  const slackTexts = (threadTs: string) =>
    slack
      .messages(ids.slackChannel, threadTs)
      .filter((m) => m.ts !== threadTs && !m.deleted)
      .map((m) => m.text);
  const discordTexts = (threadId: string) =>
    discord
      .messages(threadId)
      .filter((m) => m.author.bot && !m.deleted)
      .map((m) => m.content);

  it('a reply written in each app reaches the widget and the two others, labelled, never echoed back', async () => {
    const visitor = await createVisitor(db, organizationId, {
      projectId,
      tokenHash: sha256(randomBytes(8).toString('hex')),
      metadata: { pageUrl: 'https://m.test/pricing' },
    });
    const conv = await getOrCreateOpenConversation(db, organizationId, { projectId, visitorId: visitor.id });
    const r = await appendMessage(db, organizationId, {
      conversationId: conv.id,
      sender: 'visitor',
      body: 'Hello all three',
      source: 'widget',
      clientId: 'mirror-000001',
    });
    expect(r.outbox).toHaveLength(3);
    await producer.enqueueDeliveries(r.outbox);
    const [tg, sl, dc] = await Promise.all([
      threadOf(conv.id, ids.tgConn),
      threadOf(conv.id, ids.slackConn),
      threadOf(conv.id, ids.discordConn),
    ]);
    await waitFor(() => tgTexts(tg.externalThreadId).includes('Hello all three'), { what: 'telegram' });
    await waitFor(() => slackTexts(sl.externalThreadId).some((t) => t.includes('Hello all three')), { what: 'slack' });
    await waitFor(() => discordTexts(dc.externalThreadId).some((t) => t.includes('Hello all three')), {
      what: 'discord',
    });

    // 1) Telegram → widget, Slack, Discord.
    const { update } = await telegram.operatorWrites({
      token: ids.tgToken,
      chatId: ids.chatId,
      threadId: Number(tg.externalThreadId),
      text: 'From Telegram',
      from: { id: 11, first_name: 'Tina' },
    });
    const ev = await recordInboundEvent(db, organizationId, {
      connectionId: ids.tgConn,
      externalId: String((update as { update_id: number }).update_id),
      payload: update as object,
    });
    await producer.enqueueInbound({ organizationId, inboundEventId: ev.id });
    await waitFor(
      () =>
        slackTexts(sl.externalThreadId).some((t) => t.includes('Tina (via Telegram)') && t.includes('From Telegram')),
      { what: 'telegram reply on slack' },
    );
    await waitFor(
      () =>
        discordTexts(dc.externalThreadId).some((t) => t.includes('Tina (via Telegram)') && t.includes('From Telegram')),
      { what: 'telegram reply on discord' },
    );

    // 2) Slack → widget, Telegram, Discord (the Events API payload the fake produces, stored like apps/web does).
    const sw = await slack.operatorWrites({
      channel: ids.slackChannel,
      thread_ts: sl.externalThreadId,
      text: 'From Slack',
      user: slack.addUser({ teamId: ids.slackTeam, name: 'sam', displayName: 'Sam' }).id,
    });
    const payload = sw.deliveries[0]?.payload;
    if (payload) {
      const sev = await recordInboundEvent(db, organizationId, {
        connectionId: ids.slackConn,
        externalId: sw.eventId,
        payload: payload as object,
      });
      await producer.enqueueInbound({ organizationId, inboundEventId: sev.id });
    }
    await waitFor(() => tgTexts(tg.externalThreadId).some((t) => / \(via Slack\): From Slack$/.test(t)), {
      what: 'slack reply on telegram',
      timeoutMs: 20_000,
    });
    await waitFor(
      () => discordTexts(dc.externalThreadId).some((t) => t.includes('(via Slack)') && t.includes('From Slack')),
      { what: 'slack reply on discord' },
    );

    // 3) Discord → widget, Telegram, Slack (through the worker's gateway connection).
    discord.operatorWrites({
      guildId: ids.guildId,
      threadId: dc.externalThreadId,
      content: 'From Discord',
      author: { username: 'dora', global_name: 'Dora' },
    });
    await waitFor(() => tgTexts(tg.externalThreadId).some((t) => t === 'Dora (via Discord): From Discord'), {
      what: 'discord reply on telegram',
      timeoutMs: 20_000,
    });
    await waitFor(
      () => slackTexts(sl.externalThreadId).some((t) => t.includes('Dora (via Discord)') && t.includes('From Discord')),
      { what: 'discord reply on slack' },
    );

    const stored = (await listMessagesAfter(db, organizationId, conv.id, 0, 20)).messages;
    expect(stored.map((m) => [m.sender, m.source, m.body])).toEqual([
      ['visitor', 'widget', 'Hello all three'],
      ['operator', 'telegram', 'From Telegram'],
      ['operator', 'slack', 'From Slack'],
      ['operator', 'discord', 'From Discord'],
    ]);
    expect(pushed.filter((m) => m.conversationId === conv.id).map((m) => m.body)).toEqual([
      'From Telegram',
      'From Slack',
      'From Discord',
    ]);
    // Never echoed into the app it was written in, each copy exactly once.
    expect(tgTexts(tg.externalThreadId).filter((t) => t.includes('From Telegram'))).toHaveLength(0);
    expect(slackTexts(sl.externalThreadId).filter((t) => t.includes('From Slack'))).toHaveLength(1); // the operator's own
    expect(discordTexts(dc.externalThreadId).filter((t) => t.includes('From Discord'))).toHaveLength(0);
    expect(
      tgTexts(tg.externalThreadId).filter((t) => t.includes('From Slack') || t.includes('From Discord')),
    ).toHaveLength(2);
  }, 90_000);
});
