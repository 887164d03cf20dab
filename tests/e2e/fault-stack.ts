// A small stack for the delivery fault tests: a fresh database, the fake Telegram, one tenant, and the worker as a
// real process (so it can be killed with SIGKILL), pointed at any Redis (the machine's, or a private one the test
// restarts). Visitor messages are written the way realtime writes them: one transaction, then the enqueue.
import { randomBytes } from 'node:crypto';
import { encryptSecret, parseKeyRing, sha256 } from '@pocketping/core';
import {
  appendMessage,
  bootstrapTenant,
  createConnection,
  createDb,
  createVisitor,
  getOrCreateOpenConversation,
  listMessagesAfter,
  type TDb,
} from '@pocketping/db';
import {
  createTestDatabase,
  spawnApp,
  startFakeDiscord,
  startFakeSlack,
  startFakeTelegram,
  testEncryptionKey,
  uniqueRedisPrefix,
  waitFor,
  type TAppProcess,
  type TFakeDiscord,
  type TFakeSlack,
  type TFakeTelegram,
  type TTestDatabase,
} from '@pocketping/testkit';
import { createProducer, type TProducer } from '../../packages/jobs/src/index.js';

export interface TFaultStack {
  db: TDb;
  telegram: TFakeTelegram;
  /** With startFaultStack({ discord: true }): the shared bot's fake and the tenant's channel (a second bridge). */
  discord: { fake: TFakeDiscord; channelId: string; connectionId: string } | null;
  /** With startFaultStack({ slack: true }): the fake workspace's support channel (a third bridge, no post limit). */
  slack: { fake: TFakeSlack; channelId: string; connectionId: string } | null;
  producer: TProducer;
  organizationId: string;
  chatId: number;
  conversations: string[];
  startWorker(): Promise<TAppProcess>;
  /**
   * After a worker was killed: resolves once the calls it had already written to a socket had time to land at the
   * fakes, AND Postgres has finished every statement it had sent (its connections are gone) — a post recorded by the
   * dead worker's last statement is not "unrecorded", and counting before that statement ran would say it is.
   */
  settleAfterKill(): Promise<void>;
  /** Commit + enqueue; an enqueue failure (Redis down) is ignored like realtime does: the sweeper covers it. */
  send(conversationId: string, body: string): Promise<void>;
  pending(): Promise<number>;
  /** Per conversation: what was stored vs. what the bot posted in its topic (coalesced posts split back). */
  audit(): Promise<{ lost: number; duplicates: number; outOfOrder: number; posted: number; stored: number }>;
  /** The same audit for the Discord connection (startFaultStack({ discord: true }) only). */
  auditDiscord(): Promise<{ lost: number; duplicates: number; outOfOrder: number; posted: number; stored: number }>;
  /** The same audit for the Slack connection (startFaultStack({ slack: true }) only). */
  auditSlack(): Promise<{ lost: number; duplicates: number; outOfOrder: number; posted: number; stored: number }>;
  close(): Promise<void>;
}

const WORKER_APP_NAME = 'pp_fault_worker';

