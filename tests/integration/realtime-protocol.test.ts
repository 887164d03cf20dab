// The widget protocol against the real realtime server (in-process) with the official socket.io-client, real
// Postgres and Redis: handshake refusals, idempotent send, gap-free resume, every event's happy path and bad input,
// identity verification, receipts, presence, internal messages that never reach the widget, transcript requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { appendMessage, listMessagesAfter } from '@pocketping/db';
import { changeConversationStatus, postOperatorMessage } from '@pocketping/conversations';
import { Queue } from 'bullmq';
import {
  JOBS,
  QUEUES,
  bullPrefix,
  createRedis,
  operatorPresenceKey,
  touchOperatorPresence,
  type TTranscriptJob,
} from '@pocketping/jobs';
import type {
  THistoryAck,
  TIdentifyAck,
  TOkAck,
  TSendAck,
  TMessage,
  TPresenceEvent,
  TReceiptEvent,
  TConversationEvent,
} from '@pocketping/protocol';
import { waitFor } from '@pocketping/testkit';
import { clientId, connectWidget, startHarness, type THarness, type TTenant } from './realtime-harness.js';

let h: THarness;
let tenantA: TTenant;
let tenantB: TTenant;

beforeAll(async () => {
  h = await startHarness();
  tenantA = await h.tenant({
    withBridge: true,
    settings: {
      color: '#112233',
      greeting: 'Hello!',
      csatEnabled: true,
      replyTimeMinutes: 15,
      preChat: { enabled: true, mode: 'after' },
      avatarUrl: 'javascript:alert(1)',
    },
  });
  tenantB = await h.tenant();
});
afterAll(async () => {
  await h?.close();
});

const errCode = (ack: unknown) => (ack as { ok: false; error: { code: string } }).error.code;

describe('handshake (the widget tenant wrapper)', () => {
  it('refuses an origin outside the project allowlist', async () => {
    await expect(
      connectWidget(h.url, { projectKey: tenantA.projectKey, origin: 'https://evil.test' }),
    ).rejects.toMatchObject({ data: { code: 'forbidden' } });
  });
  it("refuses another project's key from this origin, and an unknown key", async () => {
    await expect(
      connectWidget(h.url, { projectKey: tenantB.projectKey, origin: tenantA.origin }),
    ).rejects.toMatchObject({ data: { code: 'forbidden' } });
    await expect(
      connectWidget(h.url, { projectKey: 'pk_doesnotexist000', origin: tenantA.origin }),
    ).rejects.toMatchObject({ data: { code: 'unauthorized' } });
    await expect(connectWidget(h.url, { projectKey: 'x', origin: tenantA.origin })).rejects.toMatchObject({
      data: { code: 'bad_request' },
    });
  });
  it('a visitor token of project A does not resume anything in project B', async () => {
    const a = await connectWidget(h.url, tenantA);
    const b = await connectWidget(h.url, { ...tenantB, visitorToken: a.session.visitorToken! });
    expect(b.session.visitorId).not.toBe(a.session.visitorId);
    expect(b.session.visitorToken).toBeTruthy();
    a.close();
    b.close();
  });
  it('sends the public settings (unsafe avatar URL dropped) and the presence at once', async () => {
    const a = await connectWidget(h.url, tenantA);
    expect(a.session.settings).toMatchObject({
      color: '#112233',
      greeting: 'Hello!',
      csatEnabled: true,
      replyTimeMinutes: 15,
      avatarUrl: null,
      identityMode: 'optional',
    });
    expect(a.session.settings.preChat).toMatchObject({ enabled: true, mode: 'after', emailRequired: true });
    await waitFor(() => a.events.some((e) => e.event === 'presence'), { what: 'presence on connect' });
    expect(a.events.find((e) => e.event === 'presence')?.payload).toEqual({ status: 'away', replyTimeMinutes: 15 });
    a.close();
  });
  it("sends the owner's away message but not the office hours, and is away without a reply time outside them", async () => {
    const t = await h.tenant({
      settings: {
        replyTimeMinutes: 10,
        awayMessage: 'Back Monday <b>9:00</b>',
        officeHours: { timezone: 'UTC', days: [] },
      },
    });
    const a = await connectWidget(h.url, t);
    expect(a.session.settings.awayMessage).toBe('Back Monday <b>9:00</b>');
    expect(a.session.settings).not.toHaveProperty('officeHours');
    await waitFor(() => a.events.some((e) => e.event === 'presence'), { what: 'presence on connect' });
    expect(a.events.find((e) => e.event === 'presence')?.payload).toEqual({ status: 'away', replyTimeMinutes: null });
    a.close();
  });
});

