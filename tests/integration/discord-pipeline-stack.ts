// Shared set-up of the pipeline tests that need Discord: a fresh database, a private Redis prefix, the fake Telegram
// and the fake Discord (and a fake Slack for connectSlack), local file storage, and the worker in-process (its gateway connection included). Tenants,
// connections and conversations are added by the test through the helpers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createLogger, encryptSecret, parseKeyRing, sha256, type TKeyRing } from '@pocketping/core';
import {
  appendMessage,
  bootstrapTenant,
  createConnection,
  createDb,
  createVisitor,
  getOrCreateOpenConversation,
  type TDb,
} from '@pocketping/db';
import { createProducer, type TProducer } from '@pocketping/jobs';
import { createFileUrlSigner, createLocalStorage, type TStorage } from '@pocketping/storage';
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
import { startWorker, type TWorkerDeps, type TWorkerRuntime } from '../../apps/worker/src/runtime.js';

export interface TDiscordPipelineStack {
  database: TTestDatabase;
  db: TDb;
  ring: TKeyRing;
  telegram: TFakeTelegram;
  discord: TFakeDiscord;
  slack: TFakeSlack;
  producer: TProducer;
  storage: TStorage;
  worker: TWorkerRuntime;
  /** An organization with one project; with `telegram`, the project is connected to a new forum group of a new bot. */
  tenant(
    name: string,
    opts?: { telegram?: boolean },
  ): Promise<{
    organizationId: string;
    projectId: string;
    telegram: { connectionId: string; chatId: number; botToken: string } | null;
  }>;
  /** Connects a project to a new Discord server's #support channel (the shared bot). */
  connectDiscord(
    t: { organizationId: string; projectId: string },
    serverName?: string,
  ): Promise<{ connectionId: string; guildId: string; channelId: string }>;
  /** Connects a project to a new Slack workspace's #support channel (a bot installed there). */
  connectSlack(t: { organizationId: string; projectId: string }): Promise<{ connectionId: string; channel: string }>;
  newConversation(
    t: { organizationId: string; projectId: string },
    metadata?: Record<string, unknown>,
  ): Promise<{ id: string; visitorId: string }>;
  /** A visitor message stored like the widget's and its deliveries enqueued. */
  visitorSays(organizationId: string, conversationId: string, body: string): Promise<void>;
  /** The conversation's recorded thread on a connection, once there. */
  threadOf(organizationId: string, conversationId: string, connectionId: string): Promise<TBridgeThreadRow>;
  /** Waits until the conversation has no pending outbox row. */
  allDone(organizationId: string, conversationId: string): Promise<void>;
  close(): Promise<void>;
}

type TBridgeThreadRow = NonNullable<Awaited<ReturnType<TDb['bridgeThread']['findFirst']>>>;

