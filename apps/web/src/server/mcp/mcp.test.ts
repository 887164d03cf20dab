/* eslint-disable @typescript-eslint/no-explicit-any -- tests read arbitrary tool answers */
// The MCP server /api/mcp driven by the official SDK client (StreamableHTTPClientTransport) against the real route
// handler in-process, with the real Postgres and Redis: the tool list, every tool as the owning tenant, a read-only
// key refused on writes (nothing written), another tenant's and another project's ids not found, a revoked key
// refused, the stats figures, and the HTTP refusals before the MCP layer (no key, GET, oversized body).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { randomToken, sha256 } from '@pocketping/core';
import { pulledBody } from '@pocketping/testkit';
import {
  appendMessage,
  createApiKey,
  createVisitor,
  getOrCreateOpenConversation,
  revokeApiKey,
  type TApiScope,
} from '@pocketping/db';
import { setupWebTestEnv, TEST_WEB_URL, type TWebTestEnv } from '../testing/web-test-env';
import * as mcpRoute from '../../app/api/mcp/route';

let env: TWebTestEnv;
beforeAll(async () => {
  env = await setupWebTestEnv();
});
afterAll(async () => {
  await env?.close();
});

const MCP_URL = `${TEST_WEB_URL}/api/mcp`;

/** The route module's handlers as the client's fetch: the request goes through the real route, no socket. */
async function routeFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const req = new Request(input, init);
  const handler = { POST: mcpRoute.POST, GET: mcpRoute.GET, DELETE: mcpRoute.DELETE }[req.method];
  if (!handler) return new Response(null, { status: 405 });
  return handler(req);
}

async function connect(key: string): Promise<Client> {
  const client = new Client({ name: 'mcp-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(MCP_URL), {
    fetch: routeFetch,
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  });
  await client.connect(transport);
  return client;
}

type TToolAnswer = { isError: boolean; text: string; data: any };
async function callTool(client: Client, name: string, args: Record<string, unknown> = {}): Promise<TToolAnswer> {
  const res = (await client.callTool({ name, arguments: args })) as any;
  const text = (res.content as { type: string; text: string }[]).map((c) => c.text).join('\n');
  return { isError: res.isError === true, text, data: res.structuredContent };
}

/** Two organizations; A has two projects with a conversation each, B has one. */
async function world() {
  const { db } = await env.app();
  const owner = await env.createUser();
  const orgA = await env.createOrg(owner.id, 'Mcp A');
  const p1 = await env.createProject(orgA.id, 'One');
  const p2 = await env.createProject(orgA.id, 'Two');
  const stranger = await env.createUser();
  const orgB = await env.createOrg(stranger.id, 'Mcp B');
  const q = await env.createProject(orgB.id, 'Other');
  async function conversationIn(orgId: string, projectId: string, tag: string) {
    const visitor = await createVisitor(db, orgId, { projectId, tokenHash: sha256(randomToken('vt_')) });
    const conversation = await getOrCreateOpenConversation(db, orgId, { projectId, visitorId: visitor.id });
    await appendMessage(db, orgId, {
      conversationId: conversation.id,
      sender: 'visitor',
      body: `${tag} hello, where is my order?`,
      source: 'widget',
      deliver: false,
    });
    return conversation.id;
  }
  const key = async (orgId: string, scopes: TApiScope[] = ['read', 'write'], projectId: string | null = null) =>
    (await createApiKey(db, orgId, { name: 'mcp', scopes, projectId })).key;
  return {
    db,
    orgA: orgA.id,
    p1: p1.id,
    p2: p2.id,
    q: q.id,
    a1: await conversationIn(orgA.id, p1.id, 'a1'),
    a2: await conversationIn(orgA.id, p2.id, 'a2'),
    b: await conversationIn(orgB.id, q.id, 'b'),
    keys: {
      owner: await key(orgA.id),
      readOnly: await key(orgA.id, ['read']),
      p1Only: await key(orgA.id, ['read', 'write'], p1.id),
      stranger: await key(orgB.id),
    },
  };
}

