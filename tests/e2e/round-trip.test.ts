import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@pocketping/testkit';
import { bootStack, type TStack } from './boot-stack.js';
import { connectVisitor } from './widget-client.js';

// The thin slice, end to end, with every app as a real process: widget socket → realtime → Postgres + outbox →
// BullMQ → worker → grammY → (fake) Telegram topic; operator reply → web webhook → job → worker → widget socket.
describe('round trip through web, realtime and worker', () => {
  let stack: TStack;

  beforeAll(async () => {
    stack = await bootStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const topicPosts = (threadId: number) =>
    stack.telegram.callsOf('sendMessage').filter((c) => Number(c.params.message_thread_id) === threadId);

  it('bootstrap registered the webhook with a secret', () => {
    const calls = stack.telegram.callsOf('setWebhook');
    expect(calls).toHaveLength(1);
    expect(String(calls[0]!.params.url)).toBe(`${stack.webUrl}/api/webhooks/telegram/${stack.tenantA.connectionId}`);
    expect(String(calls[0]!.params.secret_token)).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });

  it('a visitor message opens a forum topic, lands in it, and the operator reply reaches the visitor', async () => {
    const visitor = await connectVisitor(stack.realtimeUrl, {
      projectKey: stack.tenantA.projectKey,
      origin: stack.tenantA.origin,
    });
    expect(visitor.session.visitorToken).toMatch(/^vt_/);

    const ack = await visitor.send('Hello <b>there</b> & welcome');
    expect(ack.ok).toBe(true);
    if (!ack.ok) return;
    expect(ack.message.seq).toBe(1);
    expect(ack.message.sender).toBe('visitor');

    const topic = await waitFor(() => stack.telegram.topics(stack.tenantA.chatId!)[0], { what: 'forum topic' });
    const post = await waitFor(
      () => topicPosts(topic.threadId).find((c) => String(c.params.text).includes('welcome')),
      { what: 'message in topic' },
    );
    // HTML-escaped, never interpreted as markup.
    expect(post.params.text).toBe('Hello &lt;b&gt;there&lt;/b&gt; &amp; welcome');
    expect(post.params.parse_mode).toBe('HTML');

    const { webhookStatus } = await stack.telegram.operatorWrites({
      token: stack.tenantA.botToken!,
      chatId: stack.tenantA.chatId!,
      threadId: topic.threadId,
      text: 'Hi! Sarah here.',
      from: { id: 4242, first_name: 'Sarah' },
    });
    expect(webhookStatus).toBe(200);
    const reply = await waitFor(() => visitor.received.find((m) => m.sender === 'operator'), {
      what: 'operator reply on the socket',
    });
    expect(reply).toMatchObject({ body: 'Hi! Sarah here.', authorName: 'Sarah', seq: 2, source: 'telegram' });

    // The same conversation goes on in the same topic.
    const ack2 = await visitor.send('Thanks!');
    expect(ack2.ok && ack2.message.seq).toBe(3);
    await waitFor(() => topicPosts(topic.threadId).find((c) => c.params.text === 'Thanks!'), {
      what: 'second message in the same topic',
    });
    expect(stack.telegram.callsOf('createForumTopic')).toHaveLength(1);
    visitor.close();
  });

  it('rejects a webhook without the right secret, and stores nothing from it', async () => {
    const url = `${stack.webUrl}/api/webhooks/telegram/${stack.tenantA.connectionId}`;
    const body = JSON.stringify({
      update_id: 999999,
      message: { message_id: 1, date: 1, chat: { id: stack.tenantA.chatId, type: 'supergroup' }, text: 'forged' },
    });
    const noSecret = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(noSecret.status).toBe(401);
    const wrong = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'wrong-secret' },
      body,
    });
    expect(wrong.status).toBe(401);
    const unknown = await fetch(`${stack.webUrl}/api/webhooks/telegram/cxxxxxxxxxxxxxxxxxxxxxxxx`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'x' },
      body,
    });
    expect(unknown.status).toBe(404);
  });

  it('a redelivered update creates one message, not two', async () => {
    const visitor = await connectVisitor(stack.realtimeUrl, {
      projectKey: stack.tenantA.projectKey,
      origin: stack.tenantA.origin,
    });
    const ack = await visitor.send('Is anyone there?');
    expect(ack.ok).toBe(true);
    const before = stack.telegram.topics(stack.tenantA.chatId!).length;
    const topic = await waitFor(
      () =>
        stack.telegram.topics(stack.tenantA.chatId!).length > 1
          ? stack.telegram.topics(stack.tenantA.chatId!).at(-1)
          : undefined,
      { what: 'second topic' },
    );
    expect(before).toBeGreaterThanOrEqual(1);
    const { update } = await stack.telegram.operatorWrites({
      token: stack.tenantA.botToken!,
      chatId: stack.tenantA.chatId!,
      threadId: topic.threadId,
      text: 'Yes, once.',
      from: { id: 7, first_name: 'Max' },
    });
    await stack.telegram.deliverUpdate(stack.tenantA.botToken!, update as Record<string, unknown>);
    await stack.telegram.deliverUpdate(stack.tenantA.botToken!, update as Record<string, unknown>);
    await waitFor(() => visitor.received.find((m) => m.body === 'Yes, once.'), { what: 'reply' });
    await new Promise((r) => setTimeout(r, 1_500));
    const page = await visitor.history(0);
    expect(page.ok).toBe(true);
    if (!page.ok) return;
    expect(page.messages.filter((m) => m.body === 'Yes, once.')).toHaveLength(1);
    expect(page.messages.map((m) => m.seq)).toEqual([1, 2]);
    visitor.close();
  });

  it('with the worker down nothing reaches Telegram; once it is back the message is delivered from the outbox', async () => {
    await stack.apps.worker.kill();
    const visitor = await connectVisitor(stack.realtimeUrl, {
      projectKey: stack.tenantA.projectKey,
      origin: stack.tenantA.origin,
    });
    const ack = await visitor.send('Sent while the worker is down');
    expect(ack.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 2_000));
    const seen = () =>
      stack.telegram.callsOf('sendMessage').some((c) => c.params.text === 'Sent while the worker is down');
    expect(seen()).toBe(false);
    stack.apps.worker = await stack.startWorker();
    await waitFor(seen, { what: 'delivery after the worker restarts', timeoutMs: 20_000 });
    visitor.close();
  });

  it('a visitor resumes with its token and catches up on what it missed, in order', async () => {
    const first = await connectVisitor(stack.realtimeUrl, {
      projectKey: stack.tenantA.projectKey,
      origin: stack.tenantA.origin,
    });
    const token = first.session.visitorToken!;
    await first.send('one');
    const topic = await waitFor(
      () =>
        stack.telegram
          .topics(stack.tenantA.chatId!)
          .find((t) => stack.telegram.messages(stack.tenantA.chatId!, t.threadId).some((m) => m.text === 'one')),
      { what: 'topic of "one"' },
    );
    first.close();
    // While the visitor is away, the operator answers twice.
    for (const text of ['reply A', 'reply B']) {
      await stack.telegram.operatorWrites({
        token: stack.tenantA.botToken!,
        chatId: stack.tenantA.chatId!,
        threadId: topic.threadId,
        text,
        from: { id: 9, first_name: 'Ana' },
      });
    }
    const again = await connectVisitor(stack.realtimeUrl, {
      projectKey: stack.tenantA.projectKey,
      origin: stack.tenantA.origin,
      visitorToken: token,
    });
    expect(again.session.visitorId).toBe(first.session.visitorId);
    expect(again.session.visitorToken).toBeUndefined();
    const page = await waitFor(
      async () => {
        const p = await again.history(1);
        return p.ok && p.messages.length === 2 ? p : undefined;
      },
      { what: 'two missed replies' },
    );
    expect(page.ok && page.messages.map((m) => [m.seq, m.body])).toEqual([
      [2, 'reply A'],
      [3, 'reply B'],
    ]);
    again.close();
  });

  it("a visitor of tenant B can neither read nor write tenant A's conversation, whatever ids it sends", async () => {
    const b = (await stack.bootstrap([
      '--email',
      'owner@b.example',
      '--org',
      'Tenant B',
      '--origin',
      'https://b.example',
    ])) as { project: { publicKey: string } };
    const visitorA = await connectVisitor(stack.realtimeUrl, {
      projectKey: stack.tenantA.projectKey,
      origin: stack.tenantA.origin,
    });
    const ackA = await visitorA.send('private to A');
    expect(ackA.ok).toBe(true);
    if (!ackA.ok) return;
    const convA = ackA.message.conversationId;

    // Another project's key from the wrong origin, or the right key from another origin: refused at the handshake.
    await expect(
      connectVisitor(stack.realtimeUrl, { projectKey: stack.tenantA.projectKey, origin: 'https://b.example' }),
    ).rejects.toMatchObject({ data: { code: 'forbidden' } });
    await expect(
      connectVisitor(stack.realtimeUrl, { projectKey: b.project.publicKey, origin: stack.tenantA.origin }),
    ).rejects.toMatchObject({ data: { code: 'forbidden' } });
    await expect(
      connectVisitor(stack.realtimeUrl, { projectKey: 'pk_doesnotexist00000', origin: stack.tenantA.origin }),
    ).rejects.toMatchObject({ data: { code: 'unauthorized' } });

    // A's visitor token presented to B's project does not resume A's visitor.
    const visitorB = await connectVisitor(stack.realtimeUrl, {
      projectKey: b.project.publicKey,
      origin: 'https://b.example',
      visitorToken: visitorA.session.visitorToken!,
    });
    expect(visitorB.session.visitorId).not.toBe(visitorA.session.visitorId);
    expect(visitorB.session.conversationId).toBeNull();

    // Ids smuggled into payloads are ignored: B writes only into B's own conversation and reads only it.
    const smuggled = (await visitorB.socket.timeout(10_000).emitWithAck('message:send', {
      body: 'injected',
      clientId: 'smuggled-0001',
      conversationId: convA,
      organizationId: stack.tenantA.organizationId,
    })) as { ok: boolean; message: { conversationId: string } };
    expect(smuggled.ok).toBe(true);
    expect(smuggled.message.conversationId).not.toBe(convA);
    const pageB = (await visitorB.socket
      .timeout(10_000)
      .emitWithAck('history', { afterSeq: 0, conversationId: convA })) as { ok: boolean; messages: { body: string }[] };
    expect(pageB.messages.map((m) => m.body)).toEqual(['injected']);
    const pageA = await visitorA.history(0);
    expect(pageA.ok && pageA.messages.map((m) => m.body)).toEqual(['private to A']);
    expect(visitorA.received.some((m) => m.body === 'injected')).toBe(false);

    // Bad input answers with a documented error code, not a crash.
    const bad = (await visitorB.socket.timeout(10_000).emitWithAck('message:send', { body: '', clientId: 'x' })) as {
      ok: boolean;
      error: { code: string };
    };
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const huge = (await visitorB.socket
      .timeout(10_000)
      .emitWithAck('message:send', { body: 'x'.repeat(5000), clientId: 'huge-000001' })) as {
      ok: boolean;
      error: { code: string };
    };
    expect(huge).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    visitorA.close();
    visitorB.close();
  });

  it('the same clientId sent twice stores one message', async () => {
    const v = await connectVisitor(stack.realtimeUrl, {
      projectKey: stack.tenantA.projectKey,
      origin: stack.tenantA.origin,
    });
    const [a, b] = await Promise.all([
      v.send('only once', 'same-client-id-1'),
      v.send('only once', 'same-client-id-1'),
    ]);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.message.id).toBe(b.message.id);
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    const page = await v.history(0);
    expect(page.ok && page.messages.filter((m) => m.body === 'only once')).toHaveLength(1);
    v.close();
  });
});
