// The widget's send path (plain SQL, one statement per message, conversation cached per socket) against the real
// server and Postgres: idempotency under races, the transactional outbox, closed conversations, stored times.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendWidgetMessage,
  createSqlPool,
  getOrCreateOpenConversationSql,
  setConversationStatus,
  type TAppendMessageResult,
} from '@pocketping/db';
import type { TSendAck } from '@pocketping/protocol';
import { clientId, connectWidget, startHarness, type THarness, type TTenant } from './realtime-harness.js';

let h: THarness;
let t: TTenant;

beforeAll(async () => {
  h = await startHarness();
  t = await h.tenant({ withBridge: true });
});
afterAll(async () => {
  await h?.close();
});

function ok(ack: TSendAck) {
  if (!ack.ok) throw new Error(JSON.stringify(ack));
  return ack;
}

describe('message:send over the plain-SQL path', () => {
  it('one clientId sent 12 times at once from two tabs stores one message, takes one seq and writes one outbox row', async () => {
    const a = await connectWidget(h.url, t);
    const b = await connectWidget(h.url, { ...t, visitorToken: a.session.visitorToken! });
    const first = ok(await a.ack<TSendAck>('message:send', { clientId: clientId(), body: 'opens the conversation' }));
    const id = clientId();
    const acks = (
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 ? a : b).ack<TSendAck>('message:send', { clientId: id, body: 'same' }),
        ),
      )
    ).map(ok);
    const stored = acks.find((x) => !x.duplicate)!;
    expect(acks.filter((x) => !x.duplicate)).toHaveLength(1);
    for (const x of acks)
      expect(x.message).toMatchObject({
        id: stored.message.id,
        seq: first.message.seq + 1,
        clientId: id,
        body: 'same',
      });
    expect(await h.db.message.count({ where: { conversationId: first.message.conversationId, clientId: id } })).toBe(1);
    expect(await h.db.outboxEvent.count({ where: { messageId: stored.message.id } })).toBe(1);
    // No seq was consumed by the duplicates: the next message follows directly.
    const next = ok(await b.ack<TSendAck>('message:send', { clientId: clientId(), body: 'next' }));
    expect(next.message.seq).toBe(first.message.seq + 2);
    const conv = await h.db.conversation.findUniqueOrThrow({ where: { id: first.message.conversationId } });
    expect(conv.nextSeq).toBe(next.message.seq + 1);
    a.close();
    b.close();
  });

  it('writes the message and its outbox row (pending, for the bridge) with UTC times matching the database', async () => {
    const v = await connectWidget(h.url, t);
    const before = Date.now();
    const sent = ok(await v.ack<TSendAck>('message:send', { clientId: clientId(), body: 'hello <b>there</b>' }));
    const row = await h.db.message.findUniqueOrThrow({ where: { id: sent.message.id } });
    expect(row).toMatchObject({
      organizationId: t.organizationId,
      seq: sent.message.seq,
      sender: 'visitor',
      visibility: 'public',
      body: 'hello <b>there</b>',
      source: 'widget',
    });
    expect(sent.message.createdAt).toBe(row.createdAt.toISOString());
    expect(Math.abs(row.createdAt.getTime() - before)).toBeLessThan(30_000);
    const outbox = await h.db.outboxEvent.findMany({ where: { messageId: sent.message.id } });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({
      organizationId: t.organizationId,
      kind: 'bridge.deliver',
      connectionId: t.connectionId,
      conversationId: sent.message.conversationId,
      seq: sent.message.seq,
      status: 'pending',
      attempts: 0,
    });
    expect(Math.abs(outbox[0]!.createdAt.getTime() - before)).toBeLessThan(30_000);
    const conv = await h.db.conversation.findUniqueOrThrow({ where: { id: sent.message.conversationId } });
    expect(Math.abs(conv.lastMessageAt!.getTime() - before)).toBeLessThan(30_000);
    v.close();
  });

  it('a conversation closed after the socket cached it: the next send opens a new one, the closed one is untouched', async () => {
    const v = await connectWidget(h.url, t);
    const first = ok(await v.ack<TSendAck>('message:send', { clientId: clientId(), body: 'first' }));
    await setConversationStatus(h.db, t.organizationId, first.message.conversationId, 'closed');
    const second = ok(await v.ack<TSendAck>('message:send', { clientId: clientId(), body: 'after close' }));
    expect(second.message.conversationId).not.toBe(first.message.conversationId);
    expect(second.message.seq).toBe(1);
    const old = await h.db.conversation.findUniqueOrThrow({ where: { id: first.message.conversationId } });
    expect(old).toMatchObject({ status: 'closed', nextSeq: first.message.seq + 1 });
    // A reply pushed to the new conversation reaches this socket (it joined the new room).
    h.conversations.widget.message(second.message.conversationId, {
      ...second.message,
      id: 'op1',
      seq: 2,
      sender: 'operator',
      body: 'reply',
      clientId: null,
    });
    await expect.poll(() => v.messages().some((m) => m.id === 'op1'), { timeout: 5_000 }).toBe(true);
    v.close();
  });

  it('two tabs sending their very first message at once share one conversation', async () => {
    const a = await connectWidget(h.url, t);
    const b = await connectWidget(h.url, { ...t, visitorToken: a.session.visitorToken! });
    const [x, y] = (
      await Promise.all([
        a.ack<TSendAck>('message:send', { clientId: clientId(), body: 'x' }),
        b.ack<TSendAck>('message:send', { clientId: clientId(), body: 'y' }),
      ])
    ).map(ok);
    expect(x!.message.conversationId).toBe(y!.message.conversationId);
    expect([x!.message.seq, y!.message.seq].sort()).toEqual([1, 2]);
    expect(await h.db.conversation.count({ where: { visitorId: a.session.visitorId } })).toBe(1);
    a.close();
    b.close();
  });

  it('repository level: 50 concurrent appends get seq 1..50 with one outbox row each; a foreign tenant writes nothing', async () => {
    const sql = createSqlPool(h.database.url, { poolSize: 10, onError: () => undefined });
    try {
      const v = await connectWidget(h.url, t);
      const c = await getOrCreateOpenConversationSql(sql, t.organizationId, {
        projectId: t.projectId,
        visitorId: v.session.visitorId,
      });
      v.close();
      const results = (await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          appendWidgetMessage(sql, t.organizationId, {
            conversationId: c.id,
            visitorId: c.visitorId,
            sender: 'visitor',
            visibility: 'public',
            body: `m${i}`,
            source: 'widget',
            clientId: `client-${i}-xxxx`,
          }),
        ),
      )) as TAppendMessageResult[];
      expect(results.map((r) => r.message.seq).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      expect(
        results.every(
          (r) =>
            !r.duplicate &&
            r.outbox.length === 1 &&
            r.outbox[0]!.seq === r.message.seq &&
            r.outbox[0]!.connectionId === t.connectionId,
        ),
      ).toBe(true);
      expect(await h.db.outboxEvent.count({ where: { conversationId: c.id, status: 'pending' } })).toBe(50);

      const other = await h.tenant();
      const intrusion = await appendWidgetMessage(sql, other.organizationId, {
        conversationId: c.id,
        visitorId: c.visitorId,
        sender: 'visitor',
        visibility: 'public',
        body: 'x',
        source: 'widget',
        clientId: 'intruder-1',
      });
      expect(intrusion).toEqual({ conversationGone: true });
      await expect(
        getOrCreateOpenConversationSql(sql, other.organizationId, {
          projectId: other.projectId,
          visitorId: c.visitorId,
        }),
      ).rejects.toMatchObject({ code: 'not_found' });
      expect(await h.db.message.count({ where: { conversationId: c.id } })).toBe(50);
    } finally {
      await sql.end();
    }
  });
});
