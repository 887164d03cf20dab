// The knowledge and playground routes of the dashboard API, in-process against real Postgres and Redis and the fake
// OpenAI server: admins add text/FAQ/sites/files (validated, size-limited, queued), agents may only read and ask the
// playground, which shows passages with scores and the model's answer and stores no conversation.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getKnowledgeSource, listKnowledgeChunks, saveProjectAiSettings } from '@pocketping/db';
import { bullPrefix, knowledgeIndexJobId, QUEUES } from '@pocketping/jobs';
import { indexKnowledgeSource } from '@pocketping/knowledge';
import { startFakeOpenAi, type TFakeOpenAi } from '@pocketping/testkit';
import { setupWebTestEnv, TEST_WEB_URL, type TWebTestEnv } from '../testing/web-test-env';

import type * as TListRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/knowledge/route';
import type * as TFilesRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/knowledge/files/route';
import type * as TSourceRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/knowledge/[sourceId]/route';
import type * as TReindexRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/knowledge/[sourceId]/reindex/route';
import type * as TPlaygroundRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/ai/playground/route';

describe('knowledge routes and the playground', () => {
  let env: TWebTestEnv;
  let fake: TFakeOpenAi;
  let list: typeof TListRoute;
  let files: typeof TFilesRoute;
  let one: typeof TSourceRoute;
  let reindex: typeof TReindexRoute;
  let playground: typeof TPlaygroundRoute;
  let orgId: string;
  let projectId: string;
  let admin: string;
  let agent: string;
  const base = () => `/api/app/orgs/${orgId}/projects/${projectId}`;
  const params = () => ({ orgId, projectId });

  /** What the worker would do with the queued job. */
  async function runIndex(sourceId: string, generation = 1) {
    const { db } = await env.app();
    return indexKnowledgeSource(
      { db, fetchPolicy: { allow: [] }, maxPages: 5, embedder: null },
      { organizationId: orgId, sourceId, generation },
    );
  }

  beforeAll(async () => {
    fake = await startFakeOpenAi();
    env = await setupWebTestEnv({ OPENAI_API_KEY: fake.apiKey, OPENAI_BASE_URL: fake.baseUrl });
    list = await import('../../app/api/app/orgs/[orgId]/projects/[projectId]/knowledge/route');
    files = await import('../../app/api/app/orgs/[orgId]/projects/[projectId]/knowledge/files/route');
    one = await import('../../app/api/app/orgs/[orgId]/projects/[projectId]/knowledge/[sourceId]/route');
    reindex = await import('../../app/api/app/orgs/[orgId]/projects/[projectId]/knowledge/[sourceId]/reindex/route');
    playground = await import('../../app/api/app/orgs/[orgId]/projects/[projectId]/ai/playground/route');
    const owner = await env.createUser();
    const agentUser = await env.createUser();
    orgId = (await env.createOrg(owner.id)).id;
    await env.addMember(orgId, agentUser.id, 'agent');
    projectId = (await env.createProject(orgId)).id;
    admin = await env.sessionCookie(owner.id);
    agent = await env.sessionCookie(agentUser.id);
  });
  afterAll(async () => {
    await env?.close();
    await fake?.close();
  });

  it('an admin adds text: stored pending, its index job queued; once indexed the list shows it ready', async () => {
    const res = await env.call(list.POST, {
      path: `${base()}/knowledge`,
      params: params(),
      cookie: admin,
      body: {
        kind: 'text',
        title: 'Shipping',
        content: '# Shipping\n\nOrders ship from Lyon. Standard delivery takes 3 to 5 business days.',
      },
    });
    expect(res.status).toBe(200);
    expect(res.json.source).toMatchObject({ kind: 'text', status: 'pending', generation: 1 });
    const { producer, env: webEnv } = await env.app();
    const queue = new Queue(QUEUES.knowledge, {
      connection: producer.redis,
      prefix: bullPrefix({ url: webEnv.REDIS_URL, prefix: webEnv.REDIS_PREFIX }),
    });
    const job = await queue.getJob(knowledgeIndexJobId(res.json.source.id, 1));
    expect(job?.data).toEqual({ organizationId: orgId, sourceId: res.json.source.id, generation: 1 });
    expect((await runIndex(res.json.source.id)).outcome).toBe('indexed');
    const listed = await env.call(list.GET, { path: `${base()}/knowledge`, params: params(), cookie: agent });
    expect(listed.status).toBe(200);
    expect(listed.json.sources[0]).toMatchObject({ id: res.json.source.id, status: 'ready', chunkCount: 1 });
    // The stored text is not sent back to the browser in the list.
    expect(JSON.stringify(listed.json)).not.toContain('Lyon');
  });

  it('refuses agents, malformed and hostile inputs with a clear error', async () => {
    const post = (cookie: string, body: unknown) =>
      env.call(list.POST, { path: `${base()}/knowledge`, params: params(), cookie, body });
    expect((await post(agent, { kind: 'faq', question: 'Why?', answer: 'Because.' })).status).toBe(403);
    for (const body of [
      { kind: 'site', url: 'ftp://example.com/' },
      { kind: 'site', url: 'https://user:pw@example.com/' },
      { kind: 'sitemap', url: 'not a url' },
      { kind: 'text', title: '', content: 'x' },
      { kind: 'text', title: 'T', content: 'x', extra: true },
      { kind: 'pdf' },
    ]) {
      const res = await post(admin, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code).toBe('bad_request');
    }
  });

  it('uploads a file through the size-limited reader: text extracted, Origin required, types and sizes refused', async () => {
    const upload = (name: string, body: string, headers: Record<string, string> = { origin: TEST_WEB_URL }) =>
      env.call(files.POST, {
        path: `${base()}/knowledge/files?name=${encodeURIComponent(name)}`,
        params: params(),
        cookie: admin,
        body,
        headers: { 'content-type': 'application/octet-stream', ...headers },
      });
    const ok = await upload('returns.md', '# Returns\n\nItems can be returned within 30 days.');
    expect(ok.status).toBe(200);
    expect(ok.json.source).toMatchObject({ kind: 'file', title: 'Returns', status: 'pending' });
    const { db } = await env.app();
    expect((await getKnowledgeSource(db, orgId, ok.json.source.id))?.content).toContain('within 30 days');
    expect((await upload('a.md', 'x', {})).status).toBe(403);
    expect((await upload('a.md', 'x', { origin: 'https://evil.example' })).status).toBe(403);
    const docx = await upload('manual.docx', 'PK');
    expect(docx.status).toBe(400);
    expect(docx.json.error.message).toMatch(/Only .txt/);
    // A PDF is read by the knowledge worker (tests/integration/knowledge-pdf-upload.test.ts); only bytes that are not
    // a PDF at all are refused at once.
    const notPdf = await upload('manual.pdf', 'hello, not a PDF');
    expect(notPdf.status).toBe(400);
    expect(notPdf.json.error.message).toMatch(/not a PDF/);
    expect((await upload('empty.txt', '')).status).toBe(400);
    const big = await upload('big.txt', 'a'.repeat(2 * 1024 * 1024 + 1));
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('payload_too_large');
  });

  it('the playground: passages with scores and an answer citing them; no conversation is created', async () => {
    const { db } = await env.app();
    // The project's saved settings shape the answer: the assistant's name and instructions, the length cap.
    await saveProjectAiSettings(db, orgId, projectId, {
      assistantName: 'Nova',
      instructions: 'Never promise a delivery date.',
      maxOutputTokens: 321,
    });
    await db.aiUsage.deleteMany({ where: { organizationId: orgId } });
    const before = await db.conversation.count({ where: { organizationId: orgId } });
    const res = await env.call(playground.POST, {
      path: `${base()}/ai/playground`,
      params: params(),
      cookie: agent,
      body: { question: 'How long does standard delivery take?' },
    });
    expect(res.status).toBe(200);
    expect(res.json.mode).toBe('full-text');
    expect(res.json.passages[0]).toMatchObject({ title: 'Shipping' });
    expect(res.json.passages[0].score).toBeGreaterThan(0);
    expect(res.json.answer.kind).toBe('answer');
    expect(res.json.answer.sources[0]).toMatchObject({ title: 'Shipping' });
    // The model saw the passage in its system prompt.
    const sent = fake.completions().at(-1)!;
    expect(JSON.stringify(sent.messages[0])).toContain('Standard delivery takes 3 to 5 business days');
    expect(JSON.stringify(sent.messages[0])).toContain('Nova');
    expect(JSON.stringify(sent.messages[0])).toContain('Never promise a delivery date.');
    expect(sent.max_completion_tokens).toBe(321);
    // The completion is metered (AI usage; no reply counted: nobody was answered).
    const usage = await db.aiUsage.findMany({ where: { organizationId: orgId } });
    expect(usage).toMatchObject([{ kind: 'completion', projectId, replies: 0 }]);
    expect(usage[0]!.promptTokens).toBeGreaterThan(0);
    expect(await db.conversation.count({ where: { organizationId: orgId } })).toBe(before);
    const bad = await env.call(playground.POST, {
      path: `${base()}/ai/playground`,
      params: params(),
      cookie: agent,
      body: { question: 'x'.repeat(1001) },
    });
    expect(bad.status).toBe(400);
  });

  it('re-index bumps the generation and replaces the passages; delete removes the source and its passages', async () => {
    const { db } = await env.app();
    const added = await env.call(list.POST, {
      path: `${base()}/knowledge`,
      params: params(),
      cookie: admin,
      body: { kind: 'faq', question: 'Do you have gift cards?', answer: 'Yes, from 10 to 200 euros.' },
    });
    const id = added.json.source.id as string;
    await runIndex(id);
    const again = await env.call(reindex.POST, {
      path: `${base()}/knowledge/${id}/reindex`,
      params: { ...params(), sourceId: id },
      cookie: admin,
      body: {},
    });
    expect(again.json).toEqual({ ok: true, generation: 2 });
    expect((await getKnowledgeSource(db, orgId, id))?.status).toBe('pending');
    expect((await runIndex(id, 2)).outcome).toBe('indexed');
    const del = await env.call(one.DELETE, {
      path: `${base()}/knowledge/${id}`,
      params: { ...params(), sourceId: id },
      cookie: admin,
      body: {},
    });
    expect(del.status).toBe(200);
    expect(await getKnowledgeSource(db, orgId, id)).toBeNull();
    expect(await listKnowledgeChunks(db, orgId, id)).toEqual([]);
    const gone = await env.call(one.DELETE, {
      path: `${base()}/knowledge/${id}`,
      params: { ...params(), sourceId: id },
      cookie: admin,
      body: {},
    });
    expect(gone.status).toBe(404);
  });
});
