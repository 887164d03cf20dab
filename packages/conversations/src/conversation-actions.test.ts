// The conversation actions against the real Postgres and Redis, with recording ports: what each one stores, queues
// and pushes — the contract the dashboard, the worker (and later the AI and the API) rely on.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, encryptSecret, parseKeyRing, sha256 } from '@pocketping/core';
import {
  createConnection,
  createDb,
  createOrganizationWithOwner,
  createProject,
  createVisitor,
  getOrCreateOpenConversation,
  appendMessage,
  type TDb,
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
  changeConversationStatus,
  changeOperatorMessage,
  createConversationPorts,
  markConversationRead,
  postOperatorMessage,
  type TConversationPorts,
} from './index.js';

let database: TTestDatabase;
let db: TDb;
let redis: ReturnType<typeof createRedis>;
let ports: TConversationPorts;
const pushed = {
  messages: [] as TMessage[],
  receipts: [] as TReceiptEvent[],
  conversations: [] as TConversationEvent[],
  presence: [] as TPresenceEvent[],
  dashboard: [] as TDashboardEvent[],
};
const queued: string[] = [];
let org = '';
let projectId = '';
let connectionId = '';

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, { poolSize: 4 });
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
  ports = recordingPorts();
}, 120_000);

afterAll(async () => {
  redis?.disconnect();
  await db?.$disconnect();
  await database?.drop();
});

function recordingPorts(): TConversationPorts {
  return createConversationPorts({
    db,
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
});
