// An uploaded PDF is read by the knowledge worker, not by the web request: the dashboard route (in-process, real
// Postgres and Redis) answers at once with the source `pending` and its bytes kept; the real knowledge worker reads
// it (bounded pages and time), chunks it, keeps the text in place of the file and turns it `ready`; a corrupt PDF
// turns `failed` with a readable reason; another organization can neither see nor touch it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@pocketping/core';
import { getKnowledgeSource, getKnowledgeSourceFile, listKnowledgeChunks, type TDb } from '@pocketping/db';
import { makeTextPdf, waitFor } from '@pocketping/testkit';
import { setupWebTestEnv, TEST_WEB_URL, type TWebTestEnv } from '~/server/testing/web-test-env';
import { startKnowledgeWorker } from '../../apps/worker/src/knowledge/start-knowledge-worker.js';

import type * as TListRoute from '~/app/api/app/orgs/[orgId]/projects/[projectId]/knowledge/route';
import type * as TFilesRoute from '~/app/api/app/orgs/[orgId]/projects/[projectId]/knowledge/files/route';
import type * as TSourceRoute from '~/app/api/app/orgs/[orgId]/projects/[projectId]/knowledge/[sourceId]/route';
import type * as TReindexRoute from '~/app/api/app/orgs/[orgId]/projects/[projectId]/knowledge/[sourceId]/reindex/route';

