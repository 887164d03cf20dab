import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { VISITOR_TYPING_EVERY_MS } from '@pocketping/jobs';
import { waitFor } from '@pocketping/testkit';
import { bootStack, type TStack } from './boot-stack.js';
import { connectVisitor, type TVisitor } from './widget-client.js';

// Discord end to end with every app as a real process and the gateway inside the real worker: widget → realtime →
// outbox → worker → discord.js REST → fake Discord thread; operator → fake gateway → worker's gateway connection →
// InboundEvent → inbound job → widget.
describe('Discord round trip', () => {
  let stack: TStack;
  let visitor: TVisitor;
  let threadId: string;
  const d = () => stack.discord!;
  const posts = () =>
    d()
      .fake.messages(threadId)
      .filter((m) => !m.deleted && m.author.bot);
  const sql = async <T>(q: string, args: unknown[]): Promise<T[]> => {
    const c = new pg.Client({ connectionString: stack.db.url });
    await c.connect();
    try {
      return (await c.query(q, args)).rows as T[];
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    stack = await bootStack({ discord: true });
    await waitFor(() => stack.apps.worker.output().includes('discord gateway ready'), {
      what: 'worker gateway ready',
      timeoutMs: 30_000,
    });
    visitor = await connectVisitor(stack.realtimeUrl, {
      projectKey: stack.tenantA.projectKey,
      origin: stack.tenantA.origin,
    });
  });
  afterAll(async () => {
    visitor?.close();
    await stack?.stop();
  });

  it('one gateway connection for the bot; a visitor message opens a thread with the card and lands in it, mentions disabled', async () => {
    expect(d().fake.gateway.identifies).toBe(1);
    const ack = await visitor.send('Hello @everyone <@123>');
    expect(ack.ok).toBe(true);
    const thread = await waitFor(() => d().fake.threads(d().channelId)[0], { what: 'thread' });
    threadId = thread.id;
    await waitFor(() => posts().length >= 2, { what: 'card + message' });
    expect(posts()[0]!.content).toMatch(/^\*\*New conversation\*\*/);
    expect(posts()[1]!.content).toBe('Hello @everyone \\<@123>');
    for (const p of posts()) expect(p.allowed_mentions).toEqual({ parse: [] });
  });

  it('an operator reply in the thread reaches the widget', async () => {
    d().fake.operatorWrites({ guildId: d().guildId, threadId, content: 'Hi! Sarah here.' });
    const reply = await waitFor(
      () => visitor.received.find((m) => m.sender === 'operator' && m.body === 'Hi! Sarah here.'),
      { what: 'operator reply' },
    );
    expect(reply).toMatchObject({ authorName: 'Sarah', source: 'discord' });
  });

  it('a dropped gateway connection resumes with no lost and no duplicated message', async () => {
    d().fake.dropConnection();
    const m = d().fake.operatorWrites({ guildId: d().guildId, threadId, content: 'sent while the gateway was down' });
    await waitFor(() => d().fake.gateway.resumes >= 1, { what: 'resume', timeoutMs: 20_000 });
    await waitFor(() => visitor.received.find((x) => x.body === 'sent while the gateway was down'), {
      what: 'missed reply',
      timeoutMs: 20_000,
    });
    // Replay the same dispatch (as Discord does after a resume from an older sequence): still one message.
    d().fake.dispatch('MESSAGE_CREATE', { ...m, guild_id: d().guildId, type: 0, timestamp: new Date().toISOString() });
    await new Promise((r) => setTimeout(r, 1_500));
    const rows = await sql<{ n: string }>(`SELECT count(*) AS n FROM "Message" WHERE body = $1`, [
      'sent while the gateway was down',
    ]);
    expect(Number(rows[0]!.n)).toBe(1);
    expect(d().fake.gateway.identifies).toBe(1);
  });

  it('the visitor typing shows "typing…" in the Telegram topic and the Discord thread, at most once per few seconds', async () => {
    const topic = await waitFor(() => stack.telegram.topics(stack.tenantA.chatId!)[0], { what: 'telegram topic' });
    const onTelegram = () =>
      stack.telegram
        .callsOf('sendChatAction')
        .filter((c) => Number(c.params.message_thread_id) === topic.threadId && c.params.action === 'typing');
    const onDiscord = () =>
      d()
        .fake.callsOf('POST /channels/:id/typing')
        .filter((c) => c.path === `/channels/${threadId}/typing`);
    const typing = (isTyping: boolean) => visitor.socket.timeout(5_000).emitWithAck('typing:update', { isTyping });
    expect(await typing(false)).toEqual({ ok: true });
    await new Promise((r) => setTimeout(r, 300));
    expect([onTelegram().length, onDiscord().length]).toEqual([0, 0]); // stopping is not typing
    // Keystrokes in a burst: one signal per app, not one per event.
    for (let i = 0; i < 5; i += 1) expect(await typing(true)).toEqual({ ok: true });
    await waitFor(() => onTelegram().length >= 1 && onDiscord().length >= 1, { what: 'typing on both apps' });
    await new Promise((r) => setTimeout(r, 500));
    expect([onTelegram().length, onDiscord().length]).toEqual([1, 1]);
    // Still typing after the indicator would have faded: signalled again.
    await new Promise((r) => setTimeout(r, VISITOR_TYPING_EVERY_MS));
    expect(await typing(true)).toEqual({ ok: true });
    await waitFor(() => onTelegram().length === 2 && onDiscord().length === 2, { what: 'second typing signal' });
  });

  it('a 429 storm delays messages without losing, duplicating or reordering them', async () => {
    d().fake.failNext('POST /channels/:id/messages', { status: 429, retryAfter: 4 }, 2);
    const bodies = Array.from({ length: 6 }, (_, i) => `storm ${i + 1}`);
    for (const b of bodies) expect((await visitor.send(b)).ok).toBe(true);
    await waitFor(() => bodies.every((b) => posts().some((p) => p.content === b)), {
      what: 'all storm messages',
      timeoutMs: 60_000,
    });
    const seen = posts()
      .map((p) => p.content)
      .filter((c) => c.startsWith('storm '));
    expect(seen).toEqual(bodies);
    expect(d().fake.calls.filter((c) => c.status === 429).length).toBeGreaterThanOrEqual(2);
  }, 90_000);

  it('operator edit and delete reach the widget', async () => {
    const m = d().fake.operatorWrites({ guildId: d().guildId, threadId, content: 'tpyo' });
    const first = await waitFor(() => visitor.received.find((x) => x.body === 'tpyo'), { what: 'original' });
    d().fake.edit({ threadId, messageId: m.id, content: 'typo' });
    await waitFor(() => visitor.received.find((x) => x.seq === first.seq && x.body === 'typo' && x.editedAt), {
      what: 'edit on the widget',
      timeoutMs: 20_000,
    });
    d().fake.delete({ threadId, messageId: m.id });
    await waitFor(() => visitor.received.find((x) => x.seq === first.seq && x.deletedAt), {
      what: 'delete on the widget',
      timeoutMs: 20_000,
    });
  });

  it('a kicked bot turns the connection broken with a readable reason; the message stays queued', async () => {
    d().fake.kickBot(d().guildId);
    expect((await visitor.send('after the kick')).ok).toBe(true);
    const [conn] = await waitFor(
      async () => {
        const r = await sql<{ status: string; statusReason: string }>(
          `SELECT status, "statusReason" FROM "BridgeConnection" WHERE id = $1`,
          [d().connectionId],
        );
        return r[0]?.status === 'broken' ? r : null;
      },
      { what: 'broken connection', timeoutMs: 30_000 },
    );
    expect(conn!.statusReason).toMatch(/removed from the Discord server/);
    const pending = await sql<{ n: string }>(
      `SELECT count(*) AS n FROM "OutboxEvent" WHERE "connectionId" = $1 AND status = 'pending'`,
      [d().connectionId],
    );
    expect(Number(pending[0]!.n)).toBeGreaterThanOrEqual(1);
  });
});
