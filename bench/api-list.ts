// GET /api/v1/conversations latency on a large organization.
//   pnpm exec tsx bench/api-list.ts [conversations=100000] [runs=50]
// How: a fresh database with the committed migrations (the web test harness); one organization on the Business plan
// (so the per-key rate limit does not stop the loop) with two projects and N conversations spread over them (a third
// closed, updatedAt one minute apart), inserted with generate_series and ANALYZEd; one API key. Then each request is
// sent `runs` times (after 3 warm-up runs) through the real route handler in this process — Bearer key lookup,
// lastUsedAt, the Redis rate-limit counter, zod, the query, the answer's schema check and JSON — and timed from the
// call to the last byte of the body. Prints p50/p95 in ms per request shape. The target is p50 ≤ 50 ms for the list.
import { performance } from 'node:perf_hooks';
import { createApiKey } from '@pocketping/db';
import { setupWebTestEnv } from '../apps/web/src/server/testing/web-test-env.js';
import * as conversationsRoute from '../apps/web/src/app/api/v1/conversations/route.js';

const conversations = Number(process.argv[2] ?? 100_000);
const runs = Number(process.argv[3] ?? 50);

const env = await setupWebTestEnv();
try {
  const { db } = await env.app();
  const owner = await env.createUser();
  const org = await env.createOrg(owner.id, 'Bench');
  const p1 = await env.createProject(org.id, 'One');
  const p2 = await env.createProject(org.id, 'Two');
  await db.organizationBilling.create({
    data: { organizationId: org.id, plan: 'business', status: 'active', interval: 'monthly' },
  });
  const t0 = performance.now();
  await db.$executeRawUnsafe(
    `
    INSERT INTO "Visitor" (id, "organizationId", "projectId", "tokenHash", metadata, "createdAt", "lastSeenAt")
    SELECT 'v' || g, $1, CASE WHEN g % 2 = 0 THEN $2 ELSE $3 END, md5('t' || g), '{}', now() - g * interval '1 minute', now()
    FROM generate_series(1, $4::int) g`,
    org.id,
    p1.id,
    p2.id,
    conversations,
  );
  await db.$executeRawUnsafe(
    `
    INSERT INTO "Conversation" (id, "organizationId", "projectId", "visitorId", status, "nextSeq", "lastMessageAt", "createdAt", "updatedAt", "closedAt")
    SELECT 'c' || g, $1, CASE WHEN g % 2 = 0 THEN $2 ELSE $3 END, 'v' || g,
      (CASE WHEN g % 3 = 0 THEN 'closed' ELSE 'open' END)::"ConversationStatus", 5,
      now() - g * interval '1 minute', now() - g * interval '1 minute' - interval '1 hour',
      now() - g * interval '1 minute', CASE WHEN g % 3 = 0 THEN now() END
    FROM generate_series(1, $4::int) g`,
    org.id,
    p1.id,
    p2.id,
    conversations,
  );
  await db.$executeRawUnsafe(`ANALYZE "Visitor"`);
  await db.$executeRawUnsafe(`ANALYZE "Conversation"`);
  const seeded = performance.now() - t0;
  const { key } = await createApiKey(db, org.id, { name: 'bench' });

  async function get(query: Record<string, string>): Promise<{ ms: number; body: { nextCursor: string | null } }> {
    const url = new URL('http://127.0.0.1:3999/api/v1/conversations');
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const start = performance.now();
    const res = await conversationsRoute.GET(new Request(url, { headers: { authorization: `Bearer ${key}` } }), {
      params: Promise.resolve({}),
    });
    const text = await res.text();
    const ms = performance.now() - start;
    if (res.status !== 200) throw new Error(`${res.status} ${text}`);
    return { ms, body: JSON.parse(text) as { nextCursor: string | null } };
  }

  // A cursor deep in the list: walk 20 pages of 100 once.
  let deep: string | null = null;
  for (let i = 0; i < 20; i++)
    deep = (await get(deep ? { limit: '100', cursor: deep } : { limit: '100' })).body.nextCursor;

  const shapes: [string, Record<string, string>][] = [
    ['first page (50)', {}],
    ['first page (100)', { limit: '100' }],
    ['page 21 via cursor (100)', { limit: '100', cursor: deep! }],
    ['status=open', { status: 'open' }],
    ['status=closed + projectId', { status: 'closed', projectId: p2.id }],
    ['updatedSince (last day)', { updatedSince: new Date(Date.now() - 86_400_000).toISOString() }],
    ['visitorId', { visitorId: 'v77777' }],
  ];
  const pct = (xs: number[], p: number) =>
    xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
  console.log(
    `GET /api/v1/conversations — ${conversations} conversations in 2 projects (seeded in ${(seeded / 1000).toFixed(1)} s), ` +
      `${runs} runs each after 3 warm-ups, in-process through the route handler (auth + rate limit + zod + query + JSON)`,
  );
  for (const [name, query] of shapes) {
    for (let i = 0; i < 3; i++) await get(query);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push((await get(query)).ms);
    console.log(
      `  ${name.padEnd(28)} p50 ${pct(times, 0.5).toFixed(1).padStart(6)} ms   p95 ${pct(times, 0.95).toFixed(1).padStart(6)} ms`,
    );
  }
} finally {
  await env.close();
}
process.exit(0);