describe('knowledge PDF upload: parsed by the worker', () => {
  let env: TWebTestEnv;
  let db: TDb;
  let worker: Awaited<ReturnType<typeof startKnowledgeWorker>>;
  let list: typeof TListRoute;
  let files: typeof TFilesRoute;
  let one: typeof TSourceRoute;
  let reindex: typeof TReindexRoute;
  const a = { orgId: '', projectId: '', cookie: '' };
  const b = { orgId: '', projectId: '', cookie: '' };

  beforeAll(async () => {
    env = await setupWebTestEnv();
    list = await import('~/app/api/app/orgs/[orgId]/projects/[projectId]/knowledge/route');
    files = await import('~/app/api/app/orgs/[orgId]/projects/[projectId]/knowledge/files/route');
    one = await import('~/app/api/app/orgs/[orgId]/projects/[projectId]/knowledge/[sourceId]/route');
    reindex = await import('~/app/api/app/orgs/[orgId]/projects/[projectId]/knowledge/[sourceId]/reindex/route');
    for (const t of [a, b]) {
      const owner = await env.createUser();
      t.orgId = (await env.createOrg(owner.id)).id;
      t.projectId = (await env.createProject(t.orgId)).id;
      t.cookie = await env.sessionCookie(owner.id);
    }
    const app = await env.app();
    db = app.db;
    // The worker on the web app's queue (same Redis prefix): what the web route enqueues, it runs.
    worker = await startKnowledgeWorker({
      db,
      redisConfig: { url: app.env.REDIS_URL, prefix: app.env.REDIS_PREFIX },
      log: createLogger('test', 'silent'),
      config: { fetchAllow: [], maxPages: 5, embeddings: null, recovery: { everyMs: 0, olderThanMs: 0 } },
    });
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await env?.close();
  });

  const upload = (t: typeof a, name: string, body: Uint8Array | string) =>
    env.call(files.POST, {
      path: `/api/app/orgs/${t.orgId}/projects/${t.projectId}/knowledge/files?name=${encodeURIComponent(name)}`,
      params: { orgId: t.orgId, projectId: t.projectId },
      cookie: t.cookie,
      body,
      headers: { 'content-type': 'application/octet-stream', origin: TEST_WEB_URL },
    });
  const settled = (organizationId: string, sourceId: string) =>
    waitFor(
      async () => {
        const s = await getKnowledgeSource(db, organizationId, sourceId);
        return s && (s.status === 'ready' || s.status === 'failed') ? s : undefined;
      },
      { what: 'the PDF source indexed or failed', timeoutMs: 30_000 },
    );

  it('upload → pending at once → the worker reads it → ready with chunks, the text kept instead of the file', async () => {
    const res = await upload(a, 'kettle-guide.pdf', makeTextPdf('Every kettle has a two-year warranty.', 'Warranty'));
    expect(res.status).toBe(200);
    expect(res.json.source).toMatchObject({ kind: 'file', title: 'kettle-guide', status: 'pending', chunkCount: 0 });
    // The route answers with the source, never with the file.
    expect(JSON.stringify(res.json)).not.toContain('fileBytes');

    const ready = await settled(a.orgId, res.json.source.id);
    expect(ready).toMatchObject({ status: 'ready', error: null, chunkCount: 1, title: 'Warranty' });
    expect(ready.content).toContain('two-year warranty');
    expect(await getKnowledgeSourceFile(db, a.orgId, ready.id)).toBeNull();
    const chunks = await listKnowledgeChunks(db, a.orgId, ready.id);
    expect(chunks.map((c) => c.text).join(' ')).toContain('two-year warranty');

    // A re-index works from the kept text (the file is gone).
    const again = await env.call(reindex.POST, {
      path: `/api/app/orgs/${a.orgId}/projects/${a.projectId}/knowledge/${ready.id}/reindex`,
      params: { orgId: a.orgId, projectId: a.projectId, sourceId: ready.id },
      cookie: a.cookie,
      body: {},
    });
    expect(again.status).toBe(200);
    await waitFor(
      async () => {
        const s = await getKnowledgeSource(db, a.orgId, ready.id);
        return s?.generation === 2 && s.status === 'ready' ? s : undefined;
      },
      { what: 'the re-index', timeoutMs: 30_000 },
    );
  });

  it('a corrupt PDF is accepted at once and fails in the worker with a readable reason; not a PDF at all: 400', async () => {
    const res = await upload(a, 'broken.pdf', '%PDF-1.7 this is not really a PDF at all');
    expect(res.status).toBe(200);
    expect(res.json.source.status).toBe('pending');
    const failed = await settled(a.orgId, res.json.source.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/Not a readable PDF/);
    expect(failed.chunkCount).toBe(0);

    const notPdf = await upload(a, 'notes.pdf', 'plain words');
    expect(notPdf.status).toBe(400);
    expect(notPdf.json.error.message).toMatch(/not a PDF/);
  });

  it("another organization can neither see nor touch an uploaded PDF, nor upload into the first one's project", async () => {
    const res = await upload(a, 'private.pdf', makeTextPdf('The staff discount code is KETTLE42.'));
    expect(res.status).toBe(200);
    const id: string = res.json.source.id;
    await settled(a.orgId, id);

    // B's own project lists nothing of A's.
    const listedB = await env.call(list.GET, {
      path: `/api/app/orgs/${b.orgId}/projects/${b.projectId}/knowledge`,
      params: { orgId: b.orgId, projectId: b.projectId },
      cookie: b.cookie,
    });
    expect(listedB.status).toBe(200);
    expect(JSON.stringify(listedB.json)).not.toContain(id);
    // B on A's paths: refused by the tenancy wrapper.
    const onA = { orgId: a.orgId, projectId: a.projectId, sourceId: id };
    for (const call of [
      () =>
        env.call(list.GET, {
          path: `/api/app/orgs/${a.orgId}/projects/${a.projectId}/knowledge`,
          params: onA,
          cookie: b.cookie,
        }),
      () =>
        env.call(one.DELETE, {
          method: 'DELETE',
          path: `/api/app/orgs/${a.orgId}/projects/${a.projectId}/knowledge/${id}`,
          params: onA,
          cookie: b.cookie,
          body: {},
        }),
      () => upload({ ...a, cookie: b.cookie }, 'intruder.pdf', makeTextPdf('Intruder text.')),
    ]) {
      const r = await call();
      expect([403, 404], JSON.stringify(r.json)).toContain(r.status);
    }
    // B on its own paths with A's source id: not found, and nothing changed.
    const onB = { orgId: b.orgId, projectId: b.projectId, sourceId: id };
    const del = await env.call(one.DELETE, {
      method: 'DELETE',
      path: `/api/app/orgs/${b.orgId}/projects/${b.projectId}/knowledge/${id}`,
      params: onB,
      cookie: b.cookie,
      body: {},
    });
    expect(del.status).toBe(404);
    const re = await env.call(reindex.POST, {
      path: `/api/app/orgs/${b.orgId}/projects/${b.projectId}/knowledge/${id}/reindex`,
      params: onB,
      cookie: b.cookie,
      body: {},
    });
    expect(re.status).toBe(404);
    const still = await getKnowledgeSource(db, a.orgId, id);
    expect(still).toMatchObject({ status: 'ready', generation: 1 });
    expect(await getKnowledgeSource(db, b.orgId, id)).toBeNull();
    expect(await db.knowledgeSource.count({ where: { organizationId: a.orgId, title: 'intruder' } })).toBe(0);
  });
});
