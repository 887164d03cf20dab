// Outbound webhooks: deliveries per second of ONE worker, and what the webhook part costs the visitor's send path.
//   pnpm exec tsx bench/webhook-deliveries.ts [deliveries=2000] [conversations=100] [concurrency=50] [sends=2000]
// How (1): N message.created events (N messages over C conversations, one endpoint subscribed) are committed while
// no worker runs; then one worker (in this process, like the integration tests) starts and sends them, signed, to a
// receiver on 127.0.0.1 answering 200 at once. Figure = N / (first → last request received); every delivery must be
// `delivered` for the run to count. Per-conversation order makes C the useful parallelism.
// How (2): the widget's one-statement send (`appendWidgetMessage`) timed for a project WITHOUT webhook endpoints,
// against the same statement with its webhook CTE removed (A/B, alternating, same database): the cost of one index
// probe on "WebhookEndpoint" when nobody listens.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createLogger, parseKeyRing, sha256 } from '@pocketping/core';
import {
  APPEND_WIDGET_SQL,
  appendMessage,
  bootstrapTenant,
  createDb,
  createSqlPool,
  createVisitor,
  getOrCreateOpenConversationSql,
  newId,
} from '@pocketping/db';
import { createWebhookEndpoint } from '@pocketping/webhooks';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  startWebhookReceiver,
  testEncryptionKey,
  uniqueRedisPrefix,
  waitFor,
} from '@pocketping/testkit';
import { startWorker } from '../apps/worker/src/runtime.js';

const total = Number(process.argv[2] ?? 2000);
const conversationCount = Number(process.argv[3] ?? 100);
const concurrency = Number(process.argv[4] ?? 50);
const sends = Number(process.argv[5] ?? 2000);

const database = await createTestDatabase();
const db = createDb(database.url, { poolSize: 10 });
const sql = createSqlPool(database.url, { onError: () => undefined });
const keyRing = parseKeyRing(testEncryptionKey());
const receiver = await startWebhookReceiver();
try {
  const tenant = await bootstrapTenant(db, keyRing, { email: 'b@bench.test', orgName: 'Bench', allowedOrigins: [] });
  const organizationId = tenant.organization.id;
  const projectId = tenant.project.id;
  const quiet = await bootstrapTenant(db, keyRing, { email: 'q@bench.test', orgName: 'Quiet', allowedOrigins: [] });

  // (2) first, on an idle machine share: the send path without endpoints, with and without the webhook CTE.
  const qv = await createVisitor(db, quiet.organization.id, {
    projectId: quiet.project.id,
    tokenHash: sha256('q'),
    metadata: {},
  });
  const qc = await getOrCreateOpenConversationSql(sql, quiet.organization.id, {
    projectId: quiet.project.id,
    visitorId: qv.id,
  });
  const start = APPEND_WIDGET_SQL.indexOf(',\n-- Outbound webhooks');
  const end = APPEND_WIDGET_SQL.indexOf('\nSELECT (SELECT id FROM dup');
  const withoutWebhooks = APPEND_WIDGET_SQL.slice(0, start) + APPEND_WIDGET_SQL.slice(end);
  const timings: Record<'with' | 'without', number[]> = { with: [], without: [] };
  for (let i = 0; i < sends; i++) {
    const variant = i % 2 === 0 ? 'with' : 'without';
    const base = [quiet.organization.id, qc.id, qv.id, `b${i}`, newId(), 'visitor', 'public', `hi ${i}`, 'widget', []];
    const values =
      variant === 'with' ? [...base, 'message.created', JSON.stringify({ message: { id: 'x' } }), `msg_${i}`] : base;
    const t0 = performance.now();
    await sql.query({
      name: `bench_${variant}`,
      text: variant === 'with' ? APPEND_WIDGET_SQL : withoutWebhooks,
      values,
    });
    timings[variant].push(performance.now() - t0);
  }
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;
  const rows = await db.webhookDelivery.count({ where: { organizationId: quiet.organization.id } });

  // (1) deliveries per second of one worker.
  await createWebhookEndpoint({ db, keyRing, fetchAllow: ['127.0.0.1'] }, organizationId, {
    projectId,
    url: `${receiver.url}/bench`,
    events: ['message.created'],
  });
  const conversations: string[] = [];
  for (let i = 0; i < conversationCount; i++) {
    const v = await createVisitor(db, organizationId, {
      projectId,
      tokenHash: sha256(randomBytes(8).toString('hex')),
      metadata: {},
    });
    conversations.push((await getOrCreateOpenConversationSql(sql, organizationId, { projectId, visitorId: v.id })).id);
  }
  const t0 = performance.now();
  const batch: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    batch.push(
      appendMessage(db, organizationId, {
        conversationId: conversations[i % conversationCount]!,
        sender: 'visitor',
        body: `bench ${i}`,
        source: 'widget',
      }),
    );
    if (batch.length >= 10) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
  console.log(
    `committed ${total} messages with their webhook deliveries in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const load0 = loadavg()[0]!;
  const worker = await startWorker({
    databaseUrl: database.url,
    redis: { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() },
    keyRing,
    bridges: { telegram: { apiRoot: 'http://127.0.0.1:9', groupPostsPerMinute: 0 } },
    concurrency,
    sweepIntervalMs: 500,
    log: createLogger('bench', 'silent'),
    webhooks: { fetch: { allow: ['127.0.0.1'] } },
  });
  await waitFor(
    async () =>
      (await db.webhookDelivery.count({ where: { organizationId, status: 'delivered' } })) === total || undefined,
    { what: 'all delivered', timeoutMs: 600_000, intervalMs: 250 },
  );
  const got = receiver.received.filter((r) => r.path === '/bench');
  const seconds = (got.at(-1)!.at - got[0]!.at) / 1000;
  await worker.close();
  console.log(`
webhook deliveries, one worker (concurrency ${concurrency}), ${conversationCount} conversations in parallel:
  ${total} delivered (${got.length} requests) in ${seconds.toFixed(2)} s → ${(total / seconds).toFixed(0)} deliveries/s
  load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} (1 min; 2-core machine shared with other work)

visitor send path, project without webhook endpoints (${sends / 2} statements each, alternating):
  with the webhook CTE     p50 ${pct(timings.with, 0.5).toFixed(3)} ms  p95 ${pct(timings.with, 0.95).toFixed(3)} ms
  without it               p50 ${pct(timings.without, 0.5).toFixed(3)} ms  p95 ${pct(timings.without, 0.95).toFixed(3)} ms
  webhook rows written: ${rows} (must be 0)`);
} finally {
  await receiver.close();
  await sql.end();
  await db.$disconnect();
  await database.drop();
}