const TOOLS = [
  'add_note',
  'assign_conversation',
  'close_conversation',
  'get_conversation',
  'get_stats',
  'list_conversations',
  'list_projects',
  'reopen_conversation',
  'reply',
  'set_conversation_tags',
];

describe('the MCP server at /api/mcp', () => {
  it('lists its tools with input schemas', async () => {
    const w = await world();
    const client = await connect(w.keys.owner);
    expect(client.getServerVersion()?.name).toBe('pocketping');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    const reply = tools.find((t) => t.name === 'reply')!;
    expect(reply.inputSchema.required).toEqual(expect.arrayContaining(['conversationId', 'body', 'authorName']));
    expect(tools.find((t) => t.name === 'get_stats')!.annotations?.readOnlyHint).toBe(true);
    await client.close();
  });

  it('works the inbox as the owning tenant: list, read, reply, note, close, reopen', async () => {
    const w = await world();
    const client = await connect(w.keys.owner);

    const projects = await callTool(client, 'list_projects');
    expect(projects.isError).toBe(false);
    expect(projects.data.data.map((p: any) => p.id).sort()).toEqual([w.p1, w.p2].sort());

    const all = await callTool(client, 'list_conversations', { status: 'open' });
    expect(all.isError, all.text).toBe(false);
    expect(all.data.data.map((c: any) => c.id).sort()).toEqual([w.a1, w.a2].sort());
    expect(all.text).not.toContain(w.b);
    const inP1 = await callTool(client, 'list_conversations', { projectId: w.p1 });
    expect(inP1.data.data.map((c: any) => c.id)).toEqual([w.a1]);
    // Text search (any case) in the messages; LIKE wildcards are plain characters.
    const found = await callTool(client, 'list_conversations', { q: 'A1 HELLO' });
    expect(found.isError, found.text).toBe(false);
    expect(found.data.data.map((c: any) => c.id)).toEqual([w.a1]);
    expect((await callTool(client, 'list_conversations', { q: '%' })).data.data).toEqual([]);
    expect((await callTool(client, 'list_conversations', { q: '_1 hello' })).data.data).toEqual([]);
    // Pagination: one per page, the cursor leads to the other.
    const first = await callTool(client, 'list_conversations', { limit: 1 });
    expect(first.data.data).toHaveLength(1);
    const second = await callTool(client, 'list_conversations', { limit: 1, cursor: first.data.nextCursor });
    expect([...first.data.data, ...second.data.data].map((c: any) => c.id).sort()).toEqual([w.a1, w.a2].sort());

    const replied = await callTool(client, 'reply', {
      conversationId: w.a1,
      body: 'It ships today.',
      authorName: 'Assistant Ana',
    });
    expect(replied.isError, replied.text).toBe(false);
    expect(replied.data.data).toMatchObject({ sender: 'operator', visibility: 'public', authorName: 'Assistant Ana' });
    const noted = await callTool(client, 'add_note', {
      conversationId: w.a1,
      body: 'Customer asked twice.',
      authorName: 'Assistant Ana',
    });
    expect(noted.data.data).toMatchObject({ sender: 'operator', visibility: 'internal' });

    const read = await callTool(client, 'get_conversation', { conversationId: w.a1 });
    expect(read.isError, read.text).toBe(false);
    expect(read.data.conversation).toMatchObject({ id: w.a1, projectId: w.p1, status: 'open' });
    expect(read.data.messages.data.map((m: any) => [m.sender, m.visibility, m.body])).toEqual([
      ['visitor', 'public', 'a1 hello, where is my order?'],
      ['operator', 'public', 'It ships today.'],
      ['operator', 'internal', 'Customer asked twice.'],
    ]);
    // The messages are stored as the REST API stores them (source api), with the outbox events to deliver them.
    const stored = await w.db.message.findMany({ where: { organizationId: w.orgA, conversationId: w.a1 } });
    expect(stored.filter((m) => m.source === 'api')).toHaveLength(2);

    const closed = await callTool(client, 'close_conversation', { conversationId: w.a1, authorName: 'Ana' });
    expect(closed.data.data).toMatchObject({ id: w.a1, status: 'closed', changed: true });
    const again = await callTool(client, 'close_conversation', { conversationId: w.a1 });
    expect(again.data.data).toMatchObject({ status: 'closed', changed: false });
    expect(
      (await callTool(client, 'list_conversations', { status: 'closed' })).data.data.map((c: any) => c.id),
    ).toEqual([w.a1]);
    const reopened = await callTool(client, 'reopen_conversation', { conversationId: w.a1 });
    expect(reopened.data.data).toMatchObject({ status: 'open', changed: true });
    await client.close();
  });

  it('posts a retried reply once: with the same idempotencyKey, or the same text since the visitor last wrote', async () => {
    const w = await world();
    const client = await connect(w.keys.owner);
    const operatorMessages = () =>
      w.db.message.findMany({
        where: { organizationId: w.orgA, conversationId: w.a1, sender: 'operator' },
        orderBy: { seq: 'asc' },
        select: { id: true, body: true, visibility: true },
      });
    const reply = (body: string, extra: Record<string, unknown> = {}) =>
      callTool(client, 'reply', { conversationId: w.a1, body, authorName: 'Ana', ...extra });

    // An explicit key: the retry answers the first message and posts nothing; the key with another text is refused.
    const first = await reply('Your parcel left today.', { idempotencyKey: 'retry-1' });
    expect(first.isError, first.text).toBe(false);
    const retried = await reply('Your parcel left today.', { idempotencyKey: 'retry-1' });
    expect(retried.isError, retried.text).toBe(false);
    expect(retried.data.data.id).toBe(first.data.data.id);
    const reused = await reply('Something else', { idempotencyKey: 'retry-1' });
    expect(reused.isError).toBe(true);
    expect(reused.text).toContain('[code: idempotency_key_reused]');
    expect((await reply('bad key', { idempotencyKey: 'has space' })).isError).toBe(true);
    expect((await operatorMessages()).map((m) => m.body)).toEqual(['Your parcel left today.']);

    // No key: the same text by the same author since the visitor's last message is a retry — even two at once.
    const [a, b] = await Promise.all([reply('Tracking: PP123.'), reply('Tracking: PP123.')]);
    const answered = [a, b].filter((r) => !r.isError);
    expect(answered.length).toBeGreaterThanOrEqual(1);
    for (const r of [a, b]) if (r.isError) expect(r.text).toContain('[code: idempotency_in_progress]');
    const late = await reply('Tracking: PP123.');
    expect(late.data.data.id).toBe(answered[0]!.data.data.id);
    // A note is its own tool: the same text as a note is posted (once).
    const note = await callTool(client, 'add_note', {
      conversationId: w.a1,
      body: 'Tracking: PP123.',
      authorName: 'Ana',
    });
    expect(note.isError, note.text).toBe(false);
    expect(
      (await callTool(client, 'add_note', { conversationId: w.a1, body: 'Tracking: PP123.', authorName: 'Ana' })).data
        .data.id,
    ).toBe(note.data.data.id);
    expect((await operatorMessages()).map((m) => [m.body, m.visibility])).toEqual([
      ['Your parcel left today.', 'public'],
      ['Tracking: PP123.', 'public'],
      ['Tracking: PP123.', 'internal'],
    ]);

    // The same text again on purpose: a new key posts it; so does the visitor writing in between.
    expect((await reply('Tracking: PP123.', { idempotencyKey: 'again' })).isError).toBe(false);
    await appendMessage(w.db, w.orgA, {
      conversationId: w.a1,
      sender: 'visitor',
      body: 'Which carrier?',
      source: 'widget',
      deliver: false,
    });
    const afterVisitor = await reply('Tracking: PP123.');
    expect(afterVisitor.isError, afterVisitor.text).toBe(false);
    expect(afterVisitor.data.data.id).not.toBe(late.data.data.id);
    expect((await operatorMessages()).filter((m) => m.body === 'Tracking: PP123.')).toHaveLength(4);
    await client.close();
  });

  it('assigns and tags through PATCH /conversations/{id}, and lists by assignee (me, none, id) and tag', async () => {
    const w = await world();
    const owner = await w.db.membership.findFirstOrThrow({ where: { organizationId: w.orgA, role: 'owner' } });
    const mine = (await createApiKey(w.db, w.orgA, { name: 'mine', createdById: owner.userId })).key;
    const client = await connect(mine);

    const assigned = await callTool(client, 'assign_conversation', { conversationId: w.a1, assigneeId: 'me' });
    expect(assigned.isError, assigned.text).toBe(false);
    expect(assigned.data.data).toMatchObject({ id: w.a1, assigneeId: owner.userId });
    const tagged = await callTool(client, 'set_conversation_tags', { conversationId: w.a1, tags: [' VIP ', 'vip'] });
    expect(tagged.data.data.tags).toEqual(['vip']);
    // The same trace note as the REST operation's.
    const note = await w.db.message.findFirstOrThrow({
      where: { conversationId: w.a1, visibility: 'internal' },
      orderBy: { seq: 'desc' },
    });
    expect([note.authorName, note.source]).toEqual(['API', 'api']);
    expect(note.body).toMatch(/^assigned this conversation to /);

    const ids = async (args: Record<string, unknown>) => {
      const res = await callTool(client, 'list_conversations', args);
      expect(res.isError, res.text).toBe(false);
      return res.data.data.map((c: any) => c.id);
    };
    expect(await ids({ assignee: 'me' })).toEqual([w.a1]);
    expect(await ids({ assignee: owner.userId })).toEqual([w.a1]);
    expect(await ids({ assignee: 'none' })).toEqual([w.a2]);
    expect(await ids({ tag: ' VIP ' })).toEqual([w.a1]);
    expect(await ids({ tag: 'vip', assignee: 'none' })).toEqual([]);
    await client.close();

    // Same refusals as the REST list and PATCH: a key no member created has no "me"; a non-member is not assignable.
    const other = await connect(w.keys.owner);
    const noMe = await callTool(other, 'list_conversations', { assignee: 'me' });
    expect(noMe.isError).toBe(true);
    expect(noMe.text).toContain('[code: unprocessable]');
    const outsider = await env.createUser();
    const refused = await callTool(other, 'assign_conversation', { conversationId: w.a2, assigneeId: outsider.id });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain('assigneeId:');
    expect(refused.text).toContain('[code: unprocessable]');
    expect((await w.db.conversation.findUniqueOrThrow({ where: { id: w.a2 } })).assigneeId).toBeNull();
    await other.close();
  });

  it('refuses writes with a read-only key, as a tool error, and writes nothing', async () => {
    const w = await world();
    const client = await connect(w.keys.readOnly);
    expect((await callTool(client, 'list_conversations')).isError).toBe(false);
    expect((await callTool(client, 'get_conversation', { conversationId: w.a1 })).isError).toBe(false);
    expect((await callTool(client, 'get_stats')).isError).toBe(false);
    const messagesBefore = await w.db.message.count({ where: { organizationId: w.orgA } });
    const writes: [string, Record<string, unknown>][] = [
      ['reply', { conversationId: w.a1, body: 'hi', authorName: 'Ana' }],
      ['add_note', { conversationId: w.a1, body: 'hi', authorName: 'Ana' }],
      ['close_conversation', { conversationId: w.a1 }],
      ['reopen_conversation', { conversationId: w.a1 }],
      ['assign_conversation', { conversationId: w.a1, assigneeId: null }],
      ['set_conversation_tags', { conversationId: w.a1, tags: ['vip'] }],
    ];
    for (const [tool, args] of writes) {
      const res = await callTool(client, tool, args);
      expect(res.isError, tool).toBe(true);
      expect(res.text).toContain('insufficient_scope');
      expect(res.text).toContain('"write" scope');
    }
    expect(await w.db.message.count({ where: { organizationId: w.orgA } })).toBe(messagesBefore);
    expect(await w.db.conversation.findFirstOrThrow({ where: { id: w.a1 } })).toMatchObject({
      status: 'open',
      assigneeId: null,
      tags: [],
    });
    await client.close();
  });

  it("answers another tenant's and another project's ids as not found, and lists nothing of them", async () => {
    const w = await world();
    for (const [key, foreign, foreignProject] of [
      [w.keys.stranger, w.a1, w.p1],
      [w.keys.p1Only, w.a2, w.p2],
    ] as const) {
      const client = await connect(key);
      for (const [tool, args] of [
        ['get_conversation', { conversationId: foreign }],
        ['reply', { conversationId: foreign, body: 'hi', authorName: 'Ana' }],
        ['add_note', { conversationId: foreign, body: 'hi', authorName: 'Ana' }],
        ['close_conversation', { conversationId: foreign }],
        ['reopen_conversation', { conversationId: foreign }],
        ['assign_conversation', { conversationId: foreign, assigneeId: null }],
        ['set_conversation_tags', { conversationId: foreign, tags: ['vip'] }],
        ['get_stats', { projectId: foreignProject }],
      ] as const) {
        const res = await callTool(client, tool, args);
        expect(res.isError, `${tool}: ${res.text}`).toBe(true);
        expect(res.text).toContain('[code: not_found]');
      }
      const listed = await callTool(client, 'list_conversations', { projectId: foreignProject });
      expect(listed.data.data).toEqual([]);
      expect((await callTool(client, 'list_conversations', { q: 'hello' })).text).not.toContain(foreign);
      const everything = await callTool(client, 'list_conversations');
      expect(everything.text).not.toContain(foreign);
      // The key's own figures only: one conversation each (b in B, a1 in project 1).
      expect((await callTool(client, 'get_stats')).data.data.current.conversations).toBe(1);
      await client.close();
    }
    expect(await w.db.message.count({ where: { conversationId: { in: [w.a1, w.a2] } } })).toBe(2);
    expect(await w.db.conversation.count({ where: { id: { in: [w.a1, w.a2] }, status: 'open' } })).toBe(2);
  });

  it('refuses a revoked key at the very next request, and a request without a key', async () => {
    const w = await world();
    const { key, apiKey } = await createApiKey(w.db, w.orgA, { name: 'soon revoked' });
    const client = await connect(key);
    expect((await callTool(client, 'list_projects')).isError).toBe(false);
    await revokeApiKey(w.db, w.orgA, apiKey.id);
    await expect(client.callTool({ name: 'list_projects', arguments: {} })).rejects.toThrow(/401|revoked/);
    await expect(connect(key)).rejects.toThrow(/401|revoked/);

    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    };
    const res = await mcpRoute.POST(
      new Request(MCP_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify(init),
      }),
    );
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect(await res.json()).toMatchObject({ code: 'unauthorized' });
  });

  it('answers bad input with clear errors: invalid tool arguments, GET, an oversized or non-JSON body', async () => {
    const w = await world();
    const client = await connect(w.keys.owner);
    const badId = await callTool(client, 'get_conversation', { conversationId: 'no/such id' });
    expect(badId.isError).toBe(true);
    expect(badId.text).toMatch(/conversationId/);
    const emptyReply = await callTool(client, 'reply', { conversationId: w.a1, body: '', authorName: 'Ana' });
    expect(emptyReply.isError).toBe(true);
    const badStatus = await callTool(client, 'list_conversations', { status: 'pending' });
    expect(badStatus.isError).toBe(true);
    const badPeriod = await callTool(client, 'get_stats', {
      since: '2026-01-02T00:00:00Z',
      until: '2026-01-01T00:00:00Z',
    });
    expect(badPeriod.isError).toBe(true);
    expect(badPeriod.text).toContain('`since` must be before `until`');
    await client.close();

    const headers = {
      authorization: `Bearer ${w.keys.owner}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    const get = await mcpRoute.GET(new Request(MCP_URL, { headers }));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const huge = await mcpRoute.POST(
      new Request(MCP_URL, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(70 * 1024) } }),
      }),
    );
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ code: 'payload_too_large' });
    // A chunked body without Content-Length is cut off at 64 KB, whatever the client still has to send.
    const chunked = pulledBody(50 * 1024 * 1024);
    const cut = await mcpRoute.POST(
      new Request(MCP_URL, { method: 'POST', headers, body: chunked.stream, duplex: 'half' } as RequestInit),
    );
    expect(cut.status).toBe(413);
    expect(chunked.pulled()).toBeLessThanOrEqual(64 * 1024 + 64 * 1024);
    const notJson = await mcpRoute.POST(new Request(MCP_URL, { method: 'POST', headers, body: '{"jsonrpc":' }));
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ code: 'bad_request' });
  });

  it('reads the stats of a project or of the organization: counts, first response, where it was answered, waiting', async () => {
    const w = await world();
    const { db } = w;
    const t0 = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
    // Project 1: three more conversations with replies after 60 s, 180 s and 300 s (one by the AI); a1 is unanswered.
    // An internal note or a system message is no reply.
    const replyDelays: [number, 'operator' | 'ai'][] = [
      [60, 'operator'],
      [180, 'ai'],
      [300, 'operator'],
    ];
    const answered: string[] = [];
    for (const [delay, sender] of replyDelays) {
      const visitor = await createVisitor(db, w.orgA, { projectId: w.p1, tokenHash: sha256(randomToken('vt_')) });
      const c = await getOrCreateOpenConversation(db, w.orgA, { projectId: w.p1, visitorId: visitor.id });
      await db.conversation.update({ where: { id: c.id }, data: { createdAt: at(-10) } });
      const v = await appendMessage(db, w.orgA, {
        conversationId: c.id,
        sender: 'visitor',
        body: 'help',
        source: 'widget',
        deliver: false,
      });
      const note = await appendMessage(db, w.orgA, {
        conversationId: c.id,
        sender: 'operator',
        visibility: 'internal',
        body: 'looking',
        source: 'web',
        deliver: false,
      });
      const r = await appendMessage(db, w.orgA, {
        conversationId: c.id,
        sender,
        body: 'answer',
        source: sender === 'ai' ? 'ai' : 'web',
        deliver: false,
      });
      await db.message.update({ where: { id: v.message.id }, data: { createdAt: at(0) } });
      await db.message.update({ where: { id: note.message.id }, data: { createdAt: at(5) } });
      await db.message.update({ where: { id: r.message.id }, data: { createdAt: at(delay) } });
      answered.push(c.id);
    }
    // One of them is closed; a2 (project 2) is closed too.
    const client = await connect(w.keys.owner);
    expect((await callTool(client, 'close_conversation', { conversationId: answered[0] })).isError).toBe(false);
    expect((await callTool(client, 'close_conversation', { conversationId: w.a2 })).isError).toBe(false);

    const stats = await callTool(client, 'get_stats', { projectId: w.p1 });
    expect(stats.isError, stats.text).toBe(false);
    const p1 = stats.data.data;
    expect(p1.waitingNow).toBe(1);
    expect(p1.current).toMatchObject({
      conversations: 4,
      closed: 1,
      unanswered: 1,
      firstResponse: { count: 3, medianSeconds: 180, p90Seconds: 276 },
    });
    expect(p1.current.resolution.count).toBe(1);
    expect(Object.fromEntries(p1.current.answeredBy.map((a: any) => [a.channel, a.count]))).toMatchObject({
      dashboard: 2,
      ai: 1,
      telegram: 0,
    });
    expect(p1.previous.conversations).toBe(0);
    // The organization: a2 (project 2, closed, never answered) counts too.
    const org = (await callTool(client, 'get_stats')).data.data;
    expect(org.current).toMatchObject({ conversations: 5, closed: 2, unanswered: 2 });
    expect(org.waitingNow).toBe(1);
    // A period before everything: nothing started in it; the "now" figure stays.
    const old = await callTool(client, 'get_stats', {
      projectId: w.p1,
      since: '2020-01-01T00:00:00Z',
      until: '2020-02-01T00:00:00Z',
    });
    expect(old.data.data).toMatchObject({
      waitingNow: 1,
      current: { conversations: 0, firstResponse: { count: 0, medianSeconds: null } },
    });
    expect(old.data.data.current.perDay).toHaveLength(31);
    // A project-restricted key sees its project only.
    const restricted = await connect(w.keys.p1Only);
    const mine = await callTool(restricted, 'get_stats');
    expect(mine.data.data.current.conversations).toBe(4);
    await restricted.close();
    await client.close();
  });
});