export async function startFaultStack(opts: {
  redisUrl: string;
  conversations: number;
  telegramLatencyMs?: number;
  groupPostsPerMinute?: number;
  discord?: boolean;
  slack?: boolean;
}): Promise<TFaultStack> {
  const database: TTestDatabase = await createTestDatabase('pp_fault');
  const db = createDb(database.url, { poolSize: 10 });
  const key = testEncryptionKey();
  const telegram = await startFakeTelegram({ latencyMs: opts.telegramLatencyMs ?? 0 });
  const botToken = `558001:${randomBytes(24).toString('base64url')}`;
  telegram.addBot(botToken);
  const chatId = telegram.addForumChat({ title: 'Faults' }).id;
  const tenant = await bootstrapTenant(db, parseKeyRing(key), {
    email: 'f@fault.test',
    orgName: 'Fault',
    allowedOrigins: ['https://f.test'],
    telegram: { botToken, chatId: String(chatId) },
  });
  const organizationId = tenant.organization.id;
  let discord: TFaultStack['discord'] = null;
  if (opts.discord) {
    const fake = await startFakeDiscord({ latencyMs: opts.telegramLatencyMs ?? 0 });
    const guildId = fake.addGuild({ name: 'Faults' }).id;
    const channelId = fake.addTextChannel(guildId, { name: 'support' }).id;
    const conn = await createConnection(db, organizationId, {
      projectId: tenant.project.id,
      kind: 'discord',
      sealedCredentials: encryptSecret(parseKeyRing(key), JSON.stringify({ guildId, channelId })),
      targetId: channelId,
      targetScope: guildId,
    });
    discord = { fake, channelId, connectionId: conn.id };
  }
  let slack: TFaultStack['slack'] = null;
  if (opts.slack) {
    const fake = await startFakeSlack({ latencyMs: opts.telegramLatencyMs ?? 0 });
    const teamId = fake.addTeam({ name: 'Faults' }).id;
    const bot = fake.addBot({ teamId });
    const channelId = fake.addChannel({ teamId, name: 'support', members: [bot.botUserId] }).id;
    const credentials = { botToken: bot.token, teamId, botUserId: bot.botUserId, botId: bot.botId };
    const conn = await createConnection(db, organizationId, {
      projectId: tenant.project.id,
      kind: 'slack',
      sealedCredentials: encryptSecret(parseKeyRing(key), JSON.stringify(credentials)),
      targetId: channelId,
      targetScope: teamId,
    });
    slack = { fake, channelId, connectionId: conn.id };
  }
  const prefix = uniqueRedisPrefix();
  const producer = createProducer({ url: opts.redisUrl, prefix }, { timeoutMs: 500 });
  const env: Record<string, string> = {
    // Named, so that after a kill the test can wait for Postgres to finish what the dead worker had already sent.
    DATABASE_URL: `${database.url}?application_name=${WORKER_APP_NAME}`,
    REDIS_URL: opts.redisUrl,
    REDIS_PREFIX: prefix,
    ENCRYPTION_KEY: key,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_GROUP_POSTS_PER_MINUTE: String(opts.groupPostsPerMinute ?? 0),
    WORKER_CONCURRENCY: '20',
    SWEEP_INTERVAL_MS: '1000',
    LOG_LEVEL: 'info',
    ...(slack
      ? { SLACK_API_URL: slack.fake.apiUrl, SLACK_CHANNEL_POSTS_PER_10S: '0', SLACK_TENANT_POSTS_PER_10S: '0' }
      : {}),
    // The per-tenant buckets on the shared apps (fairness) are off here, like the per-channel one: this is about crashes.
    ...(discord
      ? {
          DISCORD_API_URL: discord.fake.apiUrl,
          DISCORD_BOT_TOKEN: discord.fake.token,
          DISCORD_APPLICATION_ID: discord.fake.applicationId,
          DISCORD_TENANT_POSTS_PER_10S: '0',
        }
      : {}),
  };
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
  const workers: TAppProcess[] = [];
  /** Per conversation: stored bodies vs. what the bot posted (posts split back into messages), in order. */
  const auditPosts = async (postsOf: (conversationId: string) => Promise<string[]>) => {
    let lost = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    let posted = 0;
    let stored = 0;
    for (const c of conversations) {
      const bodies = (await listMessagesAfter(db, organizationId, c, 0, 1000)).messages.map((m) => m.body);
      stored += bodies.length;
      const posts = await postsOf(c);
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
  };
  const stack: TFaultStack = {
    db,
    telegram,
    discord,
    slack,
    producer,
    organizationId,
    chatId,
    conversations,
    async settleAfterKill() {
      await new Promise((r) => setTimeout(r, 1_000));
      await waitFor(
        async () => {
          const rows = await db.$queryRaw<
            { n: bigint }[]
          >`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ${WORKER_APP_NAME}`;
          return Number(rows[0]?.n ?? 0) === 0;
        },
        { timeoutMs: 30_000, intervalMs: 100, what: "the killed worker's database connections gone" },
      );
    },
    async startWorker() {
      const w = await spawnApp('worker', { env, readyWhen: (s) => s.includes('worker started') });
      workers.push(w);
      return w;
    },
    async send(conversationId, body) {
      const r = await appendMessage(db, organizationId, {
        conversationId,
        sender: 'visitor',
        body,
        source: 'widget',
        clientId: `f-${randomBytes(8).toString('hex')}`,
      });
      await producer.enqueueDeliveries(r.outbox).catch(() => undefined);
    },
    pending: () => db.outboxEvent.count({ where: { organizationId, status: 'pending' } }),
    async audit() {
      return auditPosts(async (c) => {
        const thread = await db.bridgeThread.findFirst({
          where: { organizationId, conversationId: c, connectionId: tenant.telegram!.connection.id },
        });
        return thread
          ? telegram
              .messages(chatId, Number(thread.externalThreadId))
              .filter((m) => m.fromBot && !m.text?.startsWith('New conversation'))
              .flatMap((m) => (m.text ?? '').split('\n\n'))
          : [];
      });
    },
    async auditDiscord() {
      if (!discord) throw new Error('startFaultStack({ discord: true }) only');
      const d = discord;
      return auditPosts(async (c) => {
        const thread = await db.bridgeThread.findFirst({
          where: { organizationId, conversationId: c, connectionId: d.connectionId },
        });
        // Every fault-test body is plain text; Discord escapes the markdown "#", undo it to compare with the stored body.
        return thread
          ? d.fake
              .messages(thread.externalThreadId)
              .filter((m) => m.author.bot && !m.deleted && !m.content.startsWith('**New conversation**'))
              .map((m) => m.content.replace(/\\(.)/g, '$1'))
          : [];
      });
    },
    async auditSlack() {
      if (!slack) throw new Error('startFaultStack({ slack: true }) only');
      const s = slack;
      return auditPosts(async (c) => {
        const thread = await db.bridgeThread.findFirst({
          where: { organizationId, conversationId: c, connectionId: s.connectionId },
        });
        return thread
          ? s.fake
              .messages(s.channelId, thread.externalThreadId)
              .filter((m) => m.botId && m.threadTs === thread.externalThreadId && !m.deleted)
              .map((m) => m.text)
          : [];
      });
    },
    async close() {
      await Promise.allSettled(workers.map((w) => w.stop()));
      await producer.close();
      await db.$disconnect();
      await telegram.close();
      await discord?.fake.close();
      await slack?.fake.close();
      await database.drop();
    },
  };
  return stack;
}

/** Sends `perConversation` numbered messages in every conversation, conversations in parallel, each in order. */
export async function burst(stack: TFaultStack, perConversation: number, label: string): Promise<void> {
  await Promise.all(
    stack.conversations.map(async (c, ci) => {
      for (let i = 1; i <= perConversation; i++) await stack.send(c, `${label} c${ci} #${i}`);
    }),
  );
}

export async function drained(stack: TFaultStack, timeoutMs = 90_000): Promise<void> {
  await waitFor(async () => (await stack.pending()) === 0, {
    timeoutMs,
    intervalMs: 200,
    what: 'every outbox row delivered',
  });
}
