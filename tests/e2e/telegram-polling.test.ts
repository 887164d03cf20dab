import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { waitFor } from '@pocketping/testkit';
import { bootStack, type TStack } from './boot-stack.js';
import { connectVisitor, type TVisitor } from './widget-client.js';

// Telegram without a public URL (self-hosting, local runs): no webhook is set for the bot, so the worker long-polls
// getUpdates (TELEGRAM_UPDATES_MODE=auto, the default) and feeds the same inbound path as the webhook. Every app is
// a real process; the fake Telegram holds getUpdates open and queues operator messages for it.
describe('Telegram through long polling', () => {
  let stack: TStack;
  let visitor: TVisitor;
  let threadId: number;
  const sql = async <T>(q: string, args: unknown[]): Promise<T[]> => {
    const c = new pg.Client({ connectionString: stack.db.url });
    await c.connect();
    try {
      return (await c.query(q, args)).rows as T[];
    } finally {
      await c.end();
    }
  };
  const operatorWrites = (text: string) =>
    stack.telegram.operatorWrites({
      token: stack.tenantA.botToken!,
      chatId: stack.tenantA.chatId!,
      threadId,
      text,
      from: { id: 4242, first_name: 'Sarah' },
    });

  beforeAll(async () => {
    stack = await bootStack();
    // The CLI registered a webhook (it had WEB_PUBLIC_URL); a self-hosted install without a public URL has none.
    await stack.apps.worker.stop();
    const res = await fetch(`${stack.telegram.apiRoot}/bot${stack.tenantA.botToken!}/deleteWebhook`, {
      method: 'POST',
    });
    expect(res.status).toBe(200);
    stack.env.TELEGRAM_POLL_TIMEOUT_SECONDS = '2';
    stack.apps.worker = await stack.startWorker();
  });
  afterAll(async () => {
    visitor?.close();
    await stack?.stop();
  });

  it('an operator reply fetched with getUpdates reaches the widget and is stored once', async () => {
    visitor = await connectVisitor(stack.realtimeUrl, {
      projectKey: stack.tenantA.projectKey,
      origin: stack.tenantA.origin,
    });
    expect((await visitor.send('Anyone there?')).ok).toBe(true);
    threadId = (await waitFor(() => stack.telegram.topics(stack.tenantA.chatId!)[0], { what: 'forum topic' })).threadId;

    const { webhookStatus } = await operatorWrites('Hi, Sarah here (polled).');
    // Not pushed anywhere: it waits in Telegram until the worker's getUpdates takes it.
    expect(webhookStatus).toBeUndefined();
    const reply = await waitFor(() => visitor.received.find((m) => m.sender === 'operator'), {
      what: 'operator reply on the socket',
    });
    expect(reply).toMatchObject({ body: 'Hi, Sarah here (polled).', authorName: 'Sarah', source: 'telegram' });
    const rows = await sql<{ n: string }>(
      `SELECT count(*)::text AS n FROM "Message" WHERE body = $1 AND sender = 'operator'`,
      ['Hi, Sarah here (polled).'],
    );
    expect(rows[0]!.n).toBe('1');
    expect(stack.telegram.callsOf('getUpdates').length).toBeGreaterThan(0);
    expect(stack.telegram.callsOf('setWebhook')).toHaveLength(1);
  });

  it('a reply written while the worker is down arrives once after its restart; nothing earlier is replayed', async () => {
    await stack.apps.worker.stop();
    await operatorWrites('Written while the worker was down');
    stack.apps.worker = await stack.startWorker();
    await waitFor(() => visitor.received.find((m) => m.body === 'Written while the worker was down'), {
      what: 'reply after restart',
      timeoutMs: 30_000,
    });
    await operatorWrites('And one more');
    await waitFor(() => visitor.received.find((m) => m.body === 'And one more'), { what: 'next reply' });
    const counts = await sql<{ body: string; n: string }>(
      `SELECT body, count(*)::text AS n FROM "Message" WHERE sender = 'operator' GROUP BY body ORDER BY body`,
      [],
    );
    expect(counts).toEqual([
      { body: 'And one more', n: '1' },
      { body: 'Hi, Sarah here (polled).', n: '1' },
      { body: 'Written while the worker was down', n: '1' },
    ]);
    const events = await sql<{ n: string }>(
      `SELECT count(*)::text AS n FROM "InboundEvent" WHERE "connectionId" = $1`,
      [stack.tenantA.connectionId],
    );
    expect(events[0]!.n).toBe('3');
  });
});