describe('message:send and history', () => {
  it('the same clientId twice stores one message', async () => {
    const a = await connectWidget(h.url, tenantA);
    const id = clientId();
    const first = await a.ack<TSendAck>('message:send', { clientId: id, body: 'only once' });
    const second = await a.ack<TSendAck>('message:send', { clientId: id, body: 'only once' });
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect(second.duplicate).toBe(true);
    expect(second.message.id).toBe(first.message.id);
    const all = await listMessagesAfter(h.db, tenantA.organizationId, first.message.conversationId, 0, 100);
    expect(all.messages.filter((m) => m.clientId === id)).toHaveLength(1);
    a.close();
  });

  it('cut the connection, operator replies meanwhile, reconnect: each reply arrives exactly once, in order', async () => {
    const a = await connectWidget(h.url, tenantA);
    const token = a.session.visitorToken!;
    const sent = await a.ack<TSendAck>('message:send', { clientId: clientId(), body: 'hello?' });
    if (!sent.ok) throw new Error('send failed');
    const conversationId = sent.message.conversationId;
    const operatorSays = async (body: string) => {
      const r = await appendMessage(h.db, tenantA.organizationId, {
        conversationId,
        sender: 'operator',
        authorName: 'Sarah',
        body,
        source: 'telegram',
      });
      h.conversations.widget.message(conversationId, r.message); // exactly what the worker does
      return r.message;
    };
    await operatorSays('live 1');
    await waitFor(() => a.messages().some((m) => m.body === 'live 1'), { what: 'live reply' });
    const seen = new Map<number, TMessage>();
    for (const m of [sent.message, ...a.messages()]) seen.set(m.seq, m);
    const lastSeq = Math.max(...seen.keys());
    a.close();
    await waitFor(() => !a.socket.connected);

    const missed = [await operatorSays('missed 1'), await operatorSays('missed 2'), await operatorSays('missed 3')];

    const b = await connectWidget(h.url, { ...tenantA, visitorToken: token });
    expect(b.session.visitorId).toBe(a.session.visitorId);
    expect(b.session.visitorToken).toBeUndefined(); // only a new visitor gets a token
    expect(b.session.conversationId).toBe(conversationId);
    expect(b.session.lastSeq).toBe(missed[2]!.seq);
    const page = await b.ack<THistoryAck>('history', { afterSeq: lastSeq });
    if (!page.ok) throw new Error('history failed');
    expect(page.messages.map((m) => m.body)).toEqual(['missed 1', 'missed 2', 'missed 3']);
    expect(page.messages.map((m) => m.seq)).toEqual([lastSeq + 1, lastSeq + 2, lastSeq + 3]);
    expect(page.throughSeq).toBe(lastSeq + 3);
    for (const m of page.messages) seen.set(m.seq, m);

    await operatorSays('after reconnect');
    await waitFor(() => b.messages().some((m) => m.body === 'after reconnect'), { what: 'live after reconnect' });
    await new Promise((r) => setTimeout(r, 200));
    expect(b.messages().filter((m) => m.body === 'after reconnect')).toHaveLength(1);
    for (const m of b.messages()) seen.set(m.seq, m);
    // What the widget holds, keyed by seq: every stored message exactly once, in order, no gap.
    const stored = await listMessagesAfter(h.db, tenantA.organizationId, conversationId, 0, 100);
    expect([...seen.values()].sort((x, y) => x.seq - y.seq).map((m) => m.body)).toEqual(
      stored.messages.map((m) => m.body),
    );
    b.close();
  });

  it('a second tab of the same visitor receives what the first one sends; another visitor receives nothing', async () => {
    const a = await connectWidget(h.url, tenantA);
    const a2 = await connectWidget(h.url, { ...tenantA, visitorToken: a.session.visitorToken! });
    const stranger = await connectWidget(h.url, tenantA);
    const sent = await a.ack<TSendAck>('message:send', { clientId: clientId(), body: 'from tab 1' });
    expect(sent.ok).toBe(true);
    await waitFor(() => a2.messages().some((m) => m.body === 'from tab 1'), { what: 'echo to tab 2' });
    await new Promise((r) => setTimeout(r, 200));
    expect(a.messages()).toHaveLength(0); // the sender has the ack
    expect(stranger.messages()).toHaveLength(0);
    const page = await stranger.ack<THistoryAck>('history', { afterSeq: 0 });
    expect(page).toEqual({ ok: true, messages: [], hasMore: false, throughSeq: 0 });
    for (const c of [a, a2, stranger]) c.close();
  });

  it('answers bad input with bad_request and the field path', async () => {
    const a = await connectWidget(h.url, tenantA);
    const cases: [string, unknown, string][] = [
      ['message:send', { clientId: clientId(), body: '   ' }, 'body'],
      ['message:send', { clientId: 'short', body: 'x' }, 'clientId'],
      ['message:send', { clientId: clientId(), body: 'x'.repeat(4001) }, 'body'],
      ['message:send', 'not an object', ''],
      [
        'message:send',
        { clientId: clientId(), body: 'x', attachmentIds: Array.from({ length: 11 }, (_, i) => `a${i}`) },
        'attachmentIds',
      ],
      ['history', { afterSeq: -1 }, 'afterSeq'],
      ['history', { afterSeq: 0, limit: 1000 }, 'limit'],
      ['typing:update', { isTyping: 'yes' }, 'isTyping'],
      ['read', { seq: -5 }, 'seq'],
      ['identify', { id: '' }, 'id'],
      ['identify', { id: 'u1', hash: 'nothex' }, 'hash'],
      ['identify', { id: 'u1', email: 'not-an-email' }, 'email'],
      ['event', { name: 'has spaces!' }, 'name'],
      ['event', { name: 'ok', data: { nested: { a: 1 } } }, 'data.nested'],
      ['prechat', { email: 'nope' }, 'email'],
      ['csat', { score: 6 }, 'score'],
      ['csat', { score: 2.5 }, 'score'],
    ];
    for (const [event, payload, field] of cases) {
      const ack = await a.ack<{ ok: false; error: { code: string; details: { path: string }[] } }>(event, payload);
      expect(ack.ok, `${event} ${JSON.stringify(payload).slice(0, 60)}`).toBe(false);
      expect(ack.error.code).toBe('bad_request');
      expect(ack.error.details.map((d) => d.path)).toContain(field);
    }
    a.close();
  });

  it('rate-limits per visitor with a clear error', async () => {
    const a = await connectWidget(h.url, tenantA);
    const acks = await Promise.all(
      Array.from({ length: 45 }, (_, i) => a.ack<TOkAck>('typing:update', { isTyping: i % 2 === 0 })),
    );
    const limited = acks.filter((x) => !x.ok);
    expect(limited.length).toBeGreaterThanOrEqual(5);
    expect(limited[0]).toMatchObject({
      ok: false,
      error: { code: 'rate_limited', message: expect.stringMatching(/too many/i) },
    });
    a.close();
  });
});

