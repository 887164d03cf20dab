import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@pocketping/testkit';
import { bootStack, type TStack } from './boot-stack.js';
import { connectVisitor, type TVisitor } from './widget-client.js';

// Slack for an install with no public URL, end to end: the connection is made with the CLI's manual bot-token
// option (`bootstrap --slack-token --slack-channel`), and operator replies reach the worker through Socket Mode
// (SLACK_APP_TOKEN → apps.connections.open → WebSocket → events_api envelopes, acked) — web is never called.
describe('Slack with the CLI token option and Socket Mode', () => {
  let stack: TStack;
  let visitor: TVisitor;
  let bot: { token: string; botUserId: string };
  let out: {
    organization: { id: string };
    project: { publicKey: string };
    slack?: { connectionId: string; channelId: string; teamId: string; summary: string };
  };
  const s = () => stack.slack!;

  beforeAll(async () => {
    stack = await bootStack({ slackSocketMode: true });
    bot = s().fake.addBot({ teamId: s().teamId, name: 'pocketping' });
    out = (await stack.bootstrap([
      '--email',
      'owner@b.example',
      '--org',
      'Tenant B',
      '--origin',
      stack.webUrl,
      '--slack-token',
      bot.token,
      '--slack-channel',
      s().supportChannel,
    ])) as typeof out;
    await waitFor(() => s().fake.socketConnections() === 1, {
      what: 'worker socket mode connection',
      timeoutMs: 20_000,
    });
    visitor = await connectVisitor(stack.realtimeUrl, { projectKey: out.project.publicKey, origin: stack.webUrl });
  });
  afterAll(async () => {
    visitor?.close();
    await stack?.stop();
  });

  it('bootstrap validated the token (auth.test + conversations.info), joined the channel and printed the connection', () => {
    expect(out.slack).toMatchObject({
      channelId: s().supportChannel,
      teamId: s().teamId,
      summary: '@pocketping in #support (Acme)',
    });
    expect(JSON.stringify(out)).not.toContain(bot.token);
    const calls = s()
      .fake.calls.filter((c) => c.token === bot.token)
      .map((c) => c.method);
    expect(calls.slice(0, 3)).toEqual(['auth.test', 'conversations.info', 'conversations.join']);
  });

  it('visitor → parent + thread; operator reply over Socket Mode → widget; a redelivered envelope stores once', async () => {
    expect((await visitor.send('Hello from a site with no public URL')).ok).toBe(true);
    const parent = await waitFor(
      () =>
        s()
          .fake.messages(s().supportChannel)
          .find((m) => m.threadTs === undefined && m.botId),
      { what: 'parent' },
    );
    await waitFor(
      () =>
        s()
          .fake.messages(s().supportChannel, parent.ts)
          .find((m) => m.text === 'Hello from a site with no public URL'),
      { what: 'reply in thread' },
    );

    const sarah = s().fake.addUser({ teamId: s().teamId, name: 'sarah' }).id;
    const { deliveries } = await s().fake.operatorWrites({
      channel: s().supportChannel,
      thread_ts: parent.ts,
      text: 'Answered over the socket',
      user: sarah,
      retries: 1,
    });
    // Both envelopes (the event and its redelivery) were acked by the worker.
    expect(deliveries.map((d) => [d.status, d.body])).toEqual([
      ['socket', ''],
      ['socket', ''],
    ]);
    const reply = await waitFor(() => visitor.received.find((m) => m.body === 'Answered over the socket'), {
      what: 'operator reply',
    });
    expect(reply).toMatchObject({ sender: 'operator', source: 'slack' });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(visitor.received.filter((m) => m.body === 'Answered over the socket')).toHaveLength(1);
    expect(s().fake.callsOf('apps.connections.open').length).toBeGreaterThanOrEqual(1);
  });
});
