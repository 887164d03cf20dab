// Repositories against the real Postgres: seq allocation under concurrency, idempotent sends, the outbox written
// with the message, and tenant scoping of every lookup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { parseKeyRing, sha256 } from '@pocketping/core';
import {
  appendMessage,
  bootstrapTenant,
  createDb,
  createVisitor,
  getBridgeThread,
  getConnection,
  getConversation,
  getMessage,
  getOrCreateOpenConversation,
  getProject,
  getVisitor,
  getVisitorByTokenHash,
  listMessagesAfter,
  listPendingDeliveries,
  listPreviousVisitorMessages,
  setConversationStatus,
  resolveApiKey,
  saveBridgeThread,
  findConversationIdByThread,
  type TDb,
} from '@pocketping/db';
import { createTestDatabase, testEncryptionKey, type TTestDatabase } from '@pocketping/testkit';

describe('repositories', () => {
  let database: TTestDatabase;
  let db: TDb;
  const ring = parseKeyRing(testEncryptionKey());
  let a: Awaited<ReturnType<typeof bootstrapTenant>>;
  let b: Awaited<ReturnType<typeof bootstrapTenant>>;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDb(database.url, { poolSize: 20 });
    a = await bootstrapTenant(db, ring, {
      email: 'a@a.test',
      orgName: 'A',
      allowedOrigins: ['https://a.test'],
      telegram: { botToken: '1:aaaaaaaaaaaaaaaaaaaaaaaa', chatId: '-100111' },
    });
    b = await bootstrapTenant(db, ring, { email: 'b@b.test', orgName: 'B', allowedOrigins: ['https://b.test'] });
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  async function conversationOf(t: typeof a) {
    const v = await createVisitor(db, t.organization.id, {
      projectId: t.project.id,
      tokenHash: sha256(randomBytes(8).toString('hex')),
    });
    return getOrCreateOpenConversation(db, t.organization.id, { projectId: t.project.id, visitorId: v.id });
  }

  it('50 concurrent appends get seq 1..50 with no gap and no duplicate, each with its outbox row', async () => {
    const c = await conversationOf(a);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        appendMessage(db, a.organization.id, {
          conversationId: c.id,
          sender: 'visitor',
          body: `m${i}`,
          source: 'widget',
          clientId: `client-${i}-xxxx`,
        }),
      ),
    );
    expect(results.map((r) => r.message.seq).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    expect(results.every((r) => r.outbox.length === 1 && r.outbox[0]!.seq === r.message.seq)).toBe(true);
    const pending = await listPendingDeliveries(db, a.organization.id, {
      connectionId: a.telegram!.connection.id,
      conversationId: c.id,
      limit: 100,
    });
    expect(pending.map((p) => p.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('a resent clientId returns the stored message, consumes no seq and writes no outbox row', async () => {
    const c = await conversationOf(a);
    const sends = await Promise.all(
      Array.from({ length: 5 }, () =>
        appendMessage(db, a.organization.id, {
          conversationId: c.id,
          sender: 'visitor',
          body: 'hello',
          source: 'widget',
          clientId: 'same-client-id',
        }),
      ),
    );
    expect(new Set(sends.map((s) => s.message.id)).size).toBe(1);
    expect(sends.filter((s) => !s.duplicate)).toHaveLength(1);
    expect(sends.flatMap((s) => s.outbox)).toHaveLength(1);
    const next = await appendMessage(db, a.organization.id, {
      conversationId: c.id,
      sender: 'visitor',
      body: 'next',
      source: 'widget',
      clientId: 'another-client',
    });
    expect(next.message.seq).toBe(2);
  });

  it('two first messages from two tabs end in one conversation', async () => {
    const v = await createVisitor(db, a.organization.id, { projectId: a.project.id, tokenHash: sha256('tabs') });
    const [c1, c2] = await Promise.all([
      getOrCreateOpenConversation(db, a.organization.id, { projectId: a.project.id, visitorId: v.id }),
      getOrCreateOpenConversation(db, a.organization.id, { projectId: a.project.id, visitorId: v.id }),
    ]);
    expect(c1.id).toBe(c2.id);
  });

  it("a visitor's earlier conversations for the widget: the last 3, the newest 100 messages, public only, their own", async () => {
    const org = a.organization.id;
    const v = await createVisitor(db, org, {
      projectId: a.project.id,
      tokenHash: sha256(randomBytes(8).toString('hex')),
    });
    const say = (conversationId: string, body: string, visibility: 'public' | 'internal' = 'public') =>
      appendMessage(db, org, { conversationId, sender: 'visitor', body, source: 'widget', visibility, deliver: false });
    // Five closed conversations (c0 oldest) of 40 messages each, then the current one.
    const closed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await getOrCreateOpenConversation(db, org, { projectId: a.project.id, visitorId: v.id });
      for (let n = 0; n < 40; n++) await say(c.id, `c${i} m${n}`);
      await say(c.id, `c${i} note`, 'internal');
      await setConversationStatus(db, org, c.id, 'closed');
      closed.push(c.id);
    }
    const current = await getOrCreateOpenConversation(db, org, { projectId: a.project.id, visitorId: v.id });
    await say(current.id, 'now');
    const previous = await listPreviousVisitorMessages(db, org, {
      visitorId: v.id,
      beforeConversationId: current.id,
      conversations: 3,
      limit: 100,
    });
    // c2, c3, c4 (120 messages): the newest 100 — c2's last 20, then c3 and c4 whole — oldest first, notes left out.
    expect(previous).toHaveLength(100);
    expect(previous[0]!.body).toBe('c2 m20');
    expect(previous.at(-1)!.body).toBe('c4 m39');
    expect(new Set(previous.map((m) => m.conversationId))).toEqual(new Set(closed.slice(2)));
    expect(previous.some((m) => m.body.includes('note') || m.body === 'now')).toBe(false);
    const order = previous.map((m) => `${closed.indexOf(m.conversationId)}:${String(m.seq).padStart(3, '0')}`);
    expect(order).toEqual([...order].sort());
    // Another visitor (or another tenant) naming this conversation gets nothing.
    const stranger = await createVisitor(db, org, { projectId: a.project.id, tokenHash: sha256('stranger') });
    const args = { beforeConversationId: current.id, conversations: 3, limit: 100 };
    expect(await listPreviousVisitorMessages(db, org, { ...args, visitorId: stranger.id })).toEqual([]);
    expect(await listPreviousVisitorMessages(db, b.organization.id, { ...args, visitorId: v.id })).toEqual([]);
  });

  it("every lookup is scoped by tenant: B's id finds nothing of A's", async () => {
    const c = await conversationOf(a);
    const m = await appendMessage(db, a.organization.id, {
      conversationId: c.id,
      sender: 'visitor',
      body: 'secret',
      source: 'widget',
    });
    await saveBridgeThread(db, a.organization.id, {
      conversationId: c.id,
      connectionId: a.telegram!.connection.id,
      externalChatId: '-100111',
      externalThreadId: '42',
    });
    const B = b.organization.id;
    expect(await getConversation(db, B, c.id)).toBeNull();
    expect(await getMessage(db, B, m.message.id)).toBeNull();
    expect(await getProject(db, B, a.project.id)).toBeNull();
    expect(await getConnection(db, B, a.telegram!.connection.id)).toBeNull();
    expect(await getVisitor(db, B, c.visitorId)).toBeNull();
    expect(await getBridgeThread(db, B, c.id, a.telegram!.connection.id)).toBeNull();
    expect(
      await findConversationIdByThread(db, B, {
        connectionId: a.telegram!.connection.id,
        externalChatId: '-100111',
        externalThreadId: '42',
      }),
    ).toBeNull();
    expect((await listMessagesAfter(db, B, c.id, 0, 10)).messages).toEqual([]);
    await expect(
      appendMessage(db, B, { conversationId: c.id, sender: 'visitor', body: 'intrusion', source: 'widget' }),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect((await listMessagesAfter(db, a.organization.id, c.id, 0, 10)).messages.map((x) => x.body)).toEqual([
      'secret',
    ]);
  });

  it('a visitor token resolves only within its own project', async () => {
    await createVisitor(db, a.organization.id, { projectId: a.project.id, tokenHash: sha256('vt_token_of_a') });
    expect(await getVisitorByTokenHash(db, a.organization.id, a.project.id, sha256('vt_token_of_a'))).not.toBeNull();
    expect(await getVisitorByTokenHash(db, b.organization.id, b.project.id, sha256('vt_token_of_a'))).toBeNull();
  });

  it('stores secrets sealed and API keys hashed', async () => {
    const row = await db.bridgeConnection.findUniqueOrThrow({ where: { id: a.telegram!.connection.id } });
    expect(row.credentials).not.toContain('aaaaaaaaaaaaaaaaaaaaaaaa');
    expect(row.credentials).toMatch(/^v1:k1:/);
    const key = await db.apiKey.findFirstOrThrow({ where: { organizationId: a.organization.id } });
    expect(key.hash).toBe(sha256(a.apiKey.key));
    expect(JSON.stringify(key)).not.toContain(a.apiKey.key);
    expect(await resolveApiKey(db, a.apiKey.key)).toMatchObject({ organizationId: a.organization.id });
    expect(await resolveApiKey(db, 'ppk_not-a-key')).toBeNull();
  });
});
