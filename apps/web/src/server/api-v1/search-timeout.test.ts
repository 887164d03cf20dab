/* eslint-disable @typescript-eslint/no-explicit-any -- tests read arbitrary JSON answers */
// GET /api/v1/conversations?q= is bounded in time: Postgres cancels the text search after API_SEARCH_TIMEOUT_MS and
// the API answers 422 `search_timeout` (problem+json) instead of holding a connection. The search is made to outlast
// the bound without timing luck: another transaction holds an exclusive lock on the messages table, so the search
// waits on it until its statement timeout cancels it (a lock wait counts towards statement_timeout).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken, sha256 } from '@pocketping/core';
import { appendMessage, createApiKey, createVisitor, getOrCreateOpenConversation } from '@pocketping/db';
import { setupWebTestEnv, TEST_WEB_URL, type TWebTestEnv } from '../testing/web-test-env';
import * as conversationsRoute from '../../app/api/v1/conversations/route';

let env: TWebTestEnv;
beforeAll(async () => {
  env = await setupWebTestEnv({ API_SEARCH_TIMEOUT_MS: '300' });
});
afterAll(async () => {
  await env?.close();
});

async function list(key: string, query: Record<string, string>) {
  const url = new URL(`${TEST_WEB_URL}/api/v1/conversations`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const res = await conversationsRoute.GET(new Request(url, { headers: { authorization: `Bearer ${key}` } }), {
    params: Promise.resolve({}),
  });
  return { status: res.status, type: res.headers.get('content-type'), json: (await res.json()) as any };
}

describe('the conversations text search', () => {
  it('answers 422 search_timeout when Postgres cancels it, and searches again once it can finish', async () => {
    const { db } = await env.app();
    const owner = await env.createUser();
    const org = await env.createOrg(owner.id, 'Search');
    const project = await env.createProject(org.id);
    const visitor = await createVisitor(db, org.id, { projectId: project.id, tokenHash: sha256(randomToken('vt_')) });
    const conversation = await getOrCreateOpenConversation(db, org.id, {
      projectId: project.id,
      visitorId: visitor.id,
    });
    await appendMessage(db, org.id, {
      conversationId: conversation.id,
      sender: 'visitor',
      body: 'my parcel is late',
      source: 'widget',
      deliver: false,
    });
    const { key } = await createApiKey(db, org.id, { name: 'search', scopes: ['read'] });
    expect((await list(key, { q: 'parcel' })).json.data.map((c: any) => c.id)).toEqual([conversation.id]);

    let locked!: () => void;
    const lockTaken = new Promise<void>((r) => (locked = r));
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    const holder = db.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe('LOCK TABLE "Message" IN ACCESS EXCLUSIVE MODE');
        locked();
        await done;
      },
      { timeout: 60_000 },
    );
    try {
      await lockTaken;
      const refused = await list(key, { q: 'parcel' });
      expect(refused.status).toBe(422);
      expect(refused.type).toBe('application/problem+json');
      expect(refused.json).toMatchObject({ status: 422, code: 'search_timeout' });
      expect(refused.json.detail).toContain('0.3 s');
      // Without `q` the list does not read the messages: it still answers.
      const plain = await list(key, {});
      expect(plain.status).toBe(200);
      expect(plain.json.data.map((c: any) => c.id)).toEqual([conversation.id]);
    } finally {
      release();
      await holder;
    }
    // The bound is per statement of that search only: the next search runs normally.
    expect((await list(key, { q: 'PARCEL' })).json.data.map((c: any) => c.id)).toEqual([conversation.id]);
  });
});
