// The fake is driven through grammY's own Api/Bot classes: if the SDK accepts what the fake answers, bridges
// tested against the fake are tested against the wire format they will meet in production.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Api, Bot, GrammyError, InputFile } from 'grammy';
import { startFakeTelegram } from './fake-telegram.js';
import type { TFakeTelegram } from './fake-telegram.js';

const TOKEN = '6100000001:AAHfakeTokenForPocketPingTests_0123456';

/** Awaits the GrammyError a call must fail with. */
async function grammyError(p: Promise<unknown>): Promise<GrammyError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GrammyError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

/** A tiny webhook receiver that records what Telegram (the fake) POSTs to it. */
async function startReceiver(statuses: number[] = []): Promise<{
  url: string;
  hits: { headers: IncomingHttpHeaders; body: Record<string, unknown> }[];
  close(): Promise<void>;
}> {
  const hits: { headers: IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/webhooks/telegram/abc`,
    hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('fake Telegram Bot API', () => {
  let fake: TFakeTelegram;
  let api: Api;
  let chatId: number;

  beforeEach(async () => {
    fake = await startFakeTelegram();
    fake.addBot(TOKEN, { username: 'pp_support_bot' });
    chatId = fake.addForumChat({ title: 'Acme support' }).id;
    api = new Api(TOKEN, { apiRoot: fake.apiRoot });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('answers getMe, getChat and getChatMember like a tenant validation expects', async () => {
    const me = await api.getMe();
    expect(me).toMatchObject({ id: 6100000001, is_bot: true, username: 'pp_support_bot', can_join_groups: true });
    const chat = await api.getChat(chatId);
    expect(chat).toMatchObject({ id: chatId, type: 'supergroup', title: 'Acme support', is_forum: true });
    const member = await api.getChatMember(chatId, me.id);
    expect(member).toMatchObject({
      status: 'administrator',
      can_manage_topics: true,
      user: { id: me.id, is_bot: true },
    });
    expect((await grammyError(api.getChat(-100999))).description).toBe('Bad Request: chat not found');
    expect(fake.callsOf('getMe')).toHaveLength(1);
  });

  it('creates a topic and posts HTML into it', async () => {
    const topic = await api.createForumTopic(chatId, 'Visitor #42 — pricing');
    expect(topic).toEqual({
      message_thread_id: expect.any(Number),
      name: 'Visitor #42 — pricing',
      icon_color: 0x6fb9f0,
    });

    const sent = await api.sendMessage(
      chatId,
      '<b>Visitor</b>: 2 &lt; 3 &amp; <a href="https://x.test/?a=1&amp;b=2">link</a>',
      {
        message_thread_id: topic.message_thread_id,
        parse_mode: 'HTML',
      },
    );
    expect(sent).toMatchObject({
      message_thread_id: topic.message_thread_id,
      is_topic_message: true,
      from: { is_bot: true, username: 'pp_support_bot' },
      chat: { id: chatId, type: 'supergroup', is_forum: true },
      text: 'Visitor: 2 < 3 & link',
      entities: [
        { type: 'bold', offset: 0, length: 7 },
        { type: 'text_link', offset: 17, length: 4, url: 'https://x.test/?a=1&b=2' },
      ],
      // as on Telegram, a plain message in a topic "replies" to the topic's creation service message
      reply_to_message: { message_id: topic.message_thread_id, forum_topic_created: { name: 'Visitor #42 — pricing' } },
    });
    expect(sent.message_id).toBeGreaterThan(topic.message_thread_id);
    expect(fake.topics(chatId)).toEqual([
      { threadId: topic.message_thread_id, name: 'Visitor #42 — pricing', closed: false },
    ]);
    expect(fake.messages(chatId, topic.message_thread_id)).toEqual([
      {
        messageId: sent.message_id,
        threadId: topic.message_thread_id,
        text: 'Visitor: 2 < 3 & link',
        fromBot: true,
        deleted: false,
        edited: false,
      },
    ]);

    // Unescaped visitor text and unknown tags are refused the way Telegram refuses them.
    const bareLt = await grammyError(
      api.sendMessage(chatId, 'if a < b', { message_thread_id: topic.message_thread_id, parse_mode: 'HTML' }),
    );
    expect(bareLt.error_code).toBe(400);
    expect(bareLt.description).toMatch(/^Bad Request: can't parse entities: /);
    const bareAmp = await grammyError(
      api.sendMessage(chatId, 'Q&A', { message_thread_id: topic.message_thread_id, parse_mode: 'HTML' }),
    );
    expect(bareAmp.description).toMatch(/^Bad Request: can't parse entities: /);
    const unclosed = await grammyError(api.sendMessage(chatId, '<b>hi', { parse_mode: 'HTML' }));
    expect(unclosed.description).toBe(
      `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`,
    );
    expect((await grammyError(api.sendMessage(chatId, 'x'.repeat(4097)))).description).toBe(
      'Bad Request: message is too long',
    );
    expect((await grammyError(api.createForumTopic(chatId, 'n'.repeat(129)))).description).toBe(
      'Bad Request: TOPIC_NAME_INVALID',
    );

    const edited = await api.editMessageText(chatId, sent.message_id, 'changed');
    expect(edited).toMatchObject({ text: 'changed', edit_date: expect.any(Number) });
    expect((await grammyError(api.editMessageText(chatId, sent.message_id, 'changed'))).description).toMatch(
      /^Bad Request: message is not modified/,
    );
    expect(await api.deleteMessage(chatId, sent.message_id)).toBe(true);
    expect(fake.messages(chatId, topic.message_thread_id)[0]).toMatchObject({ deleted: true, edited: true });
  });

  it('refuses topics in a non-forum chat or without rights', async () => {
    const plain = fake.addForumChat({ isForum: false }).id;
    expect((await grammyError(api.createForumTopic(plain, 't'))).description).toBe(
      'Bad Request: the chat is not a forum',
    );
    const noRights = fake.addForumChat({ canManageTopics: false }).id;
    expect((await grammyError(api.createForumTopic(noRights, 't'))).description).toBe(
      'Bad Request: not enough rights to create a topic',
    );
  });

  it('surfaces an injected 429 with parameters.retry_after, then recovers', async () => {
    fake.failNext('sendMessage', { errorCode: 429, description: 'Too Many Requests: retry after 7', retryAfter: 7 });
    const err = await grammyError(api.sendMessage(chatId, 'hello'));
    expect(err.error_code).toBe(429);
    expect(err.description).toBe('Too Many Requests: retry after 7');
    expect(err.parameters.retry_after).toBe(7);
    await expect(api.sendMessage(chatId, 'hello')).resolves.toMatchObject({ text: 'hello' });
    expect(fake.callsOf('sendMessage')).toHaveLength(2); // the failed call is recorded too
  });

  it('answers 401 Unauthorized once the token is revoked, and 404 for unknown methods', async () => {
    await api.getMe();
    fake.revokeToken(TOKEN);
    const err = await grammyError(api.getMe());
    expect(err.error_code).toBe(401);
    expect(err.description).toBe('Unauthorized');
    expect((await grammyError(new Api('1:unknown', { apiRoot: fake.apiRoot }).getMe())).error_code).toBe(401);

    fake.addBot('42:other');
    const res = await fetch(`${fake.apiRoot}/bot42:other/noSuchMethod`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
  });

  it('sendChatAction: "typing" in a topic; a wrong action or a deleted topic is refused', async () => {
    const topic = await api.createForumTopic(chatId, 'Visitor #2');
    expect(await api.sendChatAction(chatId, 'typing', { message_thread_id: topic.message_thread_id })).toBe(true);
    expect(fake.callsOf('sendChatAction').map((c) => [c.params.action, Number(c.params.message_thread_id)])).toEqual([
      ['typing', topic.message_thread_id],
    ]);
    const wrong = await grammyError(api.raw.sendChatAction({ chat_id: chatId, action: 'dancing' as 'typing' }));
    expect(wrong.description).toBe('Bad Request: wrong parameter action in request');
    fake.deleteTopic(chatId, topic.message_thread_id);
    const gone = await grammyError(
      api.sendChatAction(chatId, 'typing', { message_thread_id: topic.message_thread_id }),
    );
    expect(gone.description).toBe('Bad Request: message thread not found');
  });

  it('fails with "message thread not found" after the topic is deleted', async () => {
    const topic = await api.createForumTopic(chatId, 'Visitor #1');
    await api.sendMessage(chatId, 'first', { message_thread_id: topic.message_thread_id });
    fake.deleteTopic(chatId, topic.message_thread_id);
    const err = await grammyError(api.sendMessage(chatId, 'second', { message_thread_id: topic.message_thread_id }));
    expect(err.error_code).toBe(400);
    expect(err.description).toBe('Bad Request: message thread not found');
    expect(fake.topics(chatId)).toEqual([]);
  });

  it('POSTs operator messages to the webhook with the secret header, retrying non-2xx answers', async () => {
    const receiver = await startReceiver();
    try {
      const topic = await api.createForumTopic(chatId, 'Visitor #7');
      expect(
        await api.setWebhook(receiver.url, {
          secret_token: 's3cr3t_Token-1',
          allowed_updates: ['message', 'edited_message'],
        }),
      ).toBe(true);
      expect((await grammyError(api.setWebhook(receiver.url, { secret_token: 'not allowed!' }))).description).toBe(
        'Bad Request: secret token contains unallowed characters',
      );
      expect(await api.getWebhookInfo()).toMatchObject({
        url: receiver.url,
        pending_update_count: 0,
        allowed_updates: ['message', 'edited_message'],
      });
      const conflict = await grammyError(api.getUpdates({ timeout: 0 }));
      expect(conflict.error_code).toBe(409);

      const from = { id: 9001, first_name: 'Ann', last_name: 'Agent', username: 'ann' };
      const { update, webhookStatus } = await fake.operatorWrites({
        token: TOKEN,
        chatId,
        threadId: topic.message_thread_id,
        text: 'On it!',
        from,
      });
      expect(webhookStatus).toBe(200);
      expect(receiver.hits).toHaveLength(1);
      const hit = receiver.hits[0]!;
      expect(hit.headers['x-telegram-bot-api-secret-token']).toBe('s3cr3t_Token-1');
      expect(hit.headers['content-type']).toBe('application/json');
      expect(hit.body).toEqual(update);
      expect(hit.body).toMatchObject({
        update_id: expect.any(Number),
        message: {
          from: { id: 9001, is_bot: false, first_name: 'Ann' },
          chat: { id: chatId, type: 'supergroup', is_forum: true },
          message_thread_id: topic.message_thread_id,
          is_topic_message: true,
          text: 'On it!',
        },
      });

      // An edit arrives as edited_message with the same message_id and a later update_id.
      const messageId = (hit.body.message as { message_id: number }).message_id;
      const edit = await fake.operatorWrites({
        token: TOKEN,
        chatId,
        threadId: topic.message_thread_id,
        text: 'On it now!',
        editOf: messageId,
      });
      expect(edit.update).toMatchObject({
        update_id: (update as { update_id: number }).update_id + 1,
        edited_message: { message_id: messageId, text: 'On it now!' },
      });

      // Redelivery of the same update (what Telegram does after a failed answer) keeps its update_id.
      const failing = await startReceiver([500, 200]);
      try {
        await api.setWebhook(failing.url, { secret_token: 'other' });
        const again = await fake.deliverUpdate(TOKEN, update as Record<string, unknown>);
        expect(again.webhookStatus).toBe(500);
        expect(failing.hits.map((h) => h.body.update_id)).toEqual([
          (update as { update_id: number }).update_id,
          (update as { update_id: number }).update_id,
        ]);
        expect((await api.getWebhookInfo()).last_error_message).toBe(
          'Wrong response from the webhook: 500 Internal Server Error',
        );
      } finally {
        await failing.close();
      }
    } finally {
      await receiver.close();
    }
  });

  it('holds getUpdates open until an operator message arrives; offset confirms it', async () => {
    const topic = await api.createForumTopic(chatId, 'Visitor #9');
    const started = Date.now();
    const poll = api.getUpdates({ timeout: 5, allowed_updates: ['message'] });
    setTimeout(() => {
      void fake.operatorWrites({
        token: TOKEN,
        chatId,
        threadId: topic.message_thread_id,
        text: 'hello from Telegram',
      });
    }, 150);
    const updates = await poll;
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(updates).toHaveLength(1);
    const first = updates[0]!;
    expect(first.message).toMatchObject({
      text: 'hello from Telegram',
      message_thread_id: topic.message_thread_id,
      from: { is_bot: false },
    });

    // Not confirmed yet: the same update comes back; offset = update_id + 1 confirms it.
    expect((await api.getUpdates({ timeout: 0 })).map((u) => u.update_id)).toEqual([first.update_id]);
    expect(await api.getUpdates({ offset: first.update_id + 1, timeout: 0 })).toEqual([]);

    // An empty long poll returns [] after its timeout.
    const t0 = Date.now();
    expect(await api.getUpdates({ timeout: 1 })).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it("works with grammY's Bot long-polling runtime, including bot.stop()", async () => {
    const topic = await api.createForumTopic(chatId, 'Visitor #10');
    const bot = new Bot(TOKEN, { client: { apiRoot: fake.apiRoot } });
    const seen: string[] = [];
    const got = new Promise<void>((resolve) => {
      bot.on('message:text', (ctx) => {
        seen.push(ctx.message.text);
        resolve();
      });
    });
    void bot.start({ timeout: 5 });
    await fake.operatorWrites({ token: TOKEN, chatId, threadId: topic.message_thread_id, text: 'via Bot' });
    await got;
    await bot.stop(); // aborts the held getUpdates and confirms the handled update
    expect(seen).toEqual(['via Bot']);
    expect(await api.getUpdates({ timeout: 0 })).toEqual([]);
  });

  it('uploads a document as multipart, then serves it back through getFile and the file URL', async () => {
    const topic = await api.createForumTopic(chatId, 'Visitor #11');
    const bytes = Buffer.from('transcript: visitor said hi\n'.repeat(50), 'utf8');
    const sent = await api.sendDocument(chatId, new InputFile(bytes, 'transcript.txt'), {
      message_thread_id: topic.message_thread_id,
      caption: '<i>Transcript</i>',
      parse_mode: 'HTML',
    });
    expect(sent.document).toMatchObject({
      file_name: 'transcript.txt',
      mime_type: 'text/plain',
      file_size: bytes.length,
    });
    expect(sent).toMatchObject({
      caption: 'Transcript',
      caption_entities: [{ type: 'italic', offset: 0, length: 10 }],
      message_thread_id: topic.message_thread_id,
    });

    const call = fake.callsOf('sendDocument')[0]!;
    expect(call.files).toEqual([
      { field: 'document', filename: 'transcript.txt', size: bytes.length, mimeType: 'application/octet-stream' },
    ]);
    expect(call.params.chat_id).toBe(String(chatId)); // multipart fields arrive as strings

    const file = await api.getFile(sent.document!.file_id);
    expect(file).toMatchObject({
      file_id: sent.document!.file_id,
      file_size: bytes.length,
      file_path: expect.stringMatching(/^documents\/file_\d+\.txt$/),
    });
    const res = await fetch(`${fake.apiRoot}/file/bot${TOKEN}/${file.file_path!}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);

    // Re-sending by file_id reuses the file; a photo that is not an image is refused like Telegram does.
    const again = await api.sendDocument(chatId, sent.document!.file_id);
    expect(again.document?.file_id).toBe(sent.document!.file_id);
    expect(
      (await grammyError(api.sendPhoto(chatId, new InputFile(Buffer.from('not an image'), 'x.jpg')))).description,
    ).toBe('Bad Request: IMAGE_PROCESS_FAILED');
  });

  it('delivers operator photos with a downloadable JPEG', async () => {
    const topic = await api.createForumTopic(chatId, 'Visitor #12');
    const { update } = await fake.operatorWrites({
      token: TOKEN,
      chatId,
      threadId: topic.message_thread_id,
      photo: true,
      text: 'see screenshot',
    });
    const [u] = await api.getUpdates({ timeout: 0 });
    expect(u).toEqual(update);
    const photo = u!.message!.photo!;
    expect(u!.message!.caption).toBe('see screenshot');
    const file = await api.getFile(photo[photo.length - 1]!.file_id);
    const res = await fetch(`${fake.apiRoot}/file/bot${TOKEN}/${file.file_path!}`);
    const jpeg = Buffer.from(await res.arrayBuffer());
    expect(jpeg.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(jpeg.length).toBe(file.file_size);
  });

  it('accepts form-urlencoded and query-string parameters', async () => {
    const form = await fetch(`${fake.apiRoot}/bot${TOKEN}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ chat_id: String(chatId), text: '<b>form</b>', parse_mode: 'HTML' }),
    });
    expect(await form.json()).toMatchObject({
      ok: true,
      result: { text: 'form', entities: [{ type: 'bold', offset: 0, length: 4 }] },
    });
    const query = await fetch(`${fake.apiRoot}/bot${TOKEN}/getChat?chat_id=${chatId}`);
    expect(await query.json()).toMatchObject({ ok: true, result: { id: chatId, is_forum: true } });
  });
});