describe('internal messages never reach the widget', () => {
  it('a custom event is stored as an internal system note, goes to the bridges, and is neither pushed nor listed', async () => {
    const a = await connectWidget(h.url, tenantA);
    const a2 = await connectWidget(h.url, { ...tenantA, visitorToken: a.session.visitorToken! });
    const sent = await a.ack<TSendAck>('message:send', { clientId: clientId(), body: 'before the event' });
    if (!sent.ok) throw new Error('send failed');
    const ev = await a.ack<TOkAck>('event', { name: 'checkout.started', data: { plan: 'pro', seats: 3 } });
    expect(ev).toEqual({ ok: true });
    const all = await h.db.message.findMany({
      where: { organizationId: tenantA.organizationId, conversationId: sent.message.conversationId },
      orderBy: { seq: 'asc' },
    });
    const note = all.find((m) => m.body.startsWith('Event: checkout.started'));
    expect(note).toMatchObject({
      sender: 'system',
      visibility: 'internal',
      body: 'Event: checkout.started\nplan: pro\nseats: 3',
    });
    // Delivered to the operator's apps like any message: one outbox row per connected bridge.
    expect(
      await h.db.outboxEvent.count({
        where: { organizationId: tenantA.organizationId, messageId: note!.id, connectionId: tenantA.connectionId! },
      }),
    ).toBe(1);

    // An operator reply after it: the widget sees the reply, never the note, and history accounts for the gap.
    const reply = await appendMessage(h.db, tenantA.organizationId, {
      conversationId: sent.message.conversationId,
      sender: 'operator',
      authorName: 'Op',
      body: 'reply',
      source: 'telegram',
    });
    h.conversations.widget.message(sent.message.conversationId, reply.message);
    await waitFor(() => a2.messages().some((m) => m.body === 'reply'));
    expect([...a.messages(), ...a2.messages()].some((m) => m.body.startsWith('Event:'))).toBe(false);
    const page = await a.ack<THistoryAck>('history', { afterSeq: 0 });
    if (!page.ok) throw new Error('history failed');
    expect(page.messages.map((m) => m.body)).toEqual(['before the event', 'reply']);
    expect(page.messages.map((m) => m.seq)).toEqual([note!.seq - 1, note!.seq + 1]);
    // A trailing internal message: the page ends below it but throughSeq covers it.
    await a.ack<TOkAck>('event', { name: 'trailing' });
    const tail = await a.ack<THistoryAck>('history', { afterSeq: reply.message.seq });
    expect(tail).toEqual({ ok: true, messages: [], hasMore: false, throughSeq: reply.message.seq + 1 });
    a.close();
    a2.close();
  });
});

