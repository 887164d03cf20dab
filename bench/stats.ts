// The stats page's queries (packages/db conversation-stats.ts, through apps/web/src/server/stats/stats-report.ts) on
// a large organization.
//   pnpm exec tsx bench/stats.ts [conversations=100000] [spreadDays=365] [runs=20] [openDays=14]
// How: a fresh database; one organization with two projects (90 % / 10 % of the conversations); N visitors and N
// conversations started evenly over the last `spreadDays` days, inserted with generate_series and ANALYZEd. Each
// conversation has 4 messages (visitor, reply, visitor, reply; the first reply from the dashboard, Telegram, Slack,
// Discord or the AI, 30 s to ~2 h after) except one in ten, where the visitor wrote twice and nobody answered; those
// older than `openDays` are closed, and two thirds of the younger ones; one in four closed ones rated. Then the
// page's one call (`loadStatsReport`: the fold of what changed, then the period, the period before and the waiting
// count, three queries in parallel on a pool of 4) is timed `runs` times after 2 warm-up runs, for the 7/30/90-day
// presets and a year, for the big project and for the whole organization. Prints p50/p95 in ms, the conversations
// each period covers, and the first call's time (`firstCallMs`: the very first one folds the whole organization —
// the backfill; later first calls only what changed).
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { bootstrapTenant, createDb, createProject } from '@pocketping/db';
import { parseKeyRing } from '@pocketping/core';
import { createTestDatabase, testEncryptionKey } from '@pocketping/testkit';
import { loadStatsReport } from '../apps/web/src/server/stats/stats-report.js';

const conversations = Number(process.argv[2] ?? 100_000);
const spreadDays = Number(process.argv[3] ?? 365);
const runs = Number(process.argv[4] ?? 20);
/** Conversations older than this are all closed; a third of the younger ones are open. */
const openDays = Number(process.argv[5] ?? 14);
const DAY_MS = 24 * 60 * 60 * 1000;

const database = await createTestDatabase('pp_bench_stats');
const db = createDb(database.url, { poolSize: 4 });
try {
  const tenant = await bootstrapTenant(db, parseKeyRing(testEncryptionKey()), {
    email: 'bench@stats.test',
    orgName: 'Bench',
    allowedOrigins: ['https://bench.test'],
  });
  const org = tenant.organization.id;
  const big = tenant.project.id;
  const small = (await createProject(db, org, { name: 'Small', allowedOrigins: ['https://small.test'] })).id;
  const t0 = performance.now();
  const spreadSeconds = spreadDays * 86_400;
  await db.$executeRawUnsafe(
    `
    INSERT INTO "Visitor" (id, "organizationId", "projectId", "tokenHash", metadata, "createdAt", "lastSeenAt")
    SELECT 'v' || g, $1, CASE WHEN g % 10 = 0 THEN $3 ELSE $2 END, md5('t' || g), '{}', now(), now()
    FROM generate_series(1, $4::int) g`,
    org,
    big,
    small,
    conversations,
  );
  await db.$executeRawUnsafe(
    `
    INSERT INTO "Conversation" (id, "organizationId", "projectId", "visitorId", status, "nextSeq", "lastMessageAt",
      "createdAt", "updatedAt", "closedAt", "csatScore", "csatAt")
    SELECT 'c' || g, $1, CASE WHEN g % 10 = 0 THEN $3 ELSE $2 END, 'v' || g,
      (CASE WHEN t.closed THEN 'closed' ELSE 'open' END)::"ConversationStatus", 5, t.at, t.at, t.at,
      CASE WHEN t.closed THEN t.at + (g % 50) * interval '7 minutes' + interval '10 minutes' END,
      CASE WHEN t.closed AND g % 4 = 1 THEN 1 + (g % 5) END,
      CASE WHEN t.closed AND g % 4 = 1 THEN t.at + interval '3 hours' END
    FROM generate_series(1, $4::int) g
    CROSS JOIN LATERAL (SELECT g::float8 / $4::int * $5::int AS age) a
    CROSS JOIN LATERAL (
      SELECT now() - a.age * interval '1 second' AS at, (g % 3 <> 0 OR a.age > $6::int * 86400) AS closed
    ) t`,
    org,
    big,
    small,
    conversations,
    spreadSeconds,
    openDays,
  );
  // seq 1 and 3 from the visitor; 2 and 4 replies, except in one conversation in ten (two visitor messages, no reply).
  await db.$executeRawUnsafe(
    `
    INSERT INTO "Message" (id, "organizationId", "conversationId", seq, sender, body, source, "createdAt")
    SELECT 'm' || g || '-' || s, $1, 'c' || g, s,
      (CASE WHEN s % 2 = 1 OR g % 10 = 7 THEN 'visitor' WHEN g % 5 = 4 THEN 'ai' ELSE 'operator' END)::"SenderKind",
      'message ' || s, (CASE WHEN s % 2 = 1 OR g % 10 = 7 THEN 'widget' WHEN g % 5 = 4 THEN 'ai'
        ELSE (ARRAY['web', 'telegram', 'slack', 'discord'])[1 + g % 4] END),
      c."createdAt" + (s - 1) * ((g % 240) + 1) * interval '30 seconds'
    FROM generate_series(1, $2::int) g
    JOIN "Conversation" c ON c.id = 'c' || g
    CROSS JOIN generate_series(1, CASE WHEN g % 10 = 7 THEN 2 ELSE 4 END) s`,
    org,
    conversations,
  );
  await db.$executeRawUnsafe('ANALYZE "Visitor", "Conversation", "Message"');
  const seedMs = performance.now() - t0;

  const now = Date.now();
  const time = async (name: string, projectId: string | null, days: number) => {
    const q = { since: new Date(now - days * DAY_MS), until: new Date(now), timeZone: 'Europe/Paris' };
    const call = () => loadStatsReport(db, { organizationId: org, projectId }, q);
    const cold = performance.now();
    const sample = await call();
    const firstCallMs = Math.round(performance.now() - cold);
    for (let i = 0; i < 2; i++) await call();
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      await call();
      samples.push(performance.now() - s);
    }
    samples.sort((a, b) => a - b);
    const p = (x: number) => Number(samples[Math.min(samples.length - 1, Math.floor(x * samples.length))]!.toFixed(1));
    return {
      query: name,
      conversationsInPeriod: sample.current.conversations,
      inPreviousPeriod: sample.previous.conversations,
      firstCallMs,
      p50: p(0.5),
      p95: p(0.95),
    };
  };
  const results = [];
  for (const days of [7, 30, 90, 365]) {
    results.push(await time(`project (90 %), last ${days} days`, big, days));
    results.push(await time(`organization, last ${days} days`, null, days));
  }
  console.log(
    JSON.stringify(
      {
        conversations,
        messages: Math.round(conversations * 3.8),
        spreadDays,
        openDays,
        runs,
        seedMs: Math.round(seedMs),
        loadAverage: os.loadavg().map((l) => Number(l.toFixed(1))),
        results,
      },
      null,
      1,
    ),
  );
} finally {
  await db.$disconnect();
  // STATS_BENCH_KEEP=1 keeps the database to EXPLAIN the queries by hand (its name is printed).
  if (process.env.STATS_BENCH_KEEP === '1') console.log(`kept ${database.url}`);
  else await database.drop();
}
