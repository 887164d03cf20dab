import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { UPLOAD_HEADERS, type TSendAck, type TUploadResponse } from '@pocketping/protocol';
import { waitFor } from '@pocketping/testkit';
import { bootStack, type TStack } from './boot-stack.js';
import { connectVisitor, type TVisitor } from './widget-client.js';

// Slack beyond text, every app a real process, tenant A connected to Telegram (by the CLI) and Slack (through
// "Add to Slack"): the operator's display name from users.info (in the widget and mirrored on Telegram), files both
// ways (an operator's Slack file reaches the widget through storage; a visitor's upload lands in the Slack thread),
// and an uninstall turning the connection broken with a reason the owner is told on Telegram.
describe('Slack: operator names, files, uninstall', () => {
  let stack: TStack;
  let visitor: TVisitor;
  let connectionId: string;
  let threadTs: string;
  let sarah: string;
  const s = () => stack.slack!;
  const sql = async <T>(q: string, args: unknown[]): Promise<T[]> => {
    const c = new pg.Client({ connectionString: stack.db.url });
    await c.connect();
    try {
      return (await c.query(q, args)).rows as T[];
    } finally {
      await c.end();
    }
  };
  const pdf = (label: string) =>
    Buffer.from(`%PDF-1.4\n% ${label}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
  const telegramTexts = () =>
    stack.telegram
      .callsOf('sendMessage')
      .map((c) => ({ thread: c.params.message_thread_id, text: String(c.params.text) }));

  beforeAll(async () => {
    stack = await bootStack({ slack: true });
    // No user_profile in the fake's events (as in many real ones): the name must come from users.info.
    sarah = s().fake.addUser({ teamId: s().teamId, name: 'sarah.k', displayName: 'Sarah', realName: 'Sarah Kim' }).id;
    const start = await fetch(
      `${stack.webUrl}/api/integrations/slack/install?projectId=${s().projectId}&channel=${s().supportChannel}`,
      { headers: { authorization: `Bearer ${s().apiKey}` }, redirect: 'manual' },
    );
    const consent = await fetch(new URL(start.headers.get('location')!), { redirect: 'manual' });
    // The install is bound to the client that started it by a cookie (as a browser would send it back).
    const binding = start.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .join('; ');
    const callback = await fetch(consent.headers.get('location')!, { headers: { cookie: binding } });
    expect(callback.status).toBe(200);
    connectionId = ((await callback.json()) as { connection: { id: string } }).connection.id;

    visitor = await connectVisitor(stack.realtimeUrl, {
      projectKey: stack.tenantA.projectKey,
      origin: stack.tenantA.origin,
    });
    expect((await visitor.send('I need a quote')).ok).toBe(true);
    const parent = await waitFor(
      () =>
        s()
          .fake.messages(s().supportChannel)
          .find((m) => m.threadTs === undefined && m.botId),
      { what: 'parent message' },
    );
    threadTs = parent.ts;
    await waitFor(() => stack.telegram.topics(stack.tenantA.chatId!)[0], { what: 'telegram topic' });
  });
  afterAll(async () => {
    visitor?.close();
    await stack?.stop();
  });

  it('an operator reply carries the display name from users.info, in the widget and mirrored on Telegram', async () => {
    const before = s().fake.callsOf('users.info').length;
    await s().fake.operatorWrites({
      channel: s().supportChannel,
      thread_ts: threadTs,
      text: 'Happy to help',
      user: sarah,
    });
    const reply = await waitFor(() => visitor.received.find((m) => m.body === 'Happy to help'), {
      what: 'reply in the widget',
    });
    expect(reply).toMatchObject({ sender: 'operator', authorName: 'Sarah', source: 'slack' });
    const topic = stack.telegram.topics(stack.tenantA.chatId!)[0]!.threadId;
    const mirrored = await waitFor(
      () => telegramTexts().find((t) => Number(t.thread) === topic && t.text.includes('Happy to help')),
      { what: 'mirror on telegram' },
    );
    expect(mirrored.text).toBe('<b>Sarah (via Slack)</b>: Happy to help');
    // A second reply uses the cached name: no second users.info for the same user.
    await s().fake.operatorWrites({
      channel: s().supportChannel,
      thread_ts: threadTs,
      text: 'One moment',
      user: sarah,
    });
    await waitFor(() => visitor.received.find((m) => m.body === 'One moment'), { what: 'second reply' });
    expect(s().fake.callsOf('users.info').length - before).toBe(1);
  });

  it('an operator file posted in the thread is fetched with the bot token, stored, and shown in the widget', async () => {
    const bytes = pdf('quote from sarah');
    await s().fake.operatorWrites({
      channel: s().supportChannel,
      thread_ts: threadTs,
      text: 'Here is the quote',
      user: sarah,
      files: [{ name: 'quote.pdf', mimetype: 'application/pdf', data: bytes }],
    });
    const reply = await waitFor(() => visitor.received.find((m) => m.body === 'Here is the quote'), {
      what: 'reply with a file',
    });
    expect(reply.attachments).toHaveLength(1);
    expect(reply.attachments[0]).toMatchObject({
      name: 'quote.pdf',
      contentType: 'application/pdf',
      size: bytes.length,
    });
    const res = await fetch(reply.attachments[0]!.url!);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('a visitor upload is posted into the Slack thread (getUploadURLExternal → upload → completeUploadExternal)', async () => {
    const bytes = pdf('visitor brief');
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'application/pdf' }), 'brief.pdf');
    const up = await fetch(`${stack.realtimeUrl}/widget/uploads`, {
      method: 'POST',
      headers: {
        origin: stack.tenantA.origin,
        [UPLOAD_HEADERS.projectKey]: stack.tenantA.projectKey,
        [UPLOAD_HEADERS.visitorToken]: visitor.session.visitorToken ?? '',
      },
      body: form,
    });
    const uploaded = (await up.json()) as TUploadResponse;
    if (!uploaded.ok) throw new Error(`upload refused: ${JSON.stringify(uploaded.error)}`);
    const ack = (await visitor.socket.timeout(10_000).emitWithAck('message:send', {
      body: 'My brief',
      clientId: 'c-brief-0001',
      attachmentIds: [uploaded.attachment.id],
    })) as TSendAck;
    expect(ack.ok).toBe(true);
    // The fake keeps a file from the moment its bytes arrive; it is in the thread once completeUploadExternal ran.
    const file = await waitFor(
      () =>
        s()
          .fake.files()
          .find((f) => f.name === 'brief.pdf' && f.channel !== undefined),
      { what: 'file shared in Slack', timeoutMs: 30_000 },
    );
    expect(file).toMatchObject({ channel: s().supportChannel, threadTs });
    expect(file.data.equals(bytes)).toBe(true);
    // The text went first, as its own reply; the file follows in the same thread.
    const texts = s()
      .fake.messages(s().supportChannel, threadTs)
      .filter((m) => m.botId && m.threadTs === threadTs)
      .map((m) => (m.files?.length ? 'FILE' : m.text));
    expect(texts.slice(-2)).toEqual(['My brief', 'FILE']);
    // Recorded once the worker has Slack's answer (just after the share).
    const recorded = await waitFor(
      async () => {
        const rows = await sql<{ externalMessageId: string }>(
          `SELECT "externalMessageId" FROM "BridgeMessage" WHERE "connectionId" = $1 AND "externalMessageId" = $2`,
          [connectionId, file.id],
        );
        return rows.length > 0 && rows;
      },
      { what: 'upload recorded' },
    );
    expect(recorded).toHaveLength(1);
  });

  it('uninstalling the app turns the connection broken with a readable reason, and the owner is told on Telegram', async () => {
    const deliveries = await s().fake.uninstallApp(s().teamId);
    expect(deliveries.map((d) => d.status)).toEqual([200, 200]);
    const row = await waitFor(
      async () =>
        (
          await sql<{ status: string; statusReason: string | null }>(
            `SELECT status, "statusReason" FROM "BridgeConnection" WHERE id = $1`,
            [connectionId],
          )
        ).find((r) => r.status === 'broken'),
      { what: 'broken connection' },
    );
    expect(row.statusReason).toMatch(/revoked|uninstalled/i);
    const alert = await waitFor(
      () => telegramTexts().find((t) => t.thread === undefined && t.text.includes('Slack connection stopped working')),
      { what: 'alert on telegram' },
    );
    expect(alert.text).toMatch(/reinstall|add it to Slack again/i);
  });
});
