// Fairness on the one Discord bot every tenant shares: tenant A floods 2,000 messages into its Discord channel;
// tenant B's single message, sent after all of them, still goes out within seconds while A's backlog is mostly
// pending. A per-organization token bucket (postRateLimits scope 'tenant') delays A's jobs past its share, which
// frees the workers — and the bot's REST budget — for everyone else.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, encryptSecret, parseKeyRing, sha256 } from '@pocketping/core';
import { appendMessage, appendWidgetMessage, bootstrapTenant, createConnection, createDb, createSqlPool, createVisitor, getOrCreateOpenConversation, type TDb } from '@pocketping/db';
import { createProducer, type TOutboxRow, type TProducer } from '@pocketping/jobs';
import { createFileUrlSigner, createLocalStorage } from '@pocketping/storage';
import { TEST_REDIS_URL, createTestDatabase, startFakeDiscord, startFakeTelegram, testEncryptionKey, uniqueRedisPrefix, waitFor, type TFakeDiscord, type TFakeTelegram, type TTestDatabase } from '@pocketping/testkit';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startWorker, type TWorkerRuntime } from '../../apps/worker/src/runtime.js';

const CONVERSATIONS = 20;
const PER_CONVERSATION = 100;

describe('shared Discord bot: one tenant cannot hold up the others', () => {
  let database: TTestDatabase;
  let db: TDb;
  let telegram: TFakeTelegram;
  let discord: TFakeDiscord;
  let producer: TProducer;
  let worker: TWorkerRuntime;
  let storageDir: string;
  const ring = parseKeyRing(testEncryptionKey());

  async function tenantWithDiscord(name: string) {
    const t = await bootstrapTenant(db, ring, { email: `${name}-${randomBytes(3).toString('hex')}@fair.test`, orgName: name, allowedOrigins: [`https://${name}.test`] });
    const guildId = discord.addGuild({ name }).id;
    const channelId = discord.addTextChannel(guildId, { name: 'support' }).id;
    const connection = await createConnection(db, t.organization.id, { projectId: t.project.id, kind: 'discord', sealedCredentials: encryptSecret(ring, JSON.stringify({ guildId, channelId })), targetId: channelId, targetScope: guildId });
    return { organizationId: t.organization.id, projectId: t.project.id, connectionId: connection.id };
  }

  async function conversationOf(t: { organizationId: string; projectId: string }) {
    const visitor = await createVisitor(db, t.organizationId, { projectId: t.projectId, tokenHash: sha256(randomBytes(8).toString('hex')), metadata: {} });
    const c = await getOrCreateOpenConversation(db, t.organizationId, { projectId: t.projectId, visitorId: visitor.id });
    return { id: c.id, visitorId: visitor.id };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDb(database.url, { poolSize: 8 });
    const redis = { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() };
    // Every platform call takes a little while, as on the real one: a drain holds its worker slot meanwhile.
    [telegram, discord] = await Promise.all([startFakeTelegram(), startFakeDiscord({ heartbeatIntervalMs: 2_000, latencyMs: 15 })]);
    storageDir = mkdtempSync(path.join(tmpdir(), 'pp-fairness-'));
    producer = createProducer(redis);
    worker = await startWorker({
      databaseUrl: database.url,
      redis,
      keyRing: ring,
      bridges: { telegram: { apiRoot: telegram.apiRoot, groupPostsPerMinute: 100_000 }, discord: { apiUrl: discord.apiUrl, botToken: discord.token, applicationId: discord.applicationId, tenantPostsPer10s: 20 } },
      concurrency: 4,
      // The test enqueues itself, in a known order; the sweeper would enqueue rows while they are being written.
      sweepIntervalMs: 600_000,
      log: createLogger('worker-test', 'silent'),
      storage: createLocalStorage(storageDir),
      fileUrls: createFileUrlSigner(ring, { baseUrl: 'http://realtime.test', ttlSeconds: 600 }),
      maxAttachmentBytes: 1024 * 1024,
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await producer?.close();
    await db?.$disconnect();
    await Promise.allSettled([telegram?.close(), discord?.close()]);
    await database?.drop();
    if (storageDir) rmSync(storageDir, { recursive: true, force: true });
  });

  it('tenant B’s message is posted within seconds while tenant A’s 2,000 are still mostly waiting', async () => {
    const a = await tenantWithDiscord('flooder');
    const b = await tenantWithDiscord('bystander');
    // A's 2,000 messages in 20 conversations, all written before anything is queued.
    const floodRows: TOutboxRow[] = [];
    const sql = createSqlPool(database.url, { poolSize: 8, onError: () => undefined });
    try {
      await Promise.all(Array.from({ length: CONVERSATIONS }, async () => {
        const c = await conversationOf(a);
        for (let i = 1; i <= PER_CONVERSATION; i++) {
          const r = await appendWidgetMessage(sql, a.organizationId, { conversationId: c.id, visitorId: c.visitorId, sender: 'visitor', visibility: 'public', body: `flood ${i}`, source: 'widget', clientId: `f-${i}` });
          if ('conversationGone' in r) throw new Error('conversation gone');
          floodRows.push(...r.outbox);
        }
      }));
    } finally {
      await sql.end();
    }
    expect(floodRows).toHaveLength(CONVERSATIONS * PER_CONVERSATION);
    const cb = await conversationOf(b);
    const mine = await appendMessage(db, b.organizationId, { conversationId: cb.id, sender: 'visitor', body: 'hello from B', source: 'widget', clientId: 'b-1' });

    // A's jobs first, then B's one: B's job is at the back of the queue.
    await producer.enqueueDeliveries(floodRows);
    await producer.enqueueDeliveries(mine.outbox);

    const thread = await waitFor(async () => (await db.bridgeThread.findFirst({ where: { organizationId: b.organizationId, conversationId: cb.id } })) ?? undefined, { what: 'B’s thread', timeoutMs: 60_000 });
    await waitFor(() => discord.messages(thread.externalThreadId).some((m) => m.author.bot && m.content === 'hello from B'), { what: 'B’s message on Discord', timeoutMs: 60_000 });
    const aPending = await db.outboxEvent.count({ where: { organizationId: a.organizationId, status: 'pending' } });
    // A's share is 20 posts per 10 s: by the time B is served, most of A's backlog must still be waiting (even a
    // minute later A could have posted ~140). Without the bucket B waits behind A's whole queue.
    expect(aPending).toBeGreaterThan(1_000);
  }, 180_000);
});
