// Inbox data queries of the dashboard (apps/web/src/server/inbox/conversations.ts) on a large project.
//   pnpm exec tsx bench/inbox-queries.ts [conversations=20000] [messagesPerConversation=8] [runs=30]
// How: a fresh database; one organization and project; N visitors and N conversations (a third closed, half of the
// open ones waiting for an answer) with M messages each, inserted with generate_series and ANALYZEd; then each
// query the inbox page runs is timed `runs` times (after 3 warm-up runs), in this process through Prisma, exactly as
// the page calls them: the open/unanswered/closed tabs (first page of 30), the second page (cursor), a search by
// visitor email, a search in message text, and one conversation's view. Prints p50/p95 in ms per query.
import { performance } from 'node:perf_hooks';
import { bootstrapTenant, createDb } from '@pocketping/db';
import { parseKeyRing } from '@pocketping/core';
import { createTestDatabase, testEncryptionKey } from '@pocketping/testkit';
import { getConversationView, listInbox } from '../apps/web/src/server/inbox/conversations.js';

const conversations = Number(process.argv[2] ?? 20_000);
const perConversation = Number(process.argv[3] ?? 8);
const runs = Number(process.argv[4] ?? 30);

const database = await createTestDatabase('pp_bench_inbox');
const db = createDb(database.url, { poolSize: 4 });
try {
  const tenant = await bootstrapTenant(db, parseKeyRing(testEncryptionKey()), {
    email: 'bench@inbox.test',
    orgName: 'Bench',
    allowedOrigins: ['https://bench.test'],
  });
  const org = tenant.organization.id;
  const project = tenant.project.id;
  const t0 = performance.now();
  await db.$executeRawUnsafe(
    `
    INSERT INTO "Visitor" (id, "organizationId", "projectId", "tokenHash", email, name, metadata, "createdAt", "lastSeenAt")
    SELECT 'v' || g, $1, $2, md5('t' || g), CASE WHEN g % 3 = 0 THEN 'visitor' || g || '@example.test' END,
      CASE WHEN g % 2 = 0 THEN 'Visitor ' || g END, '{}', now() - g * interval '1 minute', now()
    FROM generate_series(1, $3::int) g`,
    org,
    project,
    conversations,
  );
  await db.$executeRawUnsafe(
    `
    INSERT INTO "Conversation" (id, "organizationId", "projectId", "visitorId", status, "nextSeq", "lastMessageAt", "createdAt", "updatedAt", "closedAt")
    SELECT 'c' || g, $1, $2, 'v' || g, (CASE WHEN g % 3 = 0 THEN 'closed' ELSE 'open' END)::"ConversationStatus", $3::int + 1,
      now() - g * interval '1 minute', now() - g * interval '1 minute' - interval '1 hour', now(), CASE WHEN g % 3 = 0 THEN now() END
    FROM generate_series(1, $4::int) g`,
    org,
    project,
    perConversation,
    conversations,
  );
  // Alternating visitor/operator messages; in every other conversation the visitor wrote last (unanswered).
  await db.$executeRawUnsafe(
    `
    INSERT INTO "Message" (id, "organizationId", "conversationId", seq, sender, body, source, "createdAt")
    SELECT 'm' || g || '-' || s, $1, 'c' || g, s,
      (CASE WHEN (s + g) % 2 = 0 THEN 'visitor' ELSE 'operator' END)::"SenderKind",
      'message ' || s || ' of conversation ' || g || ' about invoices, shipping and refunds ' || md5(g::text || s::text), 'widget',
      now() - g * interval '1 minute' - (${perConversation} - s) * interval '10 seconds'
    FROM generate_series(1, $2::int) g, generate_series(1, $3::int) s`,
    org,
    conversations,
    perConversation,
  );
  await db.$executeRawUnsafe('ANALYZE "Visitor", "Conversation", "Message"');
  const seedMs = performance.now() - t0;

  const time = async (name: string, fn: () => Promise<unknown>) => {
    for (let i = 0; i < 3; i++) await fn();
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      await fn();
      samples.push(performance.now() - s);
    }
    samples.sort((a, b) => a - b);
    const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!;
    return { query: name, p50: Number(q(0.5).toFixed(1)), p95: Number(q(0.95).toFixed(1)) };
  };
  // "Mine" is counted for this user (the list's All / Mine / Unassigned counts run with every page).
  const BENCH_USER = 'bench-user';
  const first = await listInbox(db, org, project, { tab: 'open' }, BENCH_USER);
  const results = [
    await time('open tab, first page', () => listInbox(db, org, project, { tab: 'open' }, BENCH_USER)),
    await time('open tab, second page (cursor)', () =>
      listInbox(db, org, project, { tab: 'open', cursor: first.nextCursor ?? undefined }, BENCH_USER),
    ),
    await time('unanswered tab', () => listInbox(db, org, project, { tab: 'unanswered' }, BENCH_USER)),
    await time('closed tab', () => listInbox(db, org, project, { tab: 'closed' }, BENCH_USER)),
    await time('search: visitor email', () =>
      listInbox(db, org, project, { tab: 'closed', q: `visitor${conversations - 3}@example` }, BENCH_USER),
    ),
    await time('search: message text (no match)', () =>
      listInbox(db, org, project, { tab: 'open', q: 'no such words anywhere' }, BENCH_USER),
    ),
    await time('conversation view', () => getConversationView(db, org, project, 'c2')),
  ];
  console.log(
    JSON.stringify(
      {
        conversations,
        messagesPerConversation: perConversation,
        messages: conversations * perConversation,
        runs,
        seedMs: Math.round(seedMs),
        results,
      },
      null,
      1,
    ),
  );
} finally {
  await db.$disconnect();
  await database.drop();
}
