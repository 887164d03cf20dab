// Discord attachments both ways, through the real pipeline: the worker in-process (local file storage, the Discord
// gateway connection), one project connected to Telegram and Discord through their fakes.
// - A widget file is uploaded into the Discord thread as multipart (`files[0]` + `payload_json`), exactly once.
// - A file an operator posts in the Discord thread (MESSAGE_CREATE with attachments) is fetched from its url, size-
//   checked, stored, shown in the widget with a signed URL and uploaded to Telegram; a file over the limit is
//   refused with a note in the operator's thread, never silently dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { appendMessage, createAttachment, getStorageUsage, type TDb } from '@pocketping/db';
import type { TProducer } from '@pocketping/jobs';
import type { TMessage } from '@pocketping/protocol';
import type { TStorage } from '@pocketping/storage';
import { waitFor, type TFakeDiscord, type TFakeTelegram } from '@pocketping/testkit';
import type { TWorkerRuntime } from '../../apps/worker/src/runtime.js';
import { startDiscordPipelineStack, type TDiscordPipelineStack } from './discord-pipeline-stack.js';

const MAX_BYTES = 64 * 1024;

describe('Discord attachments through the pipeline', () => {
  let stack: TDiscordPipelineStack;
  let db: TDb;
  let telegram: TFakeTelegram;
  let discord: TFakeDiscord;
  let worker: TWorkerRuntime;
  let producer: TProducer;
  let storage: TStorage;
  let tenant: { organizationId: string; projectId: string };
  let organizationId: string;
  const ids = { tgConn: '', discordConn: '', chatId: 0, guildId: '', channelId: '' };
  const pushed: { conversationId: string; message: TMessage }[] = [];

  beforeAll(async () => {
    stack = await startDiscordPipelineStack({ maxAttachmentBytes: MAX_BYTES });
    ({ db, telegram, discord, worker, producer, storage } = stack);
    const t = await stack.tenant('files', { telegram: true });
    tenant = t;
    organizationId = t.organizationId;
    ids.tgConn = t.telegram!.connectionId;
    ids.chatId = t.telegram!.chatId;
    const dc = await stack.connectDiscord(tenant);
    ids.discordConn = dc.connectionId;
    ids.guildId = dc.guildId;
    ids.channelId = dc.channelId;
    // Records what the worker pushes to widgets (the conversation actions' widget port) and still forwards it.
    const widget = worker.ctx.conversations.widget;
    const real = widget.message.bind(widget);
    widget.message = (conversationId, m) => {
      pushed.push({ conversationId, message: m });
      real(conversationId, m);
    };
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  const newConversation = () => stack.newConversation(tenant, { pageUrl: 'https://f.test/' });
  const threadOf = (conversationId: string, connectionId: string) =>
    waitFor(() => db.bridgeThread.findFirst({ where: { organizationId, conversationId, connectionId } }), {
      what: 'thread',
      timeoutMs: 20_000,
    });
  const botPosts = (threadId: string) =>
    discord
      .messages(threadId)
      .filter((m) => m.author.bot && !m.deleted && !m.content.startsWith('**New conversation**'));

  it('a widget file is uploaded into the Discord thread (multipart) exactly once, after the text', async () => {
    const c = await newConversation();
    const bytes = Buffer.from('%PDF-1.4\n% tiny test pdf\n');
    const key = `att/${organizationId}/${c.id}/${randomBytes(8).toString('hex')}`;
    await storage.put(key, bytes, {
      contentType: 'application/pdf',
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    const att = await createAttachment(db, organizationId, {
      conversationId: c.id,
      uploadedBy: 'visitor',
      name: 'invoice.pdf',
      contentType: 'application/pdf',
      size: bytes.length,
      sha256: 'x',
      storageKey: key,
    });
    const r = await appendMessage(db, organizationId, {
      conversationId: c.id,
      sender: 'visitor',
      body: 'my invoice',
      source: 'widget',
      clientId: `f-${randomBytes(6).toString('hex')}`,
      attachmentIds: [att.id],
    });
    await producer.enqueueDeliveries(r.outbox);
    const dc = await threadOf(c.id, ids.discordConn);
    await waitFor(() => botPosts(dc.externalThreadId).length === 2, { what: 'text + file on Discord' });
    await waitFor(
      async () =>
        (await db.outboxEvent.count({ where: { organizationId, conversationId: c.id, status: 'pending' } })) === 0,
      { what: 'outbox done' },
    );
    const [text, file] = botPosts(dc.externalThreadId);
    expect(text!.content).toBe('my invoice');
    expect(file!.attachments?.[0]).toMatchObject({
      filename: 'invoice.pdf',
      size: bytes.length,
      content_type: 'application/pdf',
    });
    expect(discord.fileBytes(file!.attachments![0]!.url)?.equals(bytes)).toBe(true);
    expect(discord.calls.filter((x) => x.files?.some((f) => f.filename === 'invoice.pdf'))).toHaveLength(1);
    // Both parts recorded: an edit or delete of the message can follow them.
    expect(
      await db.bridgeMessage.count({
        where: { organizationId, messageId: r.message.id, connectionId: ids.discordConn },
      }),
    ).toBe(2);
  });

  it('an operator file posted on Discord is fetched, stored and shown in the widget, uploaded to Telegram; an oversize one is refused visibly', async () => {
    const c = await newConversation();
    const r = await appendMessage(db, organizationId, {
      conversationId: c.id,
      sender: 'visitor',
      body: 'can you see my screen?',
      source: 'widget',
      clientId: `f-${randomBytes(6).toString('hex')}`,
    });
    await producer.enqueueDeliveries(r.outbox);
    const dc = await threadOf(c.id, ids.discordConn);
    await waitFor(() => botPosts(dc.externalThreadId).length === 1, { what: 'visitor message on Discord' });
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2000)]);
    discord.operatorWrites({
      guildId: ids.guildId,
      threadId: dc.externalThreadId,
      content: 'here it is',
      author: { username: 'dora', global_name: 'Dora' },
      files: [{ filename: 'shot.png', contentType: 'image/png', data: png }],
    });
    const push = await waitFor(
      () => pushed.find((p) => p.conversationId === c.id && p.message.attachments.length > 0),
      { what: 'pushed with file', timeoutMs: 20_000 },
    );
    expect(push.message).toMatchObject({
      body: 'here it is',
      sender: 'operator',
      authorName: 'Dora',
      source: 'discord',
    });
    expect(push.message.attachments[0]).toMatchObject({ name: 'shot.png', contentType: 'image/png', size: png.length });
    expect(push.message.attachments[0]?.url).toMatch(/^http:\/\/realtime\.test\/widget\/files\//);
    const row = await db.attachment.findFirstOrThrow({ where: { organizationId, conversationId: c.id } });
    expect(row.uploadedBy).toBe('operator');
    const obj = await storage.get(row.storageKey);
    const chunks: Buffer[] = [];
    for await (const chunk of obj!.body as AsyncIterable<Buffer>) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(png)).toBe(true);
    // Mirrored to Telegram: the labelled text, then the photo upload.
    await waitFor(() => telegram.callsOf('sendPhoto').some((call) => call.files?.[0]?.size === png.length), {
      what: 'photo on Telegram',
    });

    // Over the limit: nothing stored, the operator is told in the Discord thread.
    discord.operatorWrites({
      guildId: ids.guildId,
      threadId: dc.externalThreadId,
      content: '',
      author: { username: 'dora', global_name: 'Dora' },
      files: [{ filename: 'huge.png', contentType: 'image/png', data: Buffer.concat([png, Buffer.alloc(MAX_BYTES)]) }],
    });
    await waitFor(() => botPosts(dc.externalThreadId).some((m) => m.content.includes('huge.png')), {
      what: 'refusal note in the thread',
      timeoutMs: 20_000,
    });
    expect(await db.attachment.count({ where: { organizationId, conversationId: c.id } })).toBe(1);
  }, 60_000);

  it('an operator file over the storage quota is named in the message instead of stored; the text still arrives', async () => {
    const c = await newConversation();
    const r = await appendMessage(db, organizationId, {
      conversationId: c.id,
      sender: 'visitor',
      body: 'send me the form',
      source: 'widget',
      clientId: `f-${randomBytes(6).toString('hex')}`,
    });
    await producer.enqueueDeliveries(r.outbox);
    const dc = await threadOf(c.id, ids.discordConn);
    await waitFor(() => botPosts(dc.externalThreadId).length === 1, { what: 'visitor message on Discord' });
    const used = await getStorageUsage(db, organizationId);
    const quotaFor = worker.ctx.storageQuotaFor;
    // 1000 bytes left: the 2 KB file does not fit.
    worker.ctx.storageQuotaFor = () => Promise.resolve(used + 1000);
    try {
      const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2000)]);
      discord.operatorWrites({
        guildId: ids.guildId,
        threadId: dc.externalThreadId,
        content: 'the form',
        author: { username: 'dora', global_name: 'Dora' },
        files: [{ filename: 'form.png', contentType: 'image/png', data: png }],
      });
      const push = await waitFor(
        () => pushed.find((p) => p.conversationId === c.id && p.message.sender === 'operator'),
        { what: 'operator message pushed', timeoutMs: 20_000 },
      );
      expect(push.message.body).toBe('the form\n[File not available: form.png]');
      expect(push.message.attachments).toEqual([]);
      await waitFor(
        () =>
          botPosts(dc.externalThreadId).some(
            (m) => m.content.includes('form.png') && m.content.includes('storage is full'),
          ),
        { what: 'quota note in the thread', timeoutMs: 20_000 },
      );
      expect(await db.attachment.count({ where: { organizationId, conversationId: c.id } })).toBe(0);
      expect(await getStorageUsage(db, organizationId)).toBe(used);
      // A file-only message still arrives: the name is the message.
      discord.operatorWrites({
        guildId: ids.guildId,
        threadId: dc.externalThreadId,
        content: '',
        author: { username: 'dora', global_name: 'Dora' },
        files: [{ filename: 'second.png', contentType: 'image/png', data: png }],
      });
      const second = await waitFor(
        () => pushed.find((p) => p.conversationId === c.id && p.message.body.includes('second.png')),
        { what: 'file-only message pushed', timeoutMs: 20_000 },
      );
      expect(second.message.body).toBe('[File not available: second.png]');
    } finally {
      worker.ctx.storageQuotaFor = quotaFor;
    }
  }, 60_000);
});
