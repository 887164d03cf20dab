import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { waitFor } from '@pocketping/testkit';
import { bootStack, type TStack } from './boot-stack.js';
import { connectVisitor, type TVisitor } from './widget-client.js';

// Slack end to end with every app as a real process: "Add to Slack" through web's OAuth routes against the fake;
// widget → realtime → outbox → worker → @slack/web-api → fake Slack parent message + thread; operator reply →
// fake Slack signs an Events API request → web /api/webhooks/slack → InboundEvent → inbound job → widget.
describe('Slack round trip', () => {
  let stack: TStack;
  let visitor: TVisitor;
  let connectionId: string;
  let threadTs: string;
  let sarah: string;
  const s = () => stack.slack!;
  /** The bot's posts in the conversation's thread (the parent excluded), in order. */
  const replies = () =>
    s()
      .fake.messages(s().supportChannel, threadTs)
      .filter((m) => m.threadTs === threadTs && m.botId && !m.deleted);
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
    stack = await bootStack({ slack: true });
    sarah = s().fake.addUser({ teamId: s().teamId, name: 'sarah', displayName: 'Sarah' }).id;
  });
  afterAll(async () => {
    visitor?.close();
    await stack?.stop();
  });

  it('"Add to Slack": install route → consent screen → callback creates the connection and joins the channel', async () => {
    const start = await fetch(
      `${stack.webUrl}/api/integrations/slack/install?projectId=${s().projectId}&channel=${s().supportChannel}`,
      {
        headers: { authorization: `Bearer ${s().apiKey}` },
        redirect: 'manual',
      },
    );
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(s().fake.authorizeUrl);
    const consent = await fetch(authorize, { redirect: 'manual' });
    // Without the cookie the start set (a consent link forwarded to someone else), the callback refuses.
    expect((await fetch(consent.headers.get('location')!)).status).toBe(403);
    const binding = start.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .find((c) => c.startsWith('pp_slack_install='));
    expect(binding).toBeDefined();
    const callback = await fetch(consent.headers.get('location')!, { headers: { cookie: binding! } });
    expect(callback.status).toBe(200);
    const body = (await callback.json()) as { connection: { id: string; channelId: string; teamId: string } };
    expect(body.connection).toMatchObject({ channelId: s().supportChannel, teamId: s().teamId });
    expect(JSON.stringify(body)).not.toMatch(/xoxb-/);
    connectionId = body.connection.id;
    expect(s().fake.callsOf('oauth.v2.access')).toHaveLength(1);
    expect(
      s()
        .fake.callsOf('conversations.join')
        .map((c) => c.params.channel),
    ).toEqual([s().supportChannel]);

    const unauth = await fetch(`${stack.webUrl}/api/integrations/slack/install?projectId=${s().projectId}`, {
      redirect: 'manual',
    });
    expect(unauth.status).toBe(401);
  });

  it('a visitor message opens a parent (visitor card) and lands in its thread, escaped, without unfurls', async () => {
    visitor = await connectVisitor(stack.realtimeUrl, {
      projectKey: stack.tenantA.projectKey,
      origin: stack.tenantA.origin,
    });
    const ack = await visitor.send('Hi <!channel> and <@U123> see <https://evil.example|this> & that');
    expect(ack.ok).toBe(true);
    const parent = await waitFor(
      () =>
        s()
          .fake.messages(s().supportChannel)
          .find((m) => m.threadTs === undefined && m.botId),
      { what: 'parent message' },
    );
    threadTs = parent.ts;
    expect(parent.text).toMatch(/^New conversation: /);
    expect(Array.isArray(parent.blocks)).toBe(true);
    const reply = await waitFor(() => replies()[0], { what: 'reply in thread' });
    expect(reply.text).toBe('Hi &lt;!channel&gt; and &lt;@U123&gt; see &lt;https://evil.example|this&gt; &amp; that');
    expect(reply.options).toMatchObject({ unfurl_links: 'false', unfurl_media: 'false' });
  });

  it('an operator reply in the thread reaches the widget', async () => {
    const { deliveries } = await s().fake.operatorWrites({
      channel: s().supportChannel,
      thread_ts: threadTs,
      text: 'Hello &amp; welcome!',
      user: sarah,
    });
    expect(deliveries[0]!.status).toBe(200);
    const reply = await waitFor(
      () => visitor.received.find((m) => m.sender === 'operator' && m.body === 'Hello & welcome!'),
      { what: 'operator reply' },
    );
    expect(reply.source).toBe('slack');
    expect(reply.authorName).toEqual(expect.any(String));
  });

  it('a retried event (X-Slack-Retry-Num 1, 2) creates one message', async () => {
    const { deliveries, eventId } = await s().fake.operatorWrites({
      channel: s().supportChannel,
      thread_ts: threadTs,
      text: 'Only once, please',
      user: sarah,
      retries: 2,
    });
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
    await waitFor(() => visitor.received.find((m) => m.body === 'Only once, please'), { what: 'reply' });
    // Let any duplicate processing finish before counting.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(visitor.received.filter((m) => m.body === 'Only once, please')).toHaveLength(1);
    const rows = await sql<{ n: string }>(`SELECT count(*)::text AS n FROM "Message" WHERE body = $1`, [
      'Only once, please',
    ]);
    expect(rows[0]!.n).toBe('1');
    const events = await sql<{ n: string }>(`SELECT count(*)::text AS n FROM "InboundEvent" WHERE "externalId" = $1`, [
      eventId,
    ]);
    expect(events[0]!.n).toBe('1');
  });

  it('an operator edit and delete in Slack (message_changed / message_deleted) follow in PocketPing', async () => {
    const { ts } = await s().fake.operatorWrites({
      channel: s().supportChannel,
      thread_ts: threadTs,
      text: 'Typo hre',
      user: sarah,
    });
    await waitFor(() => visitor.received.find((m) => m.body === 'Typo hre'), { what: 'reply to edit' });
    expect((await s().fake.edit({ channel: s().supportChannel, ts, text: 'Typo here' })).status).toBe(200);
    await waitFor(
      async () =>
        (
          await sql<{ body: string; editedAt: Date | null }>(`SELECT body, "editedAt" FROM "Message" WHERE body = $1`, [
            'Typo here',
          ])
        )[0]?.editedAt,
      { what: 'edited message' },
    );
    expect((await s().fake.delete({ channel: s().supportChannel, ts })).status).toBe(200);
    await waitFor(
      async () =>
        (
          await sql<{ deletedAt: Date | null }>(`SELECT "deletedAt" FROM "Message" WHERE body = $1 OR body = $2`, [
            'Typo here',
            '',
          ])
        )[0]?.deletedAt,
      { what: 'deleted message' },
    );
  });

  it('"!note" in the thread is a command (Slack runs no slash commands in threads): stored internal, never sent to the visitor', async () => {
    await s().fake.operatorWrites({
      channel: s().supportChannel,
      thread_ts: threadTs,
      text: '!note VIP customer',
      user: sarah,
    });
    const note = await waitFor(
      async () =>
        (
          await sql<{ visibility: string }>(`SELECT visibility::text FROM "Message" WHERE body LIKE $1`, [
            '%VIP customer%',
          ])
        )[0],
      { what: 'note stored' },
    );
    expect(note.visibility).toBe('internal');
    await new Promise((r) => setTimeout(r, 500));
    expect(visitor.received.find((m) => m.body.includes('VIP customer'))).toBeUndefined();
  });

  it('a forged or unsigned event is refused with 401', async () => {
    const body = JSON.stringify({
      type: 'event_callback',
      team_id: s().teamId,
      event_id: 'EvFORGED',
      event: {
        type: 'message',
        channel: s().supportChannel,
        user: sarah,
        text: 'forged',
        ts: '1.1',
        thread_ts: threadTs,
      },
    });
    const res = await fetch(`${stack.webUrl}/api/webhooks/slack`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(401);
    const wrong = await s().fake.deliverEvent(
      s().teamId,
      { type: 'message', channel: s().supportChannel, user: sarah, text: 'forged', ts: '1.2', thread_ts: threadTs },
      { signingSecret: 'not-the-signing-secret-0000' },
    );
    expect(wrong.status).toBe(401);
    const stale = await s().fake.deliverEvent(
      s().teamId,
      { type: 'message', channel: s().supportChannel, user: sarah, text: 'replayed', ts: '1.3', thread_ts: threadTs },
      { timestamp: Math.floor(Date.now() / 1000) - 600 },
    );
    expect(stale.status).toBe(401);
  });

  it('a 429 storm: every message is delivered, in order, after waiting Retry-After', async () => {
    const before = replies().length;
    s().fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, 4);
    const bodies = ['storm 1', 'storm 2', 'storm 3', 'storm 4', 'storm 5', 'storm 6'];
    for (const b of bodies) expect((await visitor.send(b)).ok).toBe(true);
    await waitFor(() => replies().length >= before + bodies.length, { what: 'all storm messages', timeoutMs: 60_000 });
    const storm = replies().filter((m) => m.text.startsWith('storm '));
    expect(storm.map((m) => m.text)).toEqual(bodies);
    // The four 429s hit the storm's own posts, and the pipeline waited Retry-After (1 s) after each before retrying.
    const stormCalls = s()
      .fake.callsOf('chat.postMessage')
      .filter((c) => String(c.params.text).startsWith('storm '));
    const limited = stormCalls.filter((c) => c.status === 429);
    expect(limited).toHaveLength(4);
    for (const l of limited) {
      const next = stormCalls.find((c) => c.at > l.at);
      expect(next!.at - l.at).toBeGreaterThanOrEqual(950);
    }
  });

  it('a revoked token turns the connection broken with a readable reason; once fixed, the queued message goes out', async () => {
    const token = s().fake.callsOf('chat.postMessage').at(-1)!.token;
    s().fake.revokeToken(token);
    expect((await visitor.send('sent while revoked')).ok).toBe(true);
    const row = await waitFor(
      async () =>
        (
          await sql<{ status: string; statusReason: string | null }>(
            `SELECT status, "statusReason" FROM "BridgeConnection" WHERE id = $1`,
            [connectionId],
          )
        ).find((r) => r.status === 'broken'),
      { what: 'broken connection', timeoutMs: 30_000 },
    );
    expect(row.statusReason).toMatch(/revoked/i);
    expect(row.statusReason).toMatch(/reinstall/i);
    expect(replies().find((m) => m.text === 'sent while revoked')).toBeUndefined();

    s().fake.restoreToken(token);
    await waitFor(() => replies().find((m) => m.text === 'sent while revoked'), {
      what: 'queued message after the fix',
      timeoutMs: 60_000,
    });
  });
});
