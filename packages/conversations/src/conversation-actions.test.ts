// The conversation actions against the real Postgres and Redis, with recording ports: what each one stores, queues
// and pushes — the contract the dashboard, the worker (and later the AI and the API) rely on.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, encryptSecret, parseKeyRing, sha256 } from '@pocketping/core';
import {
  createAttachmentWithinQuota,
  createConnection,
  createDb,
  createSqlPool,
  createOrganizationWithOwner,
  createProject,
  createVisitor,
  getOrCreateOpenConversation,
  appendMessage,
  type TDb,
  type TSql,
} from '@pocketping/db';
import { createRedis, type TDashboardEvent } from '@pocketping/jobs';
import type { TConversationEvent, TMessage, TPresenceEvent, TReceiptEvent } from '@pocketping/protocol';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  testEncryptionKey,
  uniqueRedisPrefix,
  type TTestDatabase,
} from '@pocketping/testkit';
import {
  attachVisitorUpload,
  changeConversationStatus,
  changeOperatorMessage,
  createVisitorPorts,
  markConversationRead,
  markReadByVisitor,
  noteVisitorLeft,
  postOperatorMessage,
  postVisitorMessage,
  rateConversation,
  recordVisitorEvent,
  submitPreChat,
  VISITOR_LEFT_NOTE,
  WIDGET_NOTE_MAX,
  type TVisitorMessagePosted,
  type TVisitorPorts,
  type TVisitorSession,
} from './index.js';

let database: TTestDatabase;
let db: TDb;
let sql: TSql;
let redis: ReturnType<typeof createRedis>;
let ports: TVisitorPorts;
const pushed = {
  messages: [] as TMessage[],
  receipts: [] as TReceiptEvent[],
  conversations: [] as TConversationEvent[],
  presence: [] as TPresenceEvent[],
  dashboard: [] as TDashboardEvent[],
  /** The follow-up port (the AI fallback's hook). */
  visitorMessages: [] as TVisitorMessagePosted[],
};
const queued: string[] = [];
let org = '';
let projectId = '';
let connectionId = '';
/** Another tenant: its visitor and conversation must be out of reach of `org`'s sessions, and the reverse. */
let otherOrg = '';
let otherProjectId = '';

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, { poolSize: 4 });
  sql = createSqlPool(database.url, { poolSize: 4, onError: () => undefined });
  redis = createRedis(TEST_REDIS_URL, 'worker');
  const ring = parseKeyRing(testEncryptionKey());
  const { organization } = await createOrganizationWithOwner(db, {
    email: `o-${randomBytes(3).toString('hex')}@actions.test`,
    orgName: 'Actions',
  });
  org = organization.id;
  projectId = (
    await createProject(db, org, {
      name: 'Site',
      allowedOrigins: ['https://a.test'],
      settings: { csatEnabled: true, replyTimeMinutes: 5 },
    })
  ).id;
  connectionId = (
    await createConnection(db, org, {
      projectId,
      kind: 'telegram',
      sealedCredentials: encryptSecret(ring, '{}'),
      targetId: '-100',
    })
  ).id;
  const other = await createOrganizationWithOwner(db, {
    email: `x-${randomBytes(3).toString('hex')}@actions.test`,
    orgName: 'Other',
  });
  otherOrg = other.organization.id;
  otherProjectId = (await createProject(db, otherOrg, { name: 'Other site', allowedOrigins: ['https://b.test'] })).id;
  ports = recordingPorts();
}, 120_000);

afterAll(async () => {
  redis?.disconnect();
  await sql?.end();
  await db?.$disconnect();
  await database?.drop();
});

