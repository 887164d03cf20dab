// Telegram redelivers an update after any non-2xx or timeout, sometimes several times and concurrently. Through the
// whole stack (web webhook → InboundEvent → job → worker → widget socket): one operator message, shown once, and a
// command redelivered is applied once — its effect (conversation closed) reaches the widget as a `conversation` event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TConversationEvent } from '@pocketping/protocol';
import { waitFor } from '@pocketping/testkit';
import { bootStack, type TStack } from './boot-stack.js';
import { connectVisitor } from './widget-client.js';

describe('fault: duplicate webhook deliveries', () => {
  let stack: TStack;
  beforeAll(async () => {
    stack = await bootStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('the same update delivered 7 times (3 in a row, 4 at once) stores and shows one operator message', async () => {
    const visitor = await connectVisitor(stack.realtimeUrl, {
      projectKey: stack.tenantA.projectKey,
      origin: stack.tenantA.origin,
    });
    const conversationEvents: TConversationEvent[] = [];
    visitor.socket.on('conversation', (e: TConversationEvent) => conversationEvents.push(e));
    const ack = await visitor.send('Is anyone there?');
    expect(ack.ok).toBe(true);
    const topic = await waitFor(() => stack.telegram.topics(stack.tenantA.chatId!)[0], { what: 'topic' });
    const token = stack.tenantA.botToken!;
    const { update, webhookStatus } = await stack.telegram.operatorWrites({
      token,
      chatId: stack.tenantA.chatId!,
      threadId: topic.threadId,
      text: 'Yes, Sam here',
      from: { id: 99, first_name: 'Sam' },
    });
    expect(webhookStatus).toBe(200);
    const raw = update as Record<string, unknown>;
    for (let i = 0; i < 3; i++) expect((await stack.telegram.deliverUpdate(token, raw)).webhookStatus).toBe(200);
    const parallel = await Promise.all([1, 2, 3, 4].map(() => stack.telegram.deliverUpdate(token, raw)));
    expect(parallel.map((p) => p.webhookStatus)).toEqual([200, 200, 200, 200]);

    await waitFor(() => visitor.received.find((m) => m.body === 'Yes, Sam here'), { what: 'reply on the socket' });
    await new Promise((r) => setTimeout(r, 1_500)); // time for any duplicate to show up
    expect(visitor.received.filter((m) => m.body === 'Yes, Sam here')).toHaveLength(1);
    const history = await visitor.history(0);
    expect(history.ok && history.messages.map((m) => m.body)).toEqual(['Is anyone there?', 'Yes, Sam here']);

    // A command, redelivered: applied once, answered once in the topic, and the widget learns the conversation closed.
    const close = await stack.telegram.operatorWrites({
      token,
      chatId: stack.tenantA.chatId!,
      threadId: topic.threadId,
      text: '/close',
      from: { id: 99, first_name: 'Sam' },
    });
    expect(close.webhookStatus).toBe(200);
    await Promise.all(
      [1, 2, 3].map(() => stack.telegram.deliverUpdate(token, close.update as Record<string, unknown>)),
    );
    await waitFor(() => conversationEvents.find((e) => e.status === 'closed'), {
      what: 'conversation event on the socket',
    });
    expect(conversationEvents[0]).toMatchObject({ status: 'closed' });
    const answers = () =>
      stack.telegram
        .messages(stack.tenantA.chatId!, topic.threadId)
        .filter((m) => m.fromBot && m.text?.startsWith('Conversation closed by Sam'));
    await waitFor(() => answers().length === 1, { what: 'one /close answer' });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(answers()).toHaveLength(1);
    visitor.close();
  });
});