describe('typing, read, receipts, presence, conversation status', () => {
  it('typing:update sets and clears a short-lived flag', async () => {
    const a = await connectWidget(h.url, tenantA);
    const sent = await a.ack<TSendAck>('message:send', { clientId: clientId(), body: 'typing soon' });
    if (!sent.ok) throw new Error('send failed');
    const key = `${h.redisConfig.prefix}:typing:visitor:${sent.message.conversationId}`;
    expect(await a.ack<TOkAck>('typing:update', { isTyping: true })).toEqual({ ok: true });
    expect(await h.redis.ttl(key)).toBeGreaterThan(0);
    expect(await h.redis.ttl(key)).toBeLessThanOrEqual(6);
    expect(await a.ack<TOkAck>('typing:update', { isTyping: false })).toEqual({ ok: true });
    expect(await h.redis.exists(key)).toBe(0);
    // operator typing reaches the widget through the emitter path
    h.signals.typing(sent.message.conversationId, { sender: 'operator', authorName: 'Sarah', isTyping: true });
    await waitFor(() => a.events.some((e) => e.event === 'typing'), { what: 'typing event' });
    expect(a.events.find((e) => e.event === 'typing')?.payload).toEqual({
      sender: 'operator',
      authorName: 'Sarah',
      isTyping: true,
    });
    a.close();
  });

  it('read moves the visitor watermark forward only, never past the last seq', async () => {
    const a = await connectWidget(h.url, tenantA);
    expect(errCode(await a.ack('read', { seq: 1 }))).toBe('not_found'); // no conversation yet
    const sent = await a.ack<TSendAck>('message:send', { clientId: clientId(), body: 'one' });
    if (!sent.ok) throw new Error('send failed');
    const cid = sent.message.conversationId;
    for (let i = 0; i < 3; i++)
      await appendMessage(h.db, tenantA.organizationId, {
        conversationId: cid,
        sender: 'operator',
        body: `r${i}`,
        source: 'telegram',
      });
    const watermark = async () =>
      (await h.db.conversation.findUniqueOrThrow({ where: { id: cid } })).visitorLastReadSeq;
    expect(await a.ack('read', { seq: 3 })).toEqual({ ok: true });
    expect(await watermark()).toBe(3);
    await a.ack('read', { seq: 2 });
    expect(await watermark()).toBe(3);
    await a.ack('read', { seq: 999 });
    expect(await watermark()).toBe(4);
    a.close();
  });

  it('delivered and read receipts, operator presence going online', async () => {
    const a = await connectWidget(h.url, tenantA);
    const s1 = await a.ack<TSendAck>('message:send', { clientId: clientId(), body: 'q1' });
    const s2 = await a.ack<TSendAck>('message:send', { clientId: clientId(), body: 'q2' });
    if (!s1.ok || !s2.ok) throw new Error('send failed');
    const cid = s1.message.conversationId;
    h.signals.delivered({ conversationId: cid, seq: s2.message.seq });
    await waitFor(() => a.events.some((e) => e.event === 'receipt'), { what: 'delivered receipt' });
    expect(a.events.find((e) => e.event === 'receipt')?.payload).toEqual({
      conversationId: cid,
      kind: 'delivered',
      seq: s2.message.seq,
    } satisfies TReceiptEvent);

    await h.redis.del(operatorPresenceKey(h.redisConfig.prefix, tenantA.projectId));
    // An operator reply from a chat app, through the same conversation action the worker runs.
    await postOperatorMessage(h.conversations, tenantA.organizationId, {
      conversationId: cid,
      projectId: tenantA.projectId,
      authorName: 'Sam',
      body: 'answer',
      visibility: 'public',
      source: 'telegram',
    });
    expect((await h.db.conversation.findUniqueOrThrow({ where: { id: cid } })).operatorLastReadSeq).toBe(
      s2.message.seq,
    );
    await waitFor(() => a.events.some((e) => e.event === 'receipt' && (e.payload as TReceiptEvent).kind === 'read'), {
      what: 'read receipt',
    });
    expect(a.events.filter((e) => e.event === 'receipt').map((e) => e.payload)).toContainEqual({
      conversationId: cid,
      kind: 'read',
      seq: s2.message.seq,
    });
    await waitFor(
      () => a.events.some((e) => e.event === 'presence' && (e.payload as TPresenceEvent).status === 'online'),
      { what: 'presence online' },
    );
    expect(a.events.filter((e) => e.event === 'presence').at(-1)?.payload).toEqual({
      status: 'online',
      replyTimeMinutes: 15,
    });
    // A new tab of the project sees "online" straight away; a tab of another project does not.
    const other = await connectWidget(h.url, tenantA);
    await waitFor(() => other.events.some((e) => e.event === 'presence'));
    expect(other.events.find((e) => e.event === 'presence')?.payload).toMatchObject({ status: 'online' });
    const b = await connectWidget(h.url, tenantB);
    await waitFor(() => b.events.some((e) => e.event === 'presence'));
    expect(b.events.find((e) => e.event === 'presence')?.payload).toMatchObject({ status: 'away' });
    for (const c of [a, other, b]) c.close();
  });

  it("'replies in about N minutes' is the team's measured median first response, once enough conversations were answered", async () => {
    const t = await h.tenant({ settings: { replyTimeMinutes: 30 } });
    const project = { organizationId: t.organizationId, projectId: t.projectId };
    // Answered after 4, 6 and 20 minutes (median 6); an AI answer and an unanswered conversation do not count.
    const waits: (number | null)[] = [4, 6, 20, null];
    for (const minutes of waits) {
      const v = await h.db.visitor.create({
        data: { organizationId: t.organizationId, projectId: t.projectId, tokenHash: `th-${clientId()}` },
      });
      const c = await h.db.conversation.create({
        data: { organizationId: t.organizationId, projectId: t.projectId, visitorId: v.id },
      });
      const asked = new Date(Date.now() - 60 * 60_000);
      const q = await appendMessage(h.db, t.organizationId, {
        conversationId: c.id,
        sender: 'visitor',
        body: 'question',
        source: 'widget',
      });
      await h.db.message.update({ where: { id: q.message.id }, data: { createdAt: asked } });
      const ai = await appendMessage(h.db, t.organizationId, {
        conversationId: c.id,
        sender: 'ai',
        body: 'bot',
        source: 'ai',
      });
      await h.db.message.update({
        where: { id: ai.message.id },
        data: { createdAt: new Date(asked.getTime() + 60_000) },
      });
      if (minutes === null) continue;
      const r = await appendMessage(h.db, t.organizationId, {
        conversationId: c.id,
        sender: 'operator',
        authorName: 'Sam',
        body: 'answer',
        source: 'web',
      });
      await h.db.message.update({
        where: { id: r.message.id },
        data: { createdAt: new Date(asked.getTime() + minutes * 60_000) },
      });
    }
    const a = await connectWidget(h.url, { ...t, ...project });
    await waitFor(() => a.events.some((e) => e.event === 'presence'), { what: 'presence' });
    expect(a.events.find((e) => e.event === 'presence')?.payload).toEqual({ status: 'away', replyTimeMinutes: 6 });
    a.close();
    // Too few answered conversations: the project's own figure.
    const fresh = await h.tenant({ settings: { replyTimeMinutes: 30 } });
    const b = await connectWidget(h.url, fresh);
    await waitFor(() => b.events.some((e) => e.event === 'presence'), { what: 'presence' });
    expect(b.events.find((e) => e.event === 'presence')?.payload).toEqual({ status: 'away', replyTimeMinutes: 30 });
    b.close();
  });

  it('presence goes back to away when the activity key expires (node sweep)', async () => {
    const h2 = await startHarness({ presenceCheckMs: 150 });
    try {
      const t = await h2.tenant({ settings: { replyTimeMinutes: 30 } });
      await touchOperatorPresence(h2.redis, h2.redisConfig.prefix, t.projectId);
      const a = await connectWidget(h2.url, t);
      await waitFor(() => a.events.some((e) => e.event === 'presence'));
      expect(a.events.find((e) => e.event === 'presence')?.payload).toEqual({ status: 'online', replyTimeMinutes: 30 });
      await h2.redis.pexpire(operatorPresenceKey(h2.redisConfig.prefix, t.projectId), 1);
      await waitFor(
        () => a.events.some((e) => e.event === 'presence' && (e.payload as TPresenceEvent).status === 'away'),
        { what: 'away' },
      );
      a.close();
    } finally {
      await h2.close();
    }
  });

  it('closing a conversation pushes csatRequested; csat is refused while open, stored once closed, once per rating', async () => {
    const a = await connectWidget(h.url, tenantA);
    const sent = await a.ack<TSendAck>('message:send', { clientId: clientId(), body: 'rate me later' });
    if (!sent.ok) throw new Error('send failed');
    const cid = sent.message.conversationId;
    expect(errCode(await a.ack('csat', { score: 5 }))).toBe('bad_request');
    expect(
      (
        await changeConversationStatus(h.conversations, tenantA.organizationId, {
          conversationId: cid,
          status: 'closed',
          actor: { authorName: 'Sam', source: 'web' },
        })
      ).changed,
    ).toBe(true);
    await waitFor(() => a.events.some((e) => e.event === 'conversation'), { what: 'conversation event' });
    expect(a.events.find((e) => e.event === 'conversation')?.payload).toEqual({
      conversationId: cid,
      status: 'closed',
      csatRequested: true,
    } satisfies TConversationEvent);
    // A reload shows the prompt too.
    const again = await connectWidget(h.url, { ...tenantA, visitorToken: a.session.visitorToken! });
    expect(again.session).toMatchObject({ conversationStatus: 'closed', csatRequested: true });
    expect(await a.ack('csat', { score: 4, comment: 'quick and kind' })).toEqual({ ok: true });
    const conv = await h.db.conversation.findUniqueOrThrow({ where: { id: cid } });
    expect(conv).toMatchObject({ csatScore: 4, csatComment: 'quick and kind' });
    const note = await h.db.message.findFirst({ where: { conversationId: cid, body: { startsWith: 'Rating:' } } });
    expect(note).toMatchObject({ visibility: 'internal', sender: 'system' });
    // The same rating again (a retry after a lost ack) is answered ok and stores nothing more.
    expect(await a.ack('csat', { score: 4, comment: 'quick and kind' })).toEqual({ ok: true });
    expect(await h.db.message.count({ where: { conversationId: cid, body: { startsWith: 'Rating:' } } })).toBe(1);
    const third = await connectWidget(h.url, { ...tenantA, visitorToken: a.session.visitorToken! });
    expect(third.session.csatRequested).toBe(false);
    for (const c of [a, again, third]) c.close();
  });

  it('prechat stores the answers on the conversation and the email/name on the visitor', async () => {
    const a = await connectWidget(h.url, tenantA);
    expect(errCode(await a.ack('prechat', {}))).toBe('bad_request');
    expect(await a.ack('prechat', { email: 'ann@example.com', name: 'Ann', fields: { company: 'ACME' } })).toEqual({
      ok: true,
    });
    const visitor = await h.db.visitor.findUniqueOrThrow({ where: { id: a.session.visitorId } });
    expect(visitor).toMatchObject({ email: 'ann@example.com', name: 'Ann' });
    const conv = await h.db.conversation.findFirstOrThrow({ where: { visitorId: a.session.visitorId } });
    expect(conv.preChat).toMatchObject({ email: 'ann@example.com', name: 'Ann', fields: { company: 'ACME' } });
    a.close();
  });
});

