// Inbox routes through the real tenancy wrapper, Postgres and Redis: list/search/tabs/pagination scoped to the
// organization AND project, conversation view, reply (outbox rows for every bridge, idempotent on clientId, pushed to
// the widget and the dashboards through realtime's relay channel), internal notes, close/reopen, read, realtime token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomToken, sha256 } from '@pocketping/core';
import {
  appendMessage,
  createAttachment,
  createConnection,
  createVisitor,
  getOrCreateOpenConversation,
  setConversationStatus,
} from '@pocketping/db';
import { verifyDashboardToken } from '@pocketping/jobs';
import { setupWebTestEnv, TEST_AUTH_SECRET, type TWebTestEnv } from '../testing/web-test-env';
import { captureRelayedPushes, type TRelayed } from '../testing/relay-capture';
import * as listRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/conversations/route';
import * as viewRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/conversations/[conversationId]/route';
import * as messagesRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/conversations/[conversationId]/messages/route';
import * as statusRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/conversations/[conversationId]/status/route';
import * as readRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/conversations/[conversationId]/read/route';
import * as assigneeRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/conversations/[conversationId]/assignee/route';
import * as tagsRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/conversations/[conversationId]/tags/route';
import * as tokenRoute from '../../app/api/app/orgs/[orgId]/realtime-token/route';
import * as attachmentRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/conversations/[conversationId]/attachments/[attachmentId]/route';
import { attachmentPath } from './attachment-download';

let env: TWebTestEnv;
let storageDir: string;
let relay: Awaited<ReturnType<typeof captureRelayedPushes>>;
let relayed: TRelayed[] = [];

interface TWorld {
  orgId: string;
  projectId: string;
  otherProjectId: string;
  ownerCookie: string;
  agentCookie: string;
  agentName: string;
  connectionId: string;
}
let a: TWorld;
let b: TWorld;

async function world(label: string): Promise<TWorld> {
  const owner = await env.createUser();
  const org = await env.createOrg(owner.id, label);
  const agentName = `Agent ${label}`;
  const agent = await env.createUser({ name: agentName });
  await env.addMember(org.id, agent.id, 'agent');
  const project = await env.createProject(org.id, `${label} site`);
  const other = await env.createProject(org.id, `${label} other`);
  const { db } = await env.app();
  const connection = await createConnection(db, org.id, {
    projectId: project.id,
    kind: 'telegram',
    sealedCredentials: `v1:fake:${label}`,
    targetId: `-100${Date.now()}${label.length}`,
  });
  return {
    orgId: org.id,
    projectId: project.id,
    otherProjectId: other.id,
    ownerCookie: await env.sessionCookie(owner.id),
    agentCookie: await env.sessionCookie(agent.id),
    agentName,
    connectionId: connection.id,
  };
}

/** A visitor with a conversation and messages, straight through the repositories (as the widget would). */
async function conversation(
  w: TWorld,
  opts: {
    name?: string;
    email?: string;
    messages: [sender: 'visitor' | 'operator' | 'system', body: string, internal?: boolean][];
    projectId?: string;
    metadata?: Record<string, unknown>;
  },
) {
  const { db } = await env.app();
  const visitor = await createVisitor(db, w.orgId, {
    projectId: opts.projectId ?? w.projectId,
    tokenHash: sha256(randomToken('vt_')),
    metadata: opts.metadata ?? {},
  });
  if (opts.name || opts.email)
    await db.visitor.update({
      where: { id: visitor.id },
      data: { name: opts.name ?? null, email: opts.email ?? null },
    });
  const c = await getOrCreateOpenConversation(db, w.orgId, {
    projectId: opts.projectId ?? w.projectId,
    visitorId: visitor.id,
  });
  for (const [sender, body, internal] of opts.messages) {
    await appendMessage(db, w.orgId, {
      conversationId: c.id,
      sender,
      body,
      source: sender === 'visitor' ? 'widget' : 'telegram',
      authorName: sender === 'operator' ? 'Sam' : null,
      visibility: internal ? 'internal' : 'public',
      deliver: false,
    });
  }
  return { id: c.id, visitorId: visitor.id };
}