function recordingPorts(visitorMessagePosted?: TVisitorPorts['visitorMessagePosted']): TVisitorPorts {
  return createVisitorPorts({
    visitorMessagePosted: visitorMessagePosted ?? ((e) => void pushed.visitorMessages.push(e)),
    db,
    sql,
    redis,
    redisPrefix: uniqueRedisPrefix(),
    widget: {
      message: (_c, m) => void pushed.messages.push(m),
      receipt: (e) => void pushed.receipts.push(e),
      conversation: (e) => void pushed.conversations.push(e),
      presence: (_p, e) => void pushed.presence.push(e),
      typing: () => undefined,
    },
    dashboard: { event: (e) => void pushed.dashboard.push(e) },
    producer: { enqueueDeliveries: async (rows) => void queued.push(...rows.map((r) => r.id)) },
    log: createLogger('conversations-test', 'silent'),
  });
}

async function conversationWithVisitorMessage(): Promise<string> {
  const v = await createVisitor(db, org, {
    projectId,
    tokenHash: sha256(randomBytes(8).toString('hex')),
    metadata: {},
  });
  const c = await getOrCreateOpenConversation(db, org, { projectId, visitorId: v.id });
  await appendMessage(db, org, {
    conversationId: c.id,
    sender: 'visitor',
    body: 'hello?',
    source: 'widget',
    clientId: `v-${randomBytes(4).toString('hex')}`,
  });
  return c.id;
}

async function newVisitorSession(organizationId = org, inProject = projectId): Promise<TVisitorSession> {
  const v = await createVisitor(db, organizationId, {
    projectId: inProject,
    tokenHash: sha256(randomBytes(8).toString('hex')),
    metadata: {},
  });
  return { organizationId, projectId: inProject, visitorId: v.id, openConversationId: null };
}

const reset = () => {
  for (const list of Object.values(pushed)) list.length = 0;
  queued.length = 0;
};

