// The common bridge pipeline against the real Postgres and Redis and the fake Telegram (two Telegram connections
// on one project stand in for "every other connected app"): mirroring with the right label, edits and deletes
// following the copies, operator commands, files both ways, a 5xx storm, and a broken connection alerting the
// owner on the other app once per outage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { changeMessage, createAttachment, createSavedReply, getConnection, listMessagesAfter } from '@pocketping/db';
import { waitFor } from '@pocketping/testkit';
import { startHarness, type THarness } from './pipeline-harness.js';

describe('bridge pipeline features (worker in-process, two Telegram connections)', () => {
  let h: THarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const conversationWithTopics = () => h.conversationWithTopics();

  it('mirrors an operator reply to the widget and to the other app with "Name (via Telegram)", never back to its source', async () => {
    const { c, ta, tb } = await conversationWithTopics();
    await h.operatorWrites(h.a, ta, { text: 'Hi, Sarah here <b>', from: { id: 71, first_name: 'Sarah' } });
    const stored = (await listMessagesAfter(h.db, h.organizationId, c.id, 0, 10)).messages;
    expect(stored.map((m) => [m.sender, m.body])).toEqual([
      ['visitor', `hello from ${c.id.slice(-5)}`],
      ['operator', 'Hi, Sarah here <b>'],
    ]);
    expect(h.pushed.messages.some((p) => p.conversationId === c.id && p.message.body === 'Hi, Sarah here <b>')).toBe(
      true,
    );
    await waitFor(() => h.botPosts(h.b, tb).length === 2, { what: 'mirrored copy' });
    // HTML-escaped on the wire, shown as text by Telegram: the label names the author and the app.
    expect(h.botPosts(h.b, tb)[1]?.text).toBe('Sarah (via Telegram): Hi, Sarah here <b>');
    expect(h.botPosts(h.a, ta)).toHaveLength(1); // not echoed into the thread it came from
  });

  it('an operator edit updates the stored message (same seq), the widget and the mirrored copy; a repeat changes nothing', async () => {
    const { c, ta, tb } = await conversationWithTopics();
    const { messageId } = await h.operatorWrites(h.a, ta, { text: 'price is 10', from: { id: 72, first_name: 'Ann' } });
    await waitFor(() => h.botPosts(h.b, tb).length === 2, { what: 'copy' });
    const before = (await listMessagesAfter(h.db, h.organizationId, c.id, 0, 10)).messages.find(
      (m) => m.sender === 'operator',
    )!;
    await h.operatorWrites(h.a, ta, { text: 'price is 12', editOf: messageId, from: { id: 72, first_name: 'Ann' } });
    const after = (await listMessagesAfter(h.db, h.organizationId, c.id, 0, 10)).messages.find(
      (m) => m.sender === 'operator',
    )!;
    expect(after).toMatchObject({ id: before.id, seq: before.seq, body: 'price is 12' });
    expect(after.editedAt).not.toBeNull();
    expect(h.pushed.messages.filter((p) => p.message.id === before.id).map((p) => p.message.body)).toEqual([
      'price is 10',
      'price is 12',
    ]);
    await waitFor(() => h.botPosts(h.b, tb)[1]?.text === 'Ann (via Telegram): price is 12', { what: 'copy edited' });
    expect(h.botPosts(h.b, tb)[1]?.edited).toBe(true);
    // The same edit delivered again (another update id): nothing new is queued.
    const outboxBefore = await h.db.outboxEvent.count({
      where: { organizationId: h.organizationId, messageId: before.id },
    });
    await h.operatorWrites(h.a, ta, { text: 'price is 12', editOf: messageId, from: { id: 72, first_name: 'Ann' } });
    expect(await h.db.outboxEvent.count({ where: { organizationId: h.organizationId, messageId: before.id } })).toBe(
      outboxBefore,
    );
  });

  it('a delete removes the mirrored copies and blanks the message for the widget (same seq)', async () => {
    const { c, ta, tb } = await conversationWithTopics();
    await h.operatorWrites(h.a, ta, { text: 'oops, wrong chat', from: { id: 73, first_name: 'Bo' } });
    await waitFor(() => h.botPosts(h.b, tb).length === 2, { what: 'copy' });
    const msg = (await listMessagesAfter(h.db, h.organizationId, c.id, 0, 10)).messages.find(
      (m) => m.sender === 'operator',
    )!;
    // Telegram tells bots nothing about deletions; Slack/Discord deliver them as `delete` actions, which end here.
    const r = await changeMessage(h.db, h.organizationId, {
      messageId: msg.id,
      change: { kind: 'delete' },
      excludeConnectionId: h.a.connection.id,
    });
    expect(r?.changed).toBe(true);
    expect(r?.message).toMatchObject({ seq: msg.seq, body: '' });
    await h.producer.enqueueDeliveries(r!.outbox);
    await waitFor(() => h.botPosts(h.b, tb)[1]?.deleted === true, { what: 'copy deleted' });
    expect(h.botPosts(h.a, ta)[0]?.deleted).toBe(false);
  });

  it('commands: /info, /close (widget told, CSAT), /reopen, /ai off, /help — answers only in the operator thread', async () => {
    const { c, ta, tb } = await conversationWithTopics();
    const answers = () =>
      h
        .botPosts(h.a, ta)
        .slice(1)
        .map((m) => m.text ?? '');
    await h.operatorWrites(h.a, ta, { text: '/info' });
    // Presence is told on request only (no widget is connected in this harness).
    await waitFor(
      () =>
        answers().some(
          (t) =>
            t.startsWith('Visitor card') &&
            t.includes('Page: https://site.test/pricing') &&
            t.includes('Visitor: not on the site'),
        ),
      { what: '/info answer' },
    );
    await h.operatorWrites(h.a, ta, { text: '/close@pocketping_test_bot' });
    expect((await h.db.conversation.findUnique({ where: { id: c.id } }))?.status).toBe('closed');
    // csatRequested follows the project's CSAT setting (off by default).
    expect(h.pushed.conversations).toContainEqual({ conversationId: c.id, status: 'closed', csatRequested: false });
    await waitFor(() => answers().some((t) => t.startsWith('Conversation closed by Olivia Operator')), {
      what: '/close answer',
    });
    await h.operatorWrites(h.a, ta, { text: '!reopen' });
    expect((await h.db.conversation.findUnique({ where: { id: c.id } }))?.status).toBe('open');
    expect(h.pushed.conversations).toContainEqual({ conversationId: c.id, status: 'open', csatRequested: false });
    await h.operatorWrites(h.a, ta, { text: '/ai off' });
    expect((await h.db.conversation.findUnique({ where: { id: c.id } }))?.aiState).toBe('off');
    await h.operatorWrites(h.a, ta, { text: '/help' });
    await h.operatorWrites(h.a, ta, { text: '/frobnicate' });
    await waitFor(() => answers().some((t) => t.startsWith('Unknown command "/frobnicate"')), {
      what: 'unknown answer',
    });
    expect(answers().some((t) => t.includes('/note &lt;text&gt;') || t.includes('/note <text>'))).toBe(true);
    // None of it reached the visitor: no visitor-visible message besides the first one.
    const visible = (await listMessagesAfter(h.db, h.organizationId, c.id, 0, 50)).messages;
    expect(visible.map((m) => m.body)).toEqual([`hello from ${c.id.slice(-5)}`]);
    // The other app sees the close/reopen trace as notes, not the answers.
    await waitFor(() => h.botPosts(h.b, tb).length === 3, { what: 'notes mirrored' });
    expect(
      h
        .botPosts(h.b, tb)
        .slice(1)
        .map((m) => m.text),
    ).toEqual([
      '📝 Note by Olivia Operator (via Telegram): closed the conversation',
      '📝 Note by Olivia Operator (via Telegram): reopened the conversation',
    ]);
  });

  it('/note is stored internal, mirrored to the other app as a note, never shown to the visitor; a redelivery stores it once', async () => {
    const { c, ta, tb } = await conversationWithTopics();
    const { eventId } = await h.operatorWrites(h.a, ta, {
      text: '/note VIP customer, be nice',
      from: { id: 74, first_name: 'Cy' },
    });
    const notes = await h.db.message.findMany({
      where: { organizationId: h.organizationId, conversationId: c.id, visibility: 'internal' },
    });
    expect(notes.map((n) => n.body)).toEqual(['VIP customer, be nice']);
    expect(
      (await listMessagesAfter(h.db, h.organizationId, c.id, 0, 50)).messages.some((m) => m.body.includes('VIP')),
    ).toBe(false);
    expect(h.pushed.messages.some((p) => p.message.body.includes('VIP'))).toBe(false);
    await waitFor(() => h.botPosts(h.b, tb)[1]?.text === '📝 Note by Cy (via Telegram): VIP customer, be nice', {
      what: 'note mirrored',
    });
    await waitFor(() => h.botPosts(h.a, ta).some((m) => m.text?.startsWith('Note saved')), {
      what: 'note acknowledged',
    });
    // The same update processed again (job retried after a crash): still one note.
    await h.db.inboundEvent.update({ where: { id: eventId }, data: { status: 'pending' } });
    await h.producer
      .enqueueInbound({ organizationId: h.organizationId, inboundEventId: `${eventId}` })
      .catch(() => undefined);
    await h.worker.sweep();
    await waitFor(async () => (await h.db.inboundEvent.findUnique({ where: { id: eventId } }))?.status === 'done', {
      what: 'reprocessed',
    });
    expect(
      await h.db.message.count({
        where: { organizationId: h.organizationId, conversationId: c.id, visibility: 'internal' },
      }),
    ).toBe(1);
  });

  it('/saved lists the saved replies; /saved <shortcut> sends one as that operator, mirrored and delivered once', async () => {
    await createSavedReply(h.db, h.organizationId, h.projectId, {
      title: 'Refund policy',
      shortcut: 'refund',
      body: 'Hi {visitor.name}, refunds take 5 days. — {operator.name}',
    });
    const { c, ta, tb } = await conversationWithTopics();
    const answers = () =>
      h
        .botPosts(h.a, ta)
        .slice(1)
        .map((m) => m.text ?? '');
    await h.operatorWrites(h.a, ta, { text: '/saved', from: { id: 76, first_name: 'Eve' } });
    await waitFor(() => answers().some((t) => t.includes('/saved refund — Refund policy')), { what: '/saved list' });
    await h.operatorWrites(h.a, ta, { text: '/saved nope', from: { id: 76, first_name: 'Eve' } });
    await waitFor(() => answers().some((t) => t.startsWith('No saved reply "nope"')), { what: 'unknown shortcut' });

    const { eventId } = await h.operatorWrites(h.a, ta, { text: '!saved Refund', from: { id: 76, first_name: 'Eve' } });
    // The visitor has no name: the placeholder becomes a neutral word, never "{visitor.name}" or a gap.
    const text = 'Hi there, refunds take 5 days. — Eve';
    const visible = () =>
      listMessagesAfter(h.db, h.organizationId, c.id, 0, 50).then((r) => r.messages.filter((m) => m.body === text));
    expect(await visible()).toHaveLength(1);
    expect((await visible())[0]).toMatchObject({ sender: 'operator', authorName: 'Eve', source: 'telegram' });
    expect(h.pushed.messages.some((p) => p.conversationId === c.id && p.message.body === text)).toBe(true);
    await waitFor(() => h.botPosts(h.b, tb).some((m) => m.text === `Eve (via Telegram): ${text}`), {
      what: 'mirrored to the other app',
    });
    await waitFor(() => answers().some((t) => t.startsWith('Sent to the visitor (saved reply "refund")')), {
      what: 'confirmation in the thread',
    });
    // A redelivered command sends nothing twice.
    await h.db.inboundEvent.update({ where: { id: eventId }, data: { status: 'pending' } });
    await h.producer
      .enqueueInbound({ organizationId: h.organizationId, inboundEventId: `${eventId}` })
      .catch(() => undefined);
    await h.worker.sweep();
    await waitFor(async () => (await h.db.inboundEvent.findUnique({ where: { id: eventId } }))?.status === 'done', {
      what: 'reprocessed',
    });
    expect(await visible()).toHaveLength(1);
    expect(h.botPosts(h.b, tb).filter((m) => m.text === `Eve (via Telegram): ${text}`)).toHaveLength(1);
  });

  it('an operator photo is downloaded, stored and shown in the widget with a signed URL, and uploaded to the other app', async () => {
    const { c, ta, tb } = await conversationWithTopics();
    await h.operatorWrites(h.a, ta, { photo: true, text: 'see screenshot', from: { id: 75, first_name: 'Di' } });
    const push = await waitFor(
      () => h.pushed.messages.find((p) => p.conversationId === c.id && p.message.attachments.length > 0),
      { what: 'pushed with file' },
    );
    expect(push.message.body).toBe('see screenshot');
    expect(push.message.attachments[0]).toMatchObject({
      contentType: 'image/jpeg',
      name: expect.stringMatching(/^photo-\d+\.jpg$/) as unknown,
    });
    expect(push.message.attachments[0]?.url).toMatch(/^http:\/\/realtime\.test\/widget\/files\//);
    const row = await h.db.attachment.findFirstOrThrow({
      where: { organizationId: h.organizationId, conversationId: c.id },
    });
    expect(row.uploadedBy).toBe('operator');
    expect(await h.storage.get(row.storageKey)).not.toBeNull();
    // On the other app: the text, then the photo uploaded as a file (multipart InputFile).
    await waitFor(
      () => h.telegram.callsOf('sendPhoto').some((call) => String(call.params.chat_id) === String(h.b.chatId)),
      { what: 'photo uploaded to B' },
    );
    const upload = h.telegram.callsOf('sendPhoto').find((call) => String(call.params.chat_id) === String(h.b.chatId))!;
    expect(upload.files?.[0]).toMatchObject({ field: 'photo', size: row.size });
    expect(h.botPosts(h.b, tb).map((m) => m.text)).toContain('Di (via Telegram): see screenshot');
  });

  it('a widget file is uploaded to every app (sendDocument) exactly once', async () => {
    const c = await h.newConversation();
    const bytes = Buffer.from('%PDF-1.4\n% tiny test pdf\n');
    const key = `att/${h.organizationId}/${c.id}/${randomBytes(8).toString('hex')}`;
    await h.storage.put(key, bytes, {
      contentType: 'application/pdf',
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    const att = await createAttachment(h.db, h.organizationId, {
      conversationId: c.id,
      uploadedBy: 'visitor',
      name: 'invoice.pdf',
      contentType: 'application/pdf',
      size: bytes.length,
      sha256: 'x',
      storageKey: key,
    });
    await h.visitorSays(c.id, 'my invoice', [att.id]);
    const docsTo = (chatId: number) =>
      h.telegram.callsOf('sendDocument').filter((call) => String(call.params.chat_id) === String(chatId));
    await waitFor(() => docsTo(h.a.chatId).length === 1 && docsTo(h.b.chatId).length === 1, {
      what: 'document on both apps',
    });
    expect(docsTo(h.a.chatId)[0]?.files?.[0]).toMatchObject({ filename: 'invoice.pdf', size: bytes.length });
    const ta = await h.topicOf(h.a, c.id);
    await waitFor(() => h.botPosts(h.a, ta).length === 2, { what: 'text + file' });
    expect(h.botPosts(h.a, ta)[0]?.text).toBe('my invoice');
    await waitFor(
      async () =>
        (await h.db.outboxEvent.count({
          where: { organizationId: h.organizationId, conversationId: c.id, status: 'pending' },
        })) === 0,
      { what: 'outbox done' },
    );
    expect(docsTo(h.a.chatId)).toHaveLength(1);
  });

  it('a 5xx storm delays but never loses, duplicates or reorders', async () => {
    const { c, ta } = await conversationWithTopics();
    h.telegram.failNext('sendMessage', { errorCode: 502, description: 'Bad Gateway' }, 3);
    for (const n of [1, 2, 3, 4]) await h.visitorSays(c.id, `storm ${n}`);
    await waitFor(() => h.botPosts(h.a, ta).length === 5, { what: 'all four after the storm', timeoutMs: 25_000 });
    expect(
      h
        .botPosts(h.a, ta)
        .slice(1)
        .map((m) => m.text),
    ).toEqual(['storm 1', 'storm 2', 'storm 3', 'storm 4']);
  });

  it('a broken connection alerts the owner once on the other app, keeps messages queued, and recovers', async () => {
    const { c, ta, tb } = await conversationWithTopics();
    const generalA = () =>
      h.telegram
        .messageObjects(h.a.chatId, 1)
        .filter((m) => m.fromBot)
        .map((m) => String(m.message.text));
    h.telegram.revokeToken(h.b.botToken);
    await h.visitorSays(c.id, 'while B is revoked 1');
    await h.visitorSays(c.id, 'while B is revoked 2');
    await waitFor(async () => (await getConnection(h.db, h.organizationId, h.b.connection.id))?.status === 'broken', {
      what: 'B broken',
      timeoutMs: 15_000,
    });
    await waitFor(() => generalA().length === 1, { what: 'alert in A General topic' });
    expect(generalA()[0]).toMatch(/your Telegram connection stopped working — The bot token was revoked/);
    await waitFor(() => h.botPosts(h.a, ta).length === 3, { what: 'A unaffected' });
    // More failures in the same outage: no second alert.
    await h.visitorSays(c.id, 'while B is revoked 3');
    await new Promise((r) => setTimeout(r, 2_500));
    expect(generalA()).toHaveLength(1);
    h.telegram.restoreToken(h.b.botToken);
    await waitFor(() => h.botPosts(h.b, tb).length === 4, { what: 'B catches up', timeoutMs: 40_000 });
    expect(
      h
        .botPosts(h.b, tb)
        .slice(1)
        .flatMap((m) => (m.text ?? '').split('\n\n')),
    ).toEqual(['while B is revoked 1', 'while B is revoked 2', 'while B is revoked 3']);
    // The health write follows the drain's posts (recordSuccess runs once the batch is out): wait for it.
    const fixed = await waitFor(
      async () => {
        const row = await h.db.bridgeConnection.findUniqueOrThrow({ where: { id: h.b.connection.id } });
        return row.status === 'active' ? row : undefined;
      },
      { what: 'B active again', timeoutMs: 10_000 },
    );
    expect(fixed).toMatchObject({ status: 'active', consecutiveFailures: 0, brokenAlertedAt: null });
  }, 60_000);
});