const listPath = (w: TWorld) => ({ orgId: w.orgId, projectId: w.projectId });
async function list(w: TWorld, query: Record<string, string> = {}, cookie = w.agentCookie, params = listPath(w)) {
  const qs = new URLSearchParams(query).toString();
  return env.call(listRoute.GET, {
    params,
    cookie,
    path: `/api/app/orgs/${params.orgId}/projects/${params.projectId}/conversations${qs ? `?${qs}` : ''}`,
  });
}
const convParams = (w: TWorld, conversationId: string) => ({ orgId: w.orgId, projectId: w.projectId, conversationId });

beforeAll(async () => {
  storageDir = await mkdtemp(path.join(tmpdir(), 'pp-web-files-'));
  env = await setupWebTestEnv({ STORAGE_DRIVER: 'local', STORAGE_LOCAL_DIR: storageDir });
  relay = await captureRelayedPushes();
  relayed = relay.relayed;
  a = await world('Alpha');
  b = await world('Beta');
});
afterAll(async () => {
  relay?.close();
  await env?.close();
  if (storageDir) await rm(storageDir, { recursive: true, force: true });
});

const waitForRelay = (pred: (r: TRelayed) => boolean) => relay.waitForRelay(pred);

describe('inbox list', () => {
  it("lists the project's conversations only, by tab, with previews, unread counts and visitor labels", async () => {
    const waiting = await conversation(a, { name: 'Wendy Waiting', messages: [['visitor', 'Is anyone there?']] });
    const answered = await conversation(a, {
      email: 'ann@answered.test',
      messages: [
        ['visitor', 'hi'],
        ['operator', 'Hello, how can I help?'],
        ['system', 'Visitor left', true],
      ],
    });
    // Only notes so far: the preview falls back to the last one rather than showing nothing.
    const notesOnly = await conversation(a, { messages: [['system', 'Visitor left', true]] });
    const closed = await conversation(a, { messages: [['visitor', 'bye']] });
    const { db } = await env.app();
    await setConversationStatus(db, a.orgId, closed.id, 'closed');
    const otherProject = await conversation(a, {
      projectId: a.otherProjectId,
      name: 'Other Project Person',
      messages: [['visitor', 'elsewhere']],
    });
    const foreign = await conversation(b, { name: 'Beta Person', messages: [['visitor', 'Is anyone there? (beta)']] });

    const open = await list(a);
    expect(open.status).toBe(200);
    const ids = open.json.rows.map((r: { id: string }) => r.id);
    expect(ids).toEqual(expect.arrayContaining([waiting.id, answered.id]));
    expect(ids).not.toContain(closed.id);
    expect(ids).not.toContain(otherProject.id);
    expect(ids).not.toContain(foreign.id);
    const w = open.json.rows.find((r: { id: string }) => r.id === waiting.id);
    expect(w).toMatchObject({
      visitorLabel: 'Wendy Waiting',
      preview: 'Is anyone there?',
      previewSender: 'visitor',
      unread: 1,
      status: 'open',
    });
    const an = open.json.rows.find((r: { id: string }) => r.id === answered.id);
    // The row previews the last message of the conversation itself, never the system's "Visitor left" note after it.
    expect(an).toMatchObject({
      visitorLabel: 'ann@answered.test',
      preview: 'Hello, how can I help?',
      previewSender: 'operator',
      previewInternal: false,
      lastPublicSender: 'operator',
    });
    expect(open.json.rows.find((r: { id: string }) => r.id === notesOnly.id)).toMatchObject({
      preview: 'Visitor left',
      previewInternal: true,
    });

    const unanswered = await list(a, { tab: 'unanswered' });
    expect(unanswered.json.rows.map((r: { id: string }) => r.id)).toContain(waiting.id);
    expect(unanswered.json.rows.map((r: { id: string }) => r.id)).not.toContain(answered.id);
    const closedTab = await list(a, { tab: 'closed' });
    expect(closedTab.json.rows.map((r: { id: string }) => r.id)).toEqual([closed.id]);
    expect(closedTab.json.rows[0].visitorLabel).toMatch(/^Visitor #\w{4}$/);
  });

  it('searches visitor email, name and message text literally (LIKE wildcards escaped), within the project', async () => {
    const byText = await conversation(a, { messages: [['visitor', 'My invoice says 100% discount_code applied']] });
    const decoy = await conversation(a, { messages: [['visitor', 'My invoice says 1000 discountXcode']] });
    const byEmail = await conversation(a, { email: 'zoe@searchable.test', messages: [['visitor', 'x']] });
    const byName = await conversation(a, { name: 'Quentin Searchable', messages: [['visitor', 'y']] });
    await conversation(b, {
      email: 'zoe@searchable.test',
      name: 'Quentin Searchable',
      messages: [['visitor', '100% discount_code']],
    });

    const ids = async (q: string) => (await list(a, { q })).json.rows.map((r: { id: string }) => r.id);
    expect(await ids('100% discount_code')).toEqual([byText.id]);
    expect(await ids('discount_')).toEqual([byText.id]);
    expect(await ids('INVOICE SAYS')).toEqual(expect.arrayContaining([byText.id, decoy.id]));
    expect(await ids('zoe@SEARCHABLE')).toEqual([byEmail.id]);
    expect(await ids('quentin')).toEqual([byName.id]);
    expect(await ids('nothing-matches-this')).toEqual([]);
  });

  it('pages with a cursor without repeating or skipping', async () => {
    const w = await world('Gamma');
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await conversation(w, { messages: [['visitor', `m${i}`]] })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const res = await list(w, { limit: '2', ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      seen.push(...res.json.rows.map((r: { id: string }) => r.id));
      cursor = res.json.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual([...made].reverse());
    expect((await list(w, { cursor: 'garbage' })).status).toBe(400);
  });

  it("refuses strangers and other organizations' projects", async () => {
    expect((await list(a, {}, b.ownerCookie)).status).toBe(404);
    // The stranger's own organization with the victim's project id.
    const cross = await list(b, {}, b.ownerCookie, { orgId: b.orgId, projectId: a.projectId });
    expect(cross.status).toBe(404);
    expect((await list(a, {}, '')).status).toBe(401);
  });
});

describe('conversation view and actions', () => {
  it("shows messages in order with notes and the visitor details; another org's conversation is 404", async () => {
    const c = await conversation(a, {
      name: 'Vera Visitor',
      metadata: {
        userAgent:
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
        pageUrl: 'https://example.test/pricing',
        referrer: 'https://google.com/',
      },
      messages: [
        ['visitor', 'question'],
        ['operator', 'answer'],
        ['system', 'Event: clicked', true],
      ],
    });
    const res = await env.call(viewRoute.GET, { params: convParams(a, c.id), cookie: a.agentCookie });
    expect(res.status).toBe(200);
    const view = res.json.conversation;
    expect(
      view.messages.map((m: { seq: number; sender: string; visibility: string }) => [m.seq, m.sender, m.visibility]),
    ).toEqual([
      [1, 'visitor', 'public'],
      [2, 'operator', 'public'],
      [3, 'system', 'internal'],
    ]);
    expect(view.visitor).toMatchObject({
      label: 'Vera Visitor',
      browser: 'Chrome 126',
      os: 'macOS',
      pageUrl: 'https://example.test/pricing',
      referrer: 'https://google.com/',
    });

    const foreign = await conversation(b, { messages: [['visitor', 'beta secret']] });
    const leak = await env.call(viewRoute.GET, { params: convParams(a, foreign.id), cookie: a.agentCookie });
    expect(leak.status).toBe(404);
    expect(JSON.stringify(leak.json)).not.toContain('beta secret');
    // A conversation of another project of the same organization is not reachable through this project either.
    const sibling = await conversation(a, { projectId: a.otherProjectId, messages: [['visitor', 'sibling']] });
    expect((await env.call(viewRoute.GET, { params: convParams(a, sibling.id), cookie: a.agentCookie })).status).toBe(
      404,
    );
    expect((await env.call(viewRoute.GET, { params: convParams(a, c.id), cookie: b.ownerCookie })).status).toBe(404);
  });

  it('a reply from the web is stored once per clientId, queued for every bridge and pushed to widget and dashboards', async () => {
    const c = await conversation(a, { messages: [['visitor', 'need help']] });
    const clientId = `web_${randomBytes(6).toString('hex')}`;
    const first = await env.call(messagesRoute.POST, {
      params: convParams(a, c.id),
      cookie: a.agentCookie,
      body: { body: '  On it!  ', clientId },
    });
    expect(first.status).toBe(200);
    expect(first.json.duplicate).toBe(false);
    expect(first.json.message).toMatchObject({
      sender: 'operator',
      source: 'web',
      authorName: a.agentName,
      body: 'On it!',
      seq: 2,
    });
    const again = await env.call(messagesRoute.POST, {
      params: convParams(a, c.id),
      cookie: a.agentCookie,
      body: { body: 'On it!', clientId },
    });
    expect(again.json).toMatchObject({ duplicate: true, message: { id: first.json.message.id } });

    const { db } = await env.app();
    expect(
      await db.message.count({ where: { organizationId: a.orgId, conversationId: c.id, sender: 'operator' } }),
    ).toBe(1);
    const outbox = await db.outboxEvent.findMany({
      where: { organizationId: a.orgId, messageId: first.json.message.id },
    });
    expect(outbox.map((o) => [o.connectionId, o.kind])).toEqual([[a.connectionId, 'bridge.deliver']]);
    // The reply implies the team read the visitor's message.
    expect((await db.conversation.findUniqueOrThrow({ where: { id: c.id } })).operatorLastReadSeq).toBe(1);

    const widget = await waitForRelay((r) => r.nsp === '/widget' && r.room === `conv:${c.id}` && r.event === 'message');
    expect(widget.args[0]).toMatchObject({ id: first.json.message.id, body: 'On it!' });
    const dash = await waitForRelay(
      (r) =>
        r.nsp === '/dashboard' &&
        r.room === `dash:org:${a.orgId}` &&
        (r.args[0] as { conversationId?: string }).conversationId === c.id,
    );
    expect(dash.args[0]).toMatchObject({
      type: 'message',
      projectId: a.projectId,
      seq: 2,
      change: 'created',
      sender: 'operator',
    });

    expect(
      (
        await env.call(messagesRoute.POST, {
          params: convParams(a, c.id),
          cookie: a.agentCookie,
          body: { body: '   ' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await env.call(messagesRoute.POST, {
          params: convParams(a, c.id),
          cookie: b.ownerCookie,
          body: { body: 'intruder' },
        })
      ).status,
    ).toBe(404);
    const foreign = await conversation(b, { messages: [['visitor', 'x']] });
    expect(
      (
        await env.call(messagesRoute.POST, {
          params: convParams(a, foreign.id),
          cookie: a.agentCookie,
          body: { body: 'wrong org' },
        })
      ).status,
    ).toBe(404);
    expect(await db.message.count({ where: { conversationId: foreign.id, sender: 'operator' } })).toBe(0);
  });

  it('an internal note is stored internal, mirrored to the bridges as a note and never pushed to the widget', async () => {
    const c = await conversation(a, { messages: [['visitor', 'hello']] });
    const res = await env.call(messagesRoute.POST, {
      params: convParams(a, c.id),
      cookie: a.agentCookie,
      body: { body: 'VIP customer, be nice', visibility: 'internal' },
    });
    expect(res.status).toBe(200);
    const { db } = await env.app();
    const stored = await db.message.findUniqueOrThrow({ where: { id: res.json.message.id } });
    expect(stored).toMatchObject({ visibility: 'internal', sender: 'operator', source: 'web' });
    expect(await db.outboxEvent.count({ where: { messageId: stored.id, connectionId: a.connectionId } })).toBe(1);
    await waitForRelay(
      (r) => r.nsp === '/dashboard' && (r.args[0] as { conversationId?: string }).conversationId === c.id,
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(relayed.some((r) => r.nsp === '/widget' && r.room === `conv:${c.id}`)).toBe(false);
    // Writing the note read the conversation.
    expect((await db.conversation.findUniqueOrThrow({ where: { id: c.id } })).operatorLastReadSeq).toBe(2);
  });

  it('close and reopen work like /close and /reopen; read moves the watermark forward only', async () => {
    const c = await conversation(a, {
      messages: [
        ['visitor', 'one'],
        ['visitor', 'two'],
      ],
    });
    const { db } = await env.app();
    const close = await env.call(statusRoute.POST, {
      params: convParams(a, c.id),
      cookie: a.agentCookie,
      body: { status: 'closed' },
    });
    expect(close.json).toEqual({ status: 'closed', changed: true });
    expect((await db.conversation.findUniqueOrThrow({ where: { id: c.id } })).status).toBe('closed');
    const note = await db.message.findFirstOrThrow({
      where: { conversationId: c.id, body: 'closed the conversation' },
    });
    expect(note).toMatchObject({ visibility: 'internal', authorName: a.agentName });
    expect(await db.outboxEvent.count({ where: { messageId: note.id } })).toBe(1);
    const widget = await waitForRelay(
      (r) =>
        r.nsp === '/widget' &&
        r.event === 'conversation' &&
        (r.args[0] as { conversationId?: string }).conversationId === c.id,
    );
    expect(widget.args[0]).toMatchObject({ status: 'closed', csatRequested: false });
    expect(
      (
        await env.call(statusRoute.POST, {
          params: convParams(a, c.id),
          cookie: a.agentCookie,
          body: { status: 'closed' },
        })
      ).json.changed,
    ).toBe(false);
    expect((await list(a, { tab: 'closed' })).json.rows.map((r: { id: string }) => r.id)).toContain(c.id);

    const reopen = await env.call(statusRoute.POST, {
      params: convParams(a, c.id),
      cookie: a.agentCookie,
      body: { status: 'open' },
    });
    expect(reopen.json).toEqual({ status: 'open', changed: true });
    expect(await db.message.count({ where: { conversationId: c.id, body: 'reopened the conversation' } })).toBe(1);
    expect(
      (
        await env.call(statusRoute.POST, {
          params: convParams(a, c.id),
          cookie: b.ownerCookie,
          body: { status: 'closed' },
        })
      ).status,
    ).toBe(404);

    const fresh = await conversation(a, {
      messages: [
        ['visitor', 'one'],
        ['visitor', 'two'],
      ],
    });
    expect((await list(a)).json.rows.find((r: { id: string }) => r.id === fresh.id).unread).toBe(2);
    const read = await env.call(readRoute.POST, {
      params: convParams(a, fresh.id),
      cookie: a.agentCookie,
      body: { seq: 99 },
    });
    expect(read.json).toEqual({ operatorLastReadSeq: 2, moved: true });
    expect(
      (await env.call(readRoute.POST, { params: convParams(a, fresh.id), cookie: a.agentCookie, body: { seq: 1 } }))
        .json,
    ).toEqual({ operatorLastReadSeq: 2, moved: false });
    expect((await list(a)).json.rows.find((r: { id: string }) => r.id === fresh.id).unread).toBe(0);
    expect(
      (await env.call(readRoute.POST, { params: convParams(a, fresh.id), cookie: b.ownerCookie, body: { seq: 1 } }))
        .status,
    ).toBe(404);
  });
});

describe('assignment and tags', () => {
  it('assigns to members only, filters All / Mine / Unassigned with counts and by tag, and pushes to dashboards', async () => {
    const { db } = await env.app();
    const owner = await env.createUser({ name: 'Gina Owner' });
    const org = await env.createOrg(owner.id, 'Gamma');
    const agent = await env.createUser({ name: 'Hal Agent' });
    await env.addMember(org.id, agent.id, 'agent');
    const project = await env.createProject(org.id, 'Gamma site');
    const g: TWorld = {
      ...a,
      orgId: org.id,
      projectId: project.id,
      ownerCookie: await env.sessionCookie(owner.id),
      agentCookie: await env.sessionCookie(agent.id),
    };
    const one = await conversation(g, { name: 'First', messages: [['visitor', 'one']] });
    const two = await conversation(g, { name: 'Second', messages: [['visitor', 'two']] });
    await conversation(g, { name: 'Third', messages: [['visitor', 'three']] });

    // The agent takes one; the owner gives two to the agent... then to themselves.
    const took = await env.call(assigneeRoute.POST, {
      params: convParams(g, one.id),
      cookie: g.agentCookie,
      body: { assigneeId: agent.id },
    });
    expect(took.json).toEqual({ assigneeId: agent.id, changed: true });
    const trace = await db.message.findFirstOrThrow({ where: { conversationId: one.id, visibility: 'internal' } });
    expect(trace).toMatchObject({ authorName: 'Hal Agent', body: 'assigned this conversation to Hal Agent' });
    // The audit log names the member who did it.
    expect(
      await db.auditLog.findFirst({
        where: { organizationId: org.id, action: 'conversation.assigned', targetId: one.id },
      }),
    ).toMatchObject({ actorType: 'user', actorId: agent.id });
    await waitForRelay(
      (r) =>
        r.room === `dash:org:${org.id}` &&
        (r.args[0] as { conversationId?: string; change?: string }).conversationId === one.id &&
        (r.args[0] as { change?: string }).change === 'assigned',
    );
    await env.call(assigneeRoute.POST, {
      params: convParams(g, two.id),
      cookie: g.ownerCookie,
      body: { assigneeId: owner.id },
    });

    // Not a member (a user of another organization) → refused in words; the conversation of another org → 404.
    const stranger = await env.createUser({ name: 'Stranger' });
    const refused = await env.call(assigneeRoute.POST, {
      params: convParams(g, two.id),
      cookie: g.ownerCookie,
      body: { assigneeId: stranger.id },
    });
    expect(refused.status).toBe(422);
    expect(refused.json.error.message).toMatch(/member of this organization/);
    expect((await db.conversation.findUniqueOrThrow({ where: { id: two.id } })).assigneeId).toBe(owner.id);
    const foreign = await conversation(b, { messages: [['visitor', 'beta']] });
    const crossed = await env.call(assigneeRoute.POST, {
      params: { orgId: g.orgId, projectId: g.projectId, conversationId: foreign.id },
      cookie: g.ownerCookie,
      body: { assigneeId: owner.id },
    });
    expect(crossed.status).toBe(404);
    expect((await db.conversation.findUniqueOrThrow({ where: { id: foreign.id } })).assigneeId).toBeNull();

    // Tags: normalized, a bad one refused in words, the list filters by tag.
    const tagged = await env.call(tagsRoute.POST, {
      params: convParams(g, two.id),
      cookie: g.agentCookie,
      body: { add: ['  Refund  Request', 'VIP'] },
    });
    expect(tagged.json).toEqual({ tags: ['refund request', 'vip'], changed: true });
    expect(
      await db.auditLog.findFirst({
        where: { organizationId: org.id, action: 'conversation.tags_changed', targetId: two.id },
      }),
    ).toMatchObject({ actorType: 'user', actorId: agent.id });
    const bad = await env.call(tagsRoute.POST, {
      params: convParams(g, two.id),
      cookie: g.agentCookie,
      body: { add: ['x'.repeat(40)] },
    });
    expect(bad.status).toBe(422);
    expect(bad.json.error.message).toMatch(/1 to 32 characters/);
    const empty = await env.call(tagsRoute.POST, { params: convParams(g, two.id), cookie: g.agentCookie, body: {} });
    expect(empty.status).toBe(400);

    const ids = (r: { json: { rows: { id: string }[] } }) => r.json.rows.map((x) => x.id).sort();
    const all = await list(g, {}, g.agentCookie);
    expect(all.json.counts).toEqual({ all: 3, mine: 1, unassigned: 1 });
    const mine = await list(g, { assignee: 'mine' }, g.agentCookie);
    expect(ids(mine)).toEqual([one.id]);
    expect(mine.json.rows[0]).toMatchObject({ assignee: { id: agent.id, label: 'Hal Agent' }, tags: [] });
    const ownerMine = await list(g, { assignee: 'mine' }, g.ownerCookie);
    expect(ids(ownerMine)).toEqual([two.id]);
    const unassigned = await list(g, { assignee: 'unassigned' }, g.agentCookie);
    expect(unassigned.json.rows).toHaveLength(1);
    expect(unassigned.json.rows[0].assignee).toBeNull();
    const byTag = await list(g, { tag: ' VIP ' }, g.agentCookie);
    expect(ids(byTag)).toEqual([two.id]);
    expect(byTag.json.rows[0]).toMatchObject({ tags: ['refund request', 'vip'], assignee: { label: 'Gina Owner' } });
    expect(byTag.json.counts).toEqual({ all: 1, mine: 0, unassigned: 0 });
    expect((await list(g, { tag: 'vip', assignee: 'unassigned' }, g.agentCookie)).json.rows).toEqual([]);
    expect((await list(g, { assignee: 'someone' }, g.agentCookie)).status).toBe(400);
  });
});

describe('realtime token', () => {
  it('is a short-lived HMAC token for this user and organization; strangers get 404', async () => {
    const res = await env.call(tokenRoute.GET, { params: { orgId: a.orgId }, cookie: a.agentCookie });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const claims = verifyDashboardToken(TEST_AUTH_SECRET, res.json.token);
    expect(claims?.organizationId).toBe(a.orgId);
    expect(claims!.exp - Date.now() / 1000).toBeLessThanOrEqual(300);
    expect(verifyDashboardToken('another-secret-0123456789abcdef0123456789', res.json.token)).toBeNull();
    expect(res.json.url).toBe('http://127.0.0.1:3998');
    expect((await env.call(tokenRoute.GET, { params: { orgId: a.orgId }, cookie: b.ownerCookie })).status).toBe(404);
  });
});

describe('inbox attachments', () => {
  /** A file as the widget or a bridge stores it: bytes in storage, an Attachment row, linked to a message. */
  async function fileIn(
    w: TWorld,
    conversationId: string,
    file: { name: string; contentType: string; bytes: Buffer },
    opts: { send?: boolean } = {},
  ) {
    const { db, storage } = await env.app();
    const key = `${w.orgId}/${conversationId}/${randomBytes(8).toString('hex')}`;
    await storage.put(key, file.bytes, {
      contentType: file.contentType,
      sha256: sha256(file.bytes.toString('binary')),
    });
    const att = await createAttachment(db, w.orgId, {
      conversationId,
      uploadedBy: 'visitor',
      name: file.name,
      contentType: file.contentType,
      size: file.bytes.length,
      sha256: 'x'.repeat(64),
      storageKey: key,
    });
    if (opts.send !== false)
      await appendMessage(db, w.orgId, {
        conversationId,
        sender: 'visitor',
        body: '',
        source: 'widget',
        attachmentIds: [att.id],
        deliver: false,
      });
    return att;
  }
  const fileParams = (w: TWorld, conversationId: string, attachmentId: string) => ({
    ...convParams(w, conversationId),
    attachmentId,
  });

  it('the conversation view links each file to the download route, which serves the bytes to members only', async () => {
    const c = await conversation(a, { messages: [['visitor', 'see attached']] });
    const pdf = await fileIn(a, c.id, {
      name: 'invoice 2026.pdf',
      contentType: 'application/pdf',
      bytes: Buffer.from('%PDF-1.4 alpha invoice bytes'),
    });
    const png = await fileIn(a, c.id, {
      name: 'shot.png',
      contentType: 'image/png',
      bytes: Buffer.from('\x89PNG fake image bytes'),
    });

    const view = await env.call(viewRoute.GET, { params: convParams(a, c.id), cookie: a.agentCookie });
    const files = view.json.conversation.messages.flatMap((m: { attachments: { id: string }[] }) =>
      m.attachments.map((x) => x.id),
    );
    expect(files).toEqual([pdf.id, png.id]);
    expect(attachmentPath({ organizationId: a.orgId, projectId: a.projectId, conversationId: c.id }, pdf.id)).toBe(
      `/api/app/orgs/${a.orgId}/projects/${a.projectId}/conversations/${c.id}/attachments/${pdf.id}`,
    );

    const got = await env.call(attachmentRoute.GET, { params: fileParams(a, c.id, pdf.id), cookie: a.agentCookie });
    expect(got.status).toBe(200);
    expect(got.json).toBe('%PDF-1.4 alpha invoice bytes');
    expect(got.headers.get('content-type')).toBe('application/pdf');
    expect(got.headers.get('content-disposition')).toBe(`attachment; filename*=UTF-8''invoice%202026.pdf`);
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('content-security-policy')).toContain('sandbox');

    // Images are shown inline (thumbnails) unless a download is asked for.
    const img = await env.call(attachmentRoute.GET, { params: fileParams(a, c.id, png.id), cookie: a.agentCookie });
    expect(img.headers.get('content-disposition')).toMatch(/^inline;/);
    const imgDl = await env.call(attachmentRoute.GET, {
      params: fileParams(a, c.id, png.id),
      cookie: a.agentCookie,
      path: '/x?download=1',
    });
    expect(imgDl.headers.get('content-disposition')).toMatch(/^attachment;/);

    // Signed out: 401; another organization: 404 and no bytes.
    expect((await env.call(attachmentRoute.GET, { params: fileParams(a, c.id, pdf.id) })).status).toBe(401);
    const stranger = await env.call(attachmentRoute.GET, {
      params: fileParams(a, c.id, pdf.id),
      cookie: b.ownerCookie,
    });
    expect(stranger.status).toBe(404);
    expect(String(stranger.json)).not.toContain('invoice');
  });

  it('a file is reachable only through its own conversation and project, and only once sent', async () => {
    const c = await conversation(a, { messages: [['visitor', 'one']] });
    const other = await conversation(a, { messages: [['visitor', 'two']] });
    const sibling = await conversation(a, { projectId: a.otherProjectId, messages: [['visitor', 'three']] });
    const file = await fileIn(a, c.id, { name: 'a.txt', contentType: 'text/plain', bytes: Buffer.from('alpha file') });
    const unsent = await fileIn(
      a,
      c.id,
      { name: 'b.txt', contentType: 'text/plain', bytes: Buffer.from('never sent') },
      { send: false },
    );
    const foreign = await conversation(b, { messages: [['visitor', 'beta']] });
    const betaFile = await fileIn(b, foreign.id, {
      name: 'beta.txt',
      contentType: 'text/plain',
      bytes: Buffer.from('beta secret file'),
    });

    expect(
      (await env.call(attachmentRoute.GET, { params: fileParams(a, c.id, file.id), cookie: a.agentCookie })).status,
    ).toBe(200);
    // Another conversation's id in the path, another project's path, an unsent upload, another tenant's file: 404.
    expect(
      (await env.call(attachmentRoute.GET, { params: fileParams(a, other.id, file.id), cookie: a.agentCookie })).status,
    ).toBe(404);
    expect(
      (
        await env.call(attachmentRoute.GET, {
          params: { ...fileParams(a, c.id, file.id), projectId: a.otherProjectId },
          cookie: a.agentCookie,
        })
      ).status,
    ).toBe(404);
    expect(
      (await env.call(attachmentRoute.GET, { params: fileParams(a, sibling.id, file.id), cookie: a.agentCookie }))
        .status,
    ).toBe(404);
    expect(
      (await env.call(attachmentRoute.GET, { params: fileParams(a, c.id, unsent.id), cookie: a.agentCookie })).status,
    ).toBe(404);
    const cross = await env.call(attachmentRoute.GET, {
      params: fileParams(a, foreign.id, betaFile.id),
      cookie: a.agentCookie,
    });
    expect(cross.status).toBe(404);
    expect(String(cross.json)).not.toContain('beta secret');
  });
});
