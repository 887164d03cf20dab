// Discord attachments both ways, through the real pipeline: the worker in-process (local file storage, the Discord
// gateway connection), one project connected to Telegram and Discord through their fakes.
// - A widget file is uploaded into the Discord thread as multipart (`files[0]` + `payload_json`), exactly once.
// - A file an operator posts in the Discord thread (MESSAGE_CREATE with attachments) is fetched from its url, size-
//   checked, stored, shown in the widget with a signed URL and uploaded to Telegram; a file over the limit is
//   refused with a note in the operator's thread, never silently dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, encryptSecret, parseKeyRing, sha256 } from '@pocketping/core';
import { appendMessage, bootstrapTenant, createAttachment, createConnection, createDb, createVisitor, getOrCreateOpenConversation, getStorageUsage, type TDb } from '@pocketping/db';
import { createProducer, type TProducer } from '@pocketping/jobs';
import type { TMessage } from '@pocketping/protocol';
import { createFileUrlSigner, createLocalStorage, type TStorage } from '@pocketping/storage';
import { TEST_REDIS_URL, createTestDatabase, startFakeDiscord, startFakeTelegram, testEncryptionKey, uniqueRedisPrefix, waitFor, type TFakeDiscord, type TFakeTelegram, type TTestDatabase } from '@pocketping/testkit';
import { startWorker, type TWorkerRuntime } from '../../apps/worker/src/runtime.js';

const MAX_BYTES = 64 * 1024;