describe('identity verification', () => {
  const secret = 'idsecret_0123456789abcdef';
  const sign = (id: string) => createHmac('sha256', secret).update(id).digest('hex');

  it('optional mode: unverified without a hash, verified with a valid one, refused with an invalid one; no swap without a new hash', async () => {
    const t = await h.tenant({ identitySecret: secret });
    const a = await connectWidget(h.url, t);
    expect(await a.ack<TIdentifyAck>('identify', { id: 'user-1', email: 'u1@example.com' })).toEqual({
      ok: true,
      verified: false,
    });
    expect(errCode(await a.ack('identify', { id: 'user-1', hash: sign('user-2') }))).toBe('unauthorized');
    expect(errCode(await a.ack('identify', { id: 'user-1', hash: 'f'.repeat(64) }))).toBe('unauthorized');
    expect(
      await a.ack<TIdentifyAck>('identify', { id: 'user-1', hash: sign('user-1').toUpperCase(), name: 'Una' }),
    ).toEqual({ ok: true, verified: true });
    // Swap attempt: another id without a valid hash is refused and changes nothing.
    expect(errCode(await a.ack('identify', { id: 'admin', email: 'admin@example.com' }))).toBe('forbidden');
    // The same id without the hash (a page that forgot it) keeps the verified identity untouched.
    expect(await a.ack<TIdentifyAck>('identify', { id: 'user-1', email: 'spoof@example.com' })).toEqual({
      ok: true,
      verified: true,
    });
    let v = await h.db.visitor.findUniqueOrThrow({ where: { id: a.session.visitorId } });
    expect(v).toMatchObject({ externalId: 'user-1', identityVerified: true, email: 'u1@example.com', name: 'Una' });
    // A new valid hash may change the identity.
    expect(await a.ack<TIdentifyAck>('identify', { id: 'user-2', hash: sign('user-2') })).toEqual({
      ok: true,
      verified: true,
    });
    v = await h.db.visitor.findUniqueOrThrow({ where: { id: a.session.visitorId } });
    expect(v.externalId).toBe('user-2');
    // The resumed session knows it is verified.
    const again = await connectWidget(h.url, { ...t, visitorToken: a.session.visitorToken! });
    expect(again.session.identityVerified).toBe(true);
    a.close();
    again.close();
  });

  it('enforce mode: nothing is accepted before a verified identify()', async () => {
    const t = await h.tenant({ identitySecret: secret, settings: { identity: 'enforce' } });
    const a = await connectWidget(h.url, t);
    expect(a.session.settings.identityMode).toBe('enforce');
    expect(errCode(await a.ack('message:send', { clientId: clientId(), body: 'hi' }))).toBe('unauthorized');
    expect(errCode(await a.ack('event', { name: 'x' }))).toBe('unauthorized');
    expect(errCode(await a.ack('identify', { id: 'user-9' }))).toBe('unauthorized');
    expect(errCode(await a.ack('identify', { id: 'user-9', hash: sign('user-8') }))).toBe('unauthorized');
    expect(await a.ack<TIdentifyAck>('identify', { id: 'user-9', hash: sign('user-9') })).toEqual({
      ok: true,
      verified: true,
    });
    expect((await a.ack<TSendAck>('message:send', { clientId: clientId(), body: 'hi' })).ok).toBe(true);
    // Another tab of the same visitor, connected before identify on the first one, is let through too.
    a.close();
  });

  it('a hash for a project without an identity secret is a clear configuration error', async () => {
    const a = await connectWidget(h.url, tenantB);
    const ack = await a.ack<{ ok: false; error: { code: string; message: string } }>('identify', {
      id: 'u',
      hash: sign('u'),
    });
    expect(ack.error).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/not configured/) });
    a.close();
  });
});