export async function startDiscordPipelineStack(
  opts: {
    discordLatencyMs?: number;
    concurrency?: number;
    sweepIntervalMs?: number;
    maxAttachmentBytes?: number;
    discordTenantPostsPer10s?: number;
  } = {},
): Promise<TDiscordPipelineStack> {
  const database = await createTestDatabase();
  const db = createDb(database.url, { poolSize: 8 });
  const ring = parseKeyRing(testEncryptionKey());
  const redis = { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() };
  const [telegram, discord, slack] = await Promise.all([
    startFakeTelegram(),
    startFakeDiscord({
      heartbeatIntervalMs: 2_000,
      ...(opts.discordLatencyMs ? { latencyMs: opts.discordLatencyMs } : {}),
    }),
    startFakeSlack(),
  ]);
  const storageDir = mkdtempSync(path.join(tmpdir(), 'pp-discord-stack-'));
  const storage = createLocalStorage(storageDir);
  const producer = createProducer(redis);
  const deps: TWorkerDeps = {
    databaseUrl: database.url,
    redis,
    keyRing: ring,
    bridges: {
      telegram: { apiRoot: telegram.apiRoot, groupPostsPerMinute: 100_000 },
      discord: {
        apiUrl: discord.apiUrl,
        botToken: discord.token,
        applicationId: discord.applicationId,
        ...(opts.discordTenantPostsPer10s !== undefined ? { tenantPostsPer10s: opts.discordTenantPostsPer10s } : {}),
      },
      slack: { apiUrl: slack.apiUrl },
    },
    concurrency: opts.concurrency ?? 10,
    sweepIntervalMs: opts.sweepIntervalMs ?? 1_000,
    log: createLogger('worker-test', 'silent'),
    storage,
    fileUrls: createFileUrlSigner(ring, { baseUrl: 'http://realtime.test', ttlSeconds: 600 }),
    maxAttachmentBytes: opts.maxAttachmentBytes ?? 10 * 1024 * 1024,
  };
  const worker = await startWorker(deps);
  await waitFor(() => discord.gateway.identifies >= 1 && discord.gateway.openSockets() >= 1, {
    what: 'worker gateway connected',
    timeoutMs: 20_000,
  });
  let bots = 0;
  return {
    database,
    db,
    ring,
    telegram,
    discord,
    slack,
    producer,
    storage,
    worker,
    async tenant(name, o = {}) {
      let tg: { connectionId: string; chatId: number; botToken: string } | null = null;
      let telegramInput: { botToken: string; chatId: string } | undefined;
      if (o.telegram) {
        bots += 1;
        const botToken = `5592${String(bots).padStart(2, '0')}:${randomBytes(24).toString('base64url')}`;
        telegram.addBot(botToken);
        const chatId = telegram.addForumChat({ title: `${name} support` }).id;
        telegramInput = { botToken, chatId: String(chatId) };
        tg = { connectionId: '', chatId, botToken };
      }
      const t = await bootstrapTenant(db, ring, {
        email: `${name}-${randomBytes(3).toString('hex')}@stack.test`,
        orgName: name,
        allowedOrigins: [`https://${name}.test`],
        ...(telegramInput ? { telegram: telegramInput } : {}),
      });
      if (tg) tg.connectionId = t.telegram!.connection.id;
      return { organizationId: t.organization.id, projectId: t.project.id, telegram: tg };
    },
    async connectDiscord(t, serverName = 'Acme') {
      const guildId = discord.addGuild({ name: serverName }).id;
      const channelId = discord.addTextChannel(guildId, { name: 'support' }).id;
      const connection = await createConnection(db, t.organizationId, {
        projectId: t.projectId,
        kind: 'discord',
        sealedCredentials: encryptSecret(ring, JSON.stringify({ guildId, channelId })),
        targetId: channelId,
        targetScope: guildId,
      });
      return { connectionId: connection.id, guildId, channelId };
    },
    async connectSlack(t) {
      const teamId = slack.addTeam({ name: 'Acme' }).id;
      const bot = slack.addBot({ teamId });
      const channel = slack.addChannel({ teamId, name: 'support', members: [bot.botUserId] }).id;
      const credentials = { botToken: bot.token, teamId, botUserId: bot.botUserId, botId: bot.botId };
      const connection = await createConnection(db, t.organizationId, {
        projectId: t.projectId,
        kind: 'slack',
        sealedCredentials: encryptSecret(ring, JSON.stringify(credentials)),
        targetId: channel,
        targetScope: teamId,
      });
      return { connectionId: connection.id, channel };
    },
    async newConversation(t, metadata = {}) {
      const visitor = await createVisitor(db, t.organizationId, {
        projectId: t.projectId,
        tokenHash: sha256(randomBytes(8).toString('hex')),
        metadata,
      });
      const c = await getOrCreateOpenConversation(db, t.organizationId, {
        projectId: t.projectId,
        visitorId: visitor.id,
      });
      return { id: c.id, visitorId: visitor.id };
    },
    async visitorSays(organizationId, conversationId, body) {
      const r = await appendMessage(db, organizationId, {
        conversationId,
        sender: 'visitor',
        body,
        source: 'widget',
        clientId: `c-${randomBytes(6).toString('hex')}`,
      });
      await producer.enqueueDeliveries(r.outbox);
    },
    threadOf: (organizationId, conversationId, connectionId) =>
      waitFor(() => db.bridgeThread.findFirst({ where: { organizationId, conversationId, connectionId } }), {
        what: 'thread',
        timeoutMs: 20_000,
      }),
    async allDone(organizationId, conversationId) {
      await waitFor(
        async () =>
          (await db.outboxEvent.count({ where: { organizationId, conversationId, status: 'pending' } })) === 0,
        { what: 'outbox done', timeoutMs: 20_000 },
      );
    },
    async close() {
      await worker.close();
      await producer.close();
      await db.$disconnect();
      await Promise.allSettled([telegram.close(), discord.close(), slack.close()]);
      await database.drop();
      rmSync(storageDir, { recursive: true, force: true });
    },
  };
}