describe('Discord attachments through the pipeline', () => {
  let database: TTestDatabase;
  let db: TDb;
  let telegram: TFakeTelegram;
  let discord: TFakeDiscord;
  let worker: TWorkerRuntime;
  let producer: TProducer;
  let storage: TStorage;
  let storageDir: string;
  let organizationId: string;
  let projectId: string;
  const ids = { tgConn: '', discordConn: '', chatId: 0, guildId: '', channelId: '' };
  const pushed: { conversationId: string; message: TMessage }[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDb(database.url, { poolSize: 5 });
    const ring = parseKeyRing(testEncryptionKey());
    const redis = { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() };
    [telegram, discord] = await Promise.all([startFakeTelegram(), startFakeDiscord({ heartbeatIntervalMs: 2_000 })]);
    const tgToken = `559101:${randomBytes(24).toString('base64url')}`;
    telegram.addBot(tgToken);
    ids.chatId = telegram.addForumChat({ title: 'Support' }).id;
    const tenant = await bootstrapTenant(db, ring, { email: 'f@files.test', orgName: 'Files', allowedOrigins: ['https://f.test'], telegram: { botToken: tgToken, chatId: String(ids.chatId) } });
    organizationId = tenant.organization.id;
    projectId = tenant.project.id;
    ids.tgConn = tenant.telegram!.connection.id;
    ids.guildId = discord.addGuild({ name: 'Acme' }).id;
    ids.channelId = discord.addTextChannel(ids.guildId, { name: 'support' }).id;
    ids.discordConn = (await createConnection(db, organizationId, { projectId, kind: 'discord', sealedCredentials: encryptSecret(ring, JSON.stringify({ guildId: ids.guildId, channelId: ids.channelId })), targetId: ids.channelId, targetScope: ids.guildId })).id;

    storageDir = mkdtempSync(path.join(tmpdir(), 'pp-discord-files-'));
    storage = createLocalStorage(storageDir);
    producer = createProducer(redis);
    worker = await startWorker({
      databaseUrl: database.url,
      redis,
      keyRing: ring,
      bridges: { telegram: { apiRoot: telegram.apiRoot, groupPostsPerMinute: 100_000 }, discord: { apiUrl: discord.apiUrl, botToken: discord.token, applicationId: discord.applicationId } },
      concurrency: 10,
      sweepIntervalMs: 1_000,
      log: createLogger('worker-test', 'silent'),
      storage,
      fileUrls: createFileUrlSigner(ring, { baseUrl: 'http://realtime.test', ttlSeconds: 600 }),
      maxAttachmentBytes: MAX_BYTES,
    });
    // Records what the worker pushes to widgets (the conversation actions' widget port) and still forwards it.
    const widget = worker.ctx.conversations.widget;
    const real = widget.message.bind(widget);
    widget.message = (conversationId, m) => { pushed.push({ conversationId, message: m }); real(conversationId, m); };
    await waitFor(() => discord.gateway.identifies >= 1 && discord.gateway.openSockets() >= 1, { what: 'worker gateway connected', timeoutMs: 20_000 });
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await producer?.close();
    await db?.$disconnect();
    await Promise.allSettled([telegram?.close(), discord?.close()]);
    await database?.drop();
    if (storageDir) rmSync(storageDir, { recursive: true, force: true });
  });

  const newConversation = async () => {
    const visitor = await createVisitor(db, organizationId, { projectId, tokenHash: sha256(randomBytes(8).toString('hex')), metadata: { pageUrl: 'https://f.test/' } });
    return getOrCreateOpenConversation(db, organizationId, { projectId, visitorId: visitor.id });
  };
  const threadOf = (conversationId: string, connectionId: string) =>
    waitFor(() => db.bridgeThread.findFirst({ where: { organizationId, conversationId, connectionId } }), { what: 'thread', timeoutMs: 20_000 });
  const botPosts = (threadId: string) => discord.messages(threadId).filter((m) => m.author.bot && !m.deleted && !m.content.startsWith('**New conversation**'));

  it('a widget file is uploaded into the Discord thread (multipart) exactly once, after the text', async () => {
    const c = await newConversation();
    const bytes = Buffer.from('%PDF-1.4\n% tiny test pdf\n');
    const key = `att/${organizationId}/${c.id}/${randomBytes(8).toString('hex')}`;
    await storage.put(key, bytes, { contentType: 'application/pdf', sha256: createHash('sha256').update(bytes).digest('hex') });
    const att = await createAttachment(db, organizationId, { conversationId: c.id, uploadedBy: 'visitor', name: 'invoice.pdf', contentType: 'application/pdf', size: bytes.length, sha256: 'x', storageKey: key });
    const r = await appendMessage(db, organizationId, { conversationId: c.id, sender: 'visitor', body: 'my invoice', source: 'widget', clientId: `f-${randomBytes(6).toString('hex')}`, attachmentIds: [att.id] });
    await producer.enqueueDeliveries(r.outbox);
    const dc = await threadOf(c.id, ids.discordConn);
    await waitFor(() => botPosts(dc.externalThreadId).length === 2, { what: 'text + file on Discord' });
    await waitFor(async () => (await db.outboxEvent.count({ where: { organizationId, conversationId: c.id, status: 'pending' } })) === 0, { what: 'outbox done' });
    const [text, file] = botPosts(dc.externalThreadId);
    expect(text!.content).toBe('my invoice');
    expect(file!.attachments?.[0]).toMatchObject({ filename: 'invoice.pdf', size: bytes.length, content_type: 'application/pdf' });
    expect(discord.fileBytes(file!.attachments![0]!.url)?.equals(bytes)).toBe(true);
    expect(discord.calls.filter((x) => x.files?.some((f) => f.filename === 'invoice.pdf'))).toHaveLength(1);
    // Both parts recorded: an edit or delete of the message can follow them.
    expect(await db.bridgeMessage.count({ where: { organizationId, messageId: r.message.id, connectionId: ids.discordConn } })).toBe(2);
  });

  it('an operator file posted on Discord is fetched, stored and shown in the widget, uploaded to Telegram; an oversize one is refused visibly', async () => {
    const c = await newConversation();
    const r = await appendMessage(db, organizationId, { conversationId: c.id, sender: 'visitor', body: 'can you see my screen?', source: 'widget', clientId: `f-${randomBytes(6).toString('hex')}` });
    await producer.enqueueDeliveries(r.outbox);
    const dc = await threadOf(c.id, ids.discordConn);
    await waitFor(() => botPosts(dc.externalThreadId).length === 1, { what: 'visitor message on Discord' });
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2000)]);
    discord.operatorWrites({ guildId: ids.guildId, threadId: dc.externalThreadId, content: 'here it is', author: { username: 'dora', global_name: 'Dora' }, files: [{ filename: 'shot.png', contentType: 'image/png', data: png }] });
    const push = await waitFor(() => pushed.find((p) => p.conversationId === c.id && p.message.attachments.length > 0), { what: 'pushed with file', timeoutMs: 20_000 });
    expect(push.message).toMatchObject({ body: 'here it is', sender: 'operator', authorName: 'Dora', source: 'discord' });
    expect(push.message.attachments[0]).toMatchObject({ name: 'shot.png', contentType: 'image/png', size: png.length });
    expect(push.message.attachments[0]?.url).toMatch(/^http:\/\/realtime\.test\/widget\/files\//);
    const row = await db.attachment.findFirstOrThrow({ where: { organizationId, conversationId: c.id } });
    expect(row.uploadedBy).toBe('operator');
    const obj = await storage.get(row.storageKey);
    const chunks: Buffer[] = [];
    for await (const chunk of obj!.body as AsyncIterable<Buffer>) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(png)).toBe(true);
    // Mirrored to Telegram: the labelled text, then the photo upload.
    await waitFor(() => telegram.callsOf('sendPhoto').some((call) => call.files?.[0]?.size === png.length), { what: 'photo on Telegram' });

    // Over the limit: nothing stored, the operator is told in the Discord thread.
    discord.operatorWrites({ guildId: ids.guildId, threadId: dc.externalThreadId, content: '', author: { username: 'dora', global_name: 'Dora' }, files: [{ filename: 'huge.png', contentType: 'image/png', data: Buffer.concat([png, Buffer.alloc(MAX_BYTES)]) }] });
    await waitFor(() => botPosts(dc.externalThreadId).some((m) => m.content.includes('huge.png')), { what: 'refusal note in the thread', timeoutMs: 20_000 });
    expect(await db.attachment.count({ where: { organizationId, conversationId: c.id } })).toBe(1);
  }, 60_000);

  it('an operator file over the storage quota is named in the message instead of stored; the text still arrives', async () => {
    const c = await newConversation();
    const r = await appendMessage(db, organizationId, { conversationId: c.id, sender: 'visitor', body: 'send me the form', source: 'widget', clientId: `f-${randomBytes(6).toString('hex')}` });
    await producer.enqueueDeliveries(r.outbox);
    const dc = await threadOf(c.id, ids.discordConn);
    await waitFor(() => botPosts(dc.externalThreadId).length === 1, { what: 'visitor message on Discord' });
    const used = await getStorageUsage(db, organizationId);
    const quotaFor = worker.ctx.storageQuotaFor;
    // 1000 bytes left: the 2 KB file does not fit.
    worker.ctx.storageQuotaFor = () => Promise.resolve(used + 1000);
    try {
      const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2000)]);
      discord.operatorWrites({ guildId: ids.guildId, threadId: dc.externalThreadId, content: 'the form', author: { username: 'dora', global_name: 'Dora' }, files: [{ filename: 'form.png', contentType: 'image/png', data: png }] });
      const push = await waitFor(() => pushed.find((p) => p.conversationId === c.id && p.message.sender === 'operator'), { what: 'operator message pushed', timeoutMs: 20_000 });
      expect(push.message.body).toBe('the form\n[File not available: form.png]');
      expect(push.message.attachments).toEqual([]);
      await waitFor(() => botPosts(dc.externalThreadId).some((m) => m.content.includes('form.png') && m.content.includes('storage is full')), { what: 'quota note in the thread', timeoutMs: 20_000 });
      expect(await db.attachment.count({ where: { organizationId, conversationId: c.id } })).toBe(0);
      expect(await getStorageUsage(db, organizationId)).toBe(used);
      // A file-only message still arrives: the name is the message.
      discord.operatorWrites({ guildId: ids.guildId, threadId: dc.externalThreadId, content: '', author: { username: 'dora', global_name: 'Dora' }, files: [{ filename: 'second.png', contentType: 'image/png', data: png }] });
      const second = await waitFor(() => pushed.find((p) => p.conversationId === c.id && p.message.body.includes('second.png')), { what: 'file-only message pushed', timeoutMs: 20_000 });
      expect(second.message.body).toBe('[File not available: second.png]');
    } finally {
      worker.ctx.storageQuotaFor = quotaFor;
    }
  }, 60_000);
});