describe('transcript (email me this conversation)', () => {
  it("queues the visitor's own conversation only, to a valid address, 3 an hour; bad input spends nothing", async () => {
    // The hourly budget is a fixed window: start well inside one.
    const left = 3_600_000 - (Date.now() % 3_600_000);
    if (left < 15_000) await new Promise((r) => setTimeout(r, left + 50));
    const connection = createRedis(h.redisConfig.url, 'producer');
    const queue = new Queue(QUEUES.notifications, { connection, prefix: bullPrefix(h.redisConfig) });
    const jobsOf = async (visitorId: string) =>
      (await queue.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed']))
        .filter((j) => j.name === JOBS.transcript && (j.data as TTranscriptJob).visitorId === visitorId)
        .map((j) => j.data as TTranscriptJob);

    const a = await connectWidget(h.url, tenantB);
    expect(errCode(await a.ack('transcript', {}))).toBe('not_found');
    const sent = await a.ack<TSendAck>('message:send', { clientId: clientId(), body: 'Hello' });
    const own = (sent as { message: TMessage }).message.conversationId;
    // No address known and none given: the widget is told to ask for one.
    expect(errCode(await a.ack('transcript', {}))).toBe('bad_request');
    expect(errCode(await a.ack('transcript', { email: 'not-an-email' }))).toBe('bad_request');

    // Another visitor's conversation (of this project or another tenant's) cannot be named: the payload takes no id.
    const b = await connectWidget(h.url, tenantA);
    await b.ack('prechat', { email: 'bob@example.com' });
    const bSent = await b.ack<TSendAck>('message:send', { clientId: clientId(), body: 'Hi from B' });
    const bConversation = (bSent as { message: TMessage }).message.conversationId;
    expect(errCode(await a.ack('transcript', { conversationId: bConversation }))).toBe('bad_request');

    for (let i = 0; i < 3; i++) expect(await a.ack('transcript', { email: 'ann@example.com' })).toEqual({ ok: true });
    const refused = (await a.ack('transcript', { email: 'ann@example.com' })) as {
      ok: false;
      error: { code: string; message: string };
    };
    expect(refused.error.code).toBe('rate_limited');
    expect(refused.error.message).toContain('3 transcripts an hour');
    // The address typed becomes the visitor's (they had none).
    expect((await h.db.visitor.findUniqueOrThrow({ where: { id: a.session.visitorId } })).email).toBe(
      'ann@example.com',
    );

    // B's own request: their conversation, to the address typed; their known email is not replaced.
    expect(await b.ack('transcript', { email: 'bob.work@example.com' })).toEqual({ ok: true });
    expect((await h.db.visitor.findUniqueOrThrow({ where: { id: b.session.visitorId } })).email).toBe(
      'bob@example.com',
    );

    const aJobs = await jobsOf(a.session.visitorId);
    expect(aJobs).toHaveLength(3);
    for (const j of aJobs)
      expect(j).toEqual({
        organizationId: tenantB.organizationId,
        conversationId: own,
        visitorId: a.session.visitorId,
        email: 'ann@example.com',
      });
    expect(await jobsOf(b.session.visitorId)).toEqual([
      {
        organizationId: tenantA.organizationId,
        conversationId: bConversation,
        visitorId: b.session.visitorId,
        email: 'bob.work@example.com',
      },
    ]);
    a.close();
    b.close();
    await queue.close();
    connection.disconnect();
  });
});