describe('conversation actions', () => {
  it('postOperatorMessage (public): stored, queued for every app, pushed, read receipt for seq − 1, operator online once', async () => {
    const cid = await conversationWithVisitorMessage();
    reset();
    const input = {
      conversationId: cid,
      projectId,
      authorName: 'Sam',
      body: 'Hi, how can I help?',
      visibility: 'public' as const,
      source: 'web',
      clientId: 'dash-1',
    };
    const first = await postOperatorMessage(ports, org, input);
    expect(first.duplicate).toBe(false);
    expect(first.message).toMatchObject({ seq: 2, sender: 'operator', body: 'Hi, how can I help?' });
    expect(queued).toHaveLength(1);
    expect(pushed.messages.map((m) => m.id)).toEqual([first.message.id]);
    expect(pushed.receipts).toEqual([{ conversationId: cid, kind: 'read', seq: 1 }]);
    expect(pushed.presence).toEqual([{ status: 'online', replyTimeMinutes: 5 }]);
    expect(pushed.dashboard).toEqual([
      expect.objectContaining({
        type: 'message',
        conversationId: cid,
        seq: 2,
        change: 'created',
        visibility: 'public',
      }),
    ]);
    // The same client id again (a retried request): pushed again, nothing stored, queued or receipted twice.
    reset();
    const again = await postOperatorMessage(ports, org, input);
    expect(again).toMatchObject({ duplicate: true, message: { id: first.message.id } });
    expect(queued).toHaveLength(0);
    expect(pushed.messages).toHaveLength(1);
    expect(pushed.receipts).toHaveLength(0);
    expect(await db.message.count({ where: { conversationId: cid, sender: 'operator' } })).toBe(1);
  });

  it('postOperatorMessage (internal): a note reaches the apps, never the widget, and marks the conversation read', async () => {
    const cid = await conversationWithVisitorMessage();
    reset();
    const note = await postOperatorMessage(ports, org, {
      conversationId: cid,
      projectId,
      authorName: 'Sam',
      body: 'VIP',
      visibility: 'internal',
      source: 'web',
    });
    expect(queued).toHaveLength(1);
    expect(pushed.messages).toHaveLength(0);
    expect(pushed.receipts).toHaveLength(0);
    expect((await db.conversation.findUniqueOrThrow({ where: { id: cid } })).operatorLastReadSeq).toBe(
      note.message.seq,
    );
  });

  it('changeConversationStatus: the widget is told (rating asked when the project wants one), one trace note per real change', async () => {
    const cid = await conversationWithVisitorMessage();
    reset();
    const actor = { authorName: 'Sam', source: 'web' };
    expect((await changeConversationStatus(ports, org, { conversationId: cid, status: 'closed', actor })).changed).toBe(
      true,
    );
    expect(pushed.conversations).toEqual([{ conversationId: cid, status: 'closed', csatRequested: true }]);
    expect(pushed.dashboard.map((e) => e.type)).toEqual(['message', 'conversation']);
    // Closing again: told again (idempotent for the widget), but no second note.
    expect((await changeConversationStatus(ports, org, { conversationId: cid, status: 'closed', actor })).changed).toBe(
      false,
    );
    expect(pushed.conversations).toHaveLength(2);
    const notes = await db.message.findMany({ where: { conversationId: cid, visibility: 'internal' } });
    expect(notes.map((n) => n.body)).toEqual(['closed the conversation']);
    // Once the visitor rated, closing again asks for nothing.
    await changeConversationStatus(ports, org, { conversationId: cid, status: 'open', actor });
    await db.conversation.update({ where: { id: cid }, data: { csatScore: 5 } });
    await changeConversationStatus(ports, org, { conversationId: cid, status: 'closed', actor });
    expect(pushed.conversations.at(-1)).toEqual({ conversationId: cid, status: 'closed', csatRequested: false });
  });

  it('markConversationRead moves forward only, with a receipt only when it moved', async () => {
    const cid = await conversationWithVisitorMessage();
    reset();
    expect(await markConversationRead(ports, org, { conversationId: cid, projectId, seq: 1 })).toEqual({
      operatorLastReadSeq: 1,
      moved: true,
    });
    expect(await markConversationRead(ports, org, { conversationId: cid, projectId, seq: 0 })).toEqual({
      operatorLastReadSeq: 1,
      moved: false,
    });
    expect(pushed.receipts).toEqual([{ conversationId: cid, kind: 'read', seq: 1 }]);
  });

  it("changeOperatorMessage: an edit reaches the widget and the other apps' copies; a repeat changes nothing", async () => {
    const cid = await conversationWithVisitorMessage();
    const posted = await postOperatorMessage(ports, org, {
      conversationId: cid,
      projectId,
      authorName: 'Sam',
      body: 'typo hree',
      visibility: 'public',
      source: 'telegram',
      inbound: { connectionId, externalChatId: '-100', externalMessageId: '501' },
    });
    reset();
    const edit = {
      conversationId: cid,
      projectId,
      messageId: posted.message.id,
      visibility: 'public' as const,
      change: { kind: 'edit' as const, body: 'typo here' },
      excludeConnectionId: connectionId,
    };
    const r = await changeOperatorMessage(ports, org, edit);
    expect(r).toMatchObject({ changed: true, message: { seq: posted.message.seq, body: 'typo here' } });
    expect(pushed.messages.map((m) => m.body)).toEqual(['typo here']);
    expect(pushed.dashboard).toEqual([expect.objectContaining({ change: 'edited', seq: posted.message.seq })]);
    reset();
    expect(await changeOperatorMessage(ports, org, edit)).toMatchObject({ changed: false });
    expect(pushed.messages).toHaveLength(0);
    expect(queued).toHaveLength(0);
  });

  it('postVisitorMessage: the first message opens the conversation; stored, queued, dashboards told; a repeat stores nothing', async () => {
    const session = await newVisitorSession();
    reset();
    const first = await postVisitorMessage(ports, session, { clientId: 'w-1', body: 'Hello there' });
    expect(first).toMatchObject({ duplicate: false, message: { seq: 1, sender: 'visitor', body: 'Hello there' } });
    const cid = first.message.conversationId;
    expect(session.openConversationId).toBe(cid);
    expect(queued).toEqual(first.outbox.map((r) => r.id));
    expect(first.outbox).toEqual([expect.objectContaining({ connectionId, conversationId: cid, seq: 1 })]);
    expect(pushed.dashboard).toEqual([
      { type: 'conversation', organizationId: org, projectId, conversationId: cid, change: 'opened' },
      expect.objectContaining({ type: 'message', conversationId: cid, seq: 1, change: 'created', sender: 'visitor' }),
    ]);
    // The visitor's own message goes to their other tabs through the transport, never through the conversation push.
    expect(pushed.messages).toHaveLength(0);
    expect(pushed.visitorMessages).toEqual([
      { organizationId: org, projectId, conversationId: cid, messageId: first.message.id, seq: 1 },
    ]);
    const second = await postVisitorMessage(ports, session, { clientId: 'w-2', body: 'Anyone?' });
    expect(second.message).toMatchObject({ conversationId: cid, seq: 2 });
    reset();
    // The same client id again (a retry after a lost ack): the stored message, no seq taken, nothing queued or told.
    const again = await postVisitorMessage(ports, session, { clientId: 'w-1', body: 'Hello there' });
    expect(again).toMatchObject({ duplicate: true, message: { id: first.message.id, seq: 1 } });
    expect(queued).toHaveLength(0);
    expect(pushed.dashboard).toHaveLength(0);
    expect(pushed.visitorMessages).toHaveLength(0);
    expect(await db.message.count({ where: { conversationId: cid } })).toBe(2);
    expect(await db.outboxEvent.count({ where: { conversationId: cid } })).toBe(2);
    expect((await db.conversation.findUniqueOrThrow({ where: { id: cid } })).nextSeq).toBe(3);
  });

  it('postVisitorMessage: a failing follow-up port (AI hook) neither fails the send nor loses the message', async () => {
    const failing = recordingPorts(async () => {
      throw new Error('AI queue down');
    });
    const session = await newVisitorSession();
    const sent = await postVisitorMessage(failing, session, { clientId: 'h-1', body: 'still here' });
    expect(sent.duplicate).toBe(false);
    expect(await db.message.count({ where: { id: sent.message.id } })).toBe(1);
  });

  it('postVisitorMessage: two first sends of one client id racing store one message in one conversation', async () => {
    const session = await newVisitorSession();
    const tab2: TVisitorSession = { ...session };
    const [a, b] = await Promise.all([
      postVisitorMessage(ports, session, { clientId: 'race', body: 'once' }),
      postVisitorMessage(ports, tab2, { clientId: 'race', body: 'once' }),
    ]);
    expect(a.message.id).toBe(b.message.id);
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    expect(session.openConversationId).toBe(tab2.openConversationId);
    expect(await db.message.count({ where: { conversationId: a.message.conversationId } })).toBe(1);
  });

  it('postVisitorMessage with files: linked all or nothing; a foreign or used upload stores nothing', async () => {
    const session = await newVisitorSession();
    await postVisitorMessage(ports, session, { clientId: 'f-0', body: 'hi' });
    const cid = session.openConversationId!;
    const upload = (conversationId: string, organizationId = org) =>
      createAttachmentWithinQuota(
        db,
        organizationId,
        {
          conversationId,
          uploadedBy: 'visitor',
          name: 'a.png',
          contentType: 'image/png',
          size: 10,
          sha256: 'x',
          storageKey: `k/${randomBytes(4).toString('hex')}`,
        },
        1e9,
      ).then((a) => a!.id);
    const mine = await upload(cid);
    const otherConversation = await conversationWithVisitorMessage();
    const notMine = await upload(otherConversation);
    reset();
    const refused = postVisitorMessage(ports, session, { clientId: 'f-1', body: '', attachmentIds: [mine, notMine] });
    await expect(refused).rejects.toMatchObject({ code: 'forbidden' });
    expect(queued).toHaveLength(0);
    expect(await db.message.count({ where: { conversationId: cid } })).toBe(1);
    const sent = await postVisitorMessage(ports, session, { clientId: 'f-2', body: '', attachmentIds: [mine] });
    expect(sent.message).toMatchObject({ seq: 2, attachments: [{ id: mine, name: 'a.png' }] });
    expect(queued).toHaveLength(1);
    // Already sent: the same upload cannot be sent again.
    await expect(
      postVisitorMessage(ports, session, { clientId: 'f-3', body: 'again', attachmentIds: [mine] }),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('postVisitorMessage: a remembered conversation closed meanwhile → the message opens a new one', async () => {
    const session = await newVisitorSession();
    await postVisitorMessage(ports, session, { clientId: 'c-1', body: 'first' });
    const closed = session.openConversationId!;
    await changeConversationStatus(ports, org, {
      conversationId: closed,
      status: 'closed',
      actor: { authorName: 'Sam', source: 'web' },
    });
    reset();
    const next = await postVisitorMessage(ports, session, { clientId: 'c-2', body: 'me again' });
    expect(next.message.conversationId).not.toBe(closed);
    expect(next.message.seq).toBe(1);
    expect(session.openConversationId).toBe(next.message.conversationId);
    expect(pushed.dashboard.map((e) => e.type)).toEqual(['conversation', 'message']);
    expect(await db.message.count({ where: { conversationId: closed, sender: 'visitor' } })).toBe(1);
  });

  it("visitor actions refuse another tenant's visitor and never write to another tenant's conversation", async () => {
    const mine = await newVisitorSession();
    await postVisitorMessage(ports, mine, { clientId: 't-1', body: 'mine' });
    // A session claiming our visitor under another organization: the visitor is not that tenant's.
    const crossed: TVisitorSession = {
      organizationId: otherOrg,
      projectId: otherProjectId,
      visitorId: mine.visitorId,
      openConversationId: null,
    };
    await expect(postVisitorMessage(ports, crossed, { clientId: 't-2', body: 'x' })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(recordVisitorEvent(ports, crossed, { name: 'x' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(rateConversation(ports, crossed, { score: 1 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(markReadByVisitor(ports, crossed, { seq: 1 })).rejects.toMatchObject({ code: 'not_found' });
    // Another tenant's session remembering our conversation id: nothing lands there, its own conversation is used.
    const theirs = await newVisitorSession(otherOrg, otherProjectId);
    theirs.openConversationId = mine.openConversationId;
    const written = await postVisitorMessage(ports, theirs, { clientId: 't-3', body: 'theirs' });
    expect(written.message.conversationId).not.toBe(mine.openConversationId);
    expect(theirs.openConversationId).toBe(written.message.conversationId);
    expect(await db.message.count({ where: { conversationId: mine.openConversationId! } })).toBe(1);
    expect(
      (await db.conversation.findUniqueOrThrow({ where: { id: written.message.conversationId } })).organizationId,
    ).toBe(otherOrg);
  });

  it('recordVisitorEvent: an internal note for every app (capped), never pushed to the widget', async () => {
    const session = await newVisitorSession();
    reset();
    const note = await recordVisitorEvent(ports, session, { name: 'checkout', data: { plan: 'pro', seats: 3 } });
    expect(note.message).toMatchObject({ seq: 1, sender: 'system', body: 'Event: checkout\nplan: pro\nseats: 3' });
    const stored = await db.message.findUniqueOrThrow({ where: { id: note.message.id } });
    expect(stored.visibility).toBe('internal');
    expect(queued).toHaveLength(1);
    expect(pushed.messages).toHaveLength(0);
    expect(pushed.visitorMessages).toHaveLength(0);
    expect(pushed.dashboard.at(-1)).toMatchObject({ type: 'message', seq: 1, sender: 'system' });
    const long = await recordVisitorEvent(ports, session, { name: 'big', data: { blob: '😀'.repeat(2_000) } });
    expect(long.message.body.length).toBeLessThanOrEqual(WIDGET_NOTE_MAX);
    expect(long.message.body.endsWith('… (cut)')).toBe(true);
    expect(long.message.body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('submitPreChat: a note for every app, the answers on the conversation and the visitor; an empty form is refused', async () => {
    const session = await newVisitorSession();
    await expect(submitPreChat(ports, session, {})).rejects.toMatchObject({ code: 'bad_request' });
    expect(session.openConversationId).toBeNull();
    reset();
    const { conversationId } = await submitPreChat(ports, session, {
      email: 'ann@example.test',
      name: 'Ann',
      fields: { company: 'Acme' },
    });
    // The note's delivery, then the rename of the visitor's thread (a new name and email): both through the outbox.
    const kinds = await db.outboxEvent.findMany({
      where: { id: { in: queued } },
      select: { kind: true },
      orderBy: { createdAt: 'asc' },
    });
    expect(kinds.map((k) => k.kind)).toEqual(['bridge.deliver', 'bridge.rename']);
    const conversation = await db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    expect(conversation.preChat).toMatchObject({ email: 'ann@example.test', name: 'Ann', fields: { company: 'Acme' } });
    expect(await db.visitor.findUniqueOrThrow({ where: { id: session.visitorId } })).toMatchObject({
      email: 'ann@example.test',
      name: 'Ann',
    });
    const notes = await db.message.findMany({ where: { conversationId }, select: { body: true, visibility: true } });
    expect(notes).toEqual([
      { body: 'Pre-chat form\nname: Ann\nemail: ann@example.test\ncompany: Acme', visibility: 'internal' },
    ]);
  });

  it('rateConversation: closed only; saved with a note for every app; the same rating again stores nothing', async () => {
    const session = await newVisitorSession();
    await expect(rateConversation(ports, session, { score: 5 })).rejects.toMatchObject({ code: 'not_found' });
    await postVisitorMessage(ports, session, { clientId: 'r-1', body: 'help' });
    const cid = session.openConversationId!;
    await expect(rateConversation(ports, session, { score: 5 })).rejects.toMatchObject({ code: 'bad_request' });
    await changeConversationStatus(ports, org, {
      conversationId: cid,
      status: 'closed',
      actor: { authorName: 'Sam', source: 'web' },
    });
    reset();
    expect(await rateConversation(ports, session, { score: 4, comment: 'quick' })).toEqual({
      conversationId: cid,
      saved: true,
    });
    expect(queued).toHaveLength(1);
    expect(pushed.dashboard).toEqual([
      expect.objectContaining({ type: 'message', conversationId: cid, sender: 'system' }),
    ]);
    // A retry of the same rating (lost ack), also two at once: nothing new stored, queued or told.
    reset();
    const retries = await Promise.all([
      rateConversation(ports, session, { score: 4, comment: 'quick' }),
      rateConversation(ports, session, { score: 4, comment: 'quick' }),
    ]);
    expect(retries.map((r) => r.saved)).toEqual([false, false]);
    expect(queued).toHaveLength(0);
    // A changed mind replaces the rating, with its own note.
    expect((await rateConversation(ports, session, { score: 2 })).saved).toBe(true);
    const conversation = await db.conversation.findUniqueOrThrow({ where: { id: cid } });
    expect(conversation).toMatchObject({ csatScore: 2, csatComment: null });
    const ratings = await db.message.findMany({
      where: { conversationId: cid, body: { startsWith: 'Rating:' } },
      orderBy: { seq: 'asc' },
    });
    expect(ratings.map((m) => m.body)).toEqual(['Rating: ★★★★☆ (4/5)\nquick', 'Rating: ★★☆☆☆ (2/5)']);
    // Rated: a later close asks for nothing more.
    await changeConversationStatus(ports, org, {
      conversationId: cid,
      status: 'open',
      actor: { authorName: 'Sam', source: 'web' },
    });
    await changeConversationStatus(ports, org, {
      conversationId: cid,
      status: 'closed',
      actor: { authorName: 'Sam', source: 'web' },
    });
    expect(pushed.conversations.at(-1)).toMatchObject({ status: 'closed', csatRequested: false });
  });

  it('markReadByVisitor: the visitor watermark moves forward only, never past the last seq', async () => {
    const session = await newVisitorSession();
    await expect(markReadByVisitor(ports, session, { seq: 1 })).rejects.toMatchObject({ code: 'not_found' });
    await postVisitorMessage(ports, session, { clientId: 'm-1', body: 'a' });
    await postVisitorMessage(ports, session, { clientId: 'm-2', body: 'b' });
    const cid = session.openConversationId!;
    expect(await markReadByVisitor(ports, session, { seq: 99 })).toEqual({
      conversationId: cid,
      visitorLastReadSeq: 2,
      moved: true,
    });
    expect(await markReadByVisitor(ports, session, { seq: 1 })).toMatchObject({ visitorLastReadSeq: 2, moved: false });
  });

  it('noteVisitorLeft: one internal note after something new, never to the chat apps or the widget', async () => {
    const session = await newVisitorSession();
    expect(await noteVisitorLeft(ports, org, { visitorId: session.visitorId, key: 'vl-1-1' })).toBe(
      'no open conversation',
    );
    await postVisitorMessage(ports, session, { clientId: 'm-1', body: 'hi' });
    reset();
    expect(await noteVisitorLeft(ports, org, { visitorId: session.visitorId, key: 'vl-2-1' })).toBe('noted');
    // A retried job (same key) finds its note; a later one with nothing new since adds none.
    expect(await noteVisitorLeft(ports, org, { visitorId: session.visitorId, key: 'vl-2-1' })).toBe(
      'nothing new since the last note',
    );
    expect(await noteVisitorLeft(ports, org, { visitorId: session.visitorId, key: 'vl-3-1' })).toBe(
      'nothing new since the last note',
    );
    const notes = await db.message.findMany({
      where: { organizationId: org, conversationId: session.openConversationId!, body: VISITOR_LEFT_NOTE },
    });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ sender: 'system', visibility: 'internal' });
    expect(await db.outboxEvent.count({ where: { organizationId: org, messageId: notes[0]!.id } })).toBe(0);
    expect(queued).toEqual([]);
    expect(pushed.messages).toEqual([]);
  });

  it('attachVisitorUpload: opens the conversation like a first message, within the storage quota; the send links it', async () => {
    const session = await newVisitorSession();
    const file = (key: string, quotaBytes: number) => ({
      name: 'a.png',
      contentType: 'image/png',
      size: 10,
      sha256: sha256(key),
      storageKey: `${org}/v/${session.visitorId}/${key}`,
      quotaBytes,
    });
    // A full quota stores nothing (the caller deletes the bytes).
    expect(await attachVisitorUpload(ports, session, file('full', 0))).toBeNull();
    const tab = await newVisitorSession();
    Object.assign(tab, { visitorId: session.visitorId });
    const attached = await attachVisitorUpload(ports, tab, file('ok', 1_000_000));
    expect(attached).not.toBeNull();
    expect(tab.openConversationId).toBe(attached!.conversationId);
    // The same visitor's first message lands in the conversation the upload opened, and carries the file.
    const sent = await postVisitorMessage(ports, session, {
      clientId: 'u-1',
      body: '',
      attachmentIds: [attached!.attachment.id],
    });
    expect(sent.message.conversationId).toBe(attached!.conversationId);
    expect(
      await db.conversation.count({ where: { organizationId: org, visitorId: session.visitorId, status: 'open' } }),
    ).toBe(1);
  });
});
