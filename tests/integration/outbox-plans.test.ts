// Plan regression for the delivery hot path's prepared statements: node-postgres names them, so after five runs
// PostgreSQL may switch to a GENERIC plan (no parameter values). With a backlog of pending rows for one tenant the
// generic plan of completeOutboxRows once went through the (organizationId, connectionId, conversationId, status,
// seq) index and filtered every pending row by id (4 ms per call at 10,000 rows). The test forces the generic plan
// and checks that the exact statements completeOutboxRows runs (exported SQL) find their rows by primary key, and that
// the widget send skips its attachment step when there are no attachments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { parseKeyRing } from '@pocketping/core';
import {
  APPEND_WIDGET_SQL,
  bootstrapTenant,
  COMPLETE_OUTBOX_MAPPED_SQL,
  COMPLETE_OUTBOX_SQL,
  createDb,
  createSqlPool,
  type TDb,
  type TSql,
} from '@pocketping/db';
import { createTestDatabase, testEncryptionKey, type TTestDatabase } from '@pocketping/testkit';

describe('outbox statement plans (generic plan, realistic backlog)', () => {
  let database: TTestDatabase;
  let db: TDb;
  let sql: TSql;
  let client: pg.PoolClient;
  let orgId = '';

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDb(database.url, { poolSize: 2 });
    sql = createSqlPool(database.url, { poolSize: 2, onError: () => undefined });
    const ring = parseKeyRing(testEncryptionKey());
    const a = await bootstrapTenant(db, ring, {
      email: 'a@a.test',
      orgName: 'A',
      allowedOrigins: ['https://a.test'],
      telegram: { botToken: '1:aaaaaaaaaaaaaaaaaaaaaaaa', chatId: '-100111' },
    });
    const b = await bootstrapTenant(db, ring, {
      email: 'b@b.test',
      orgName: 'B',
      allowedOrigins: ['https://b.test'],
      telegram: { botToken: '2:bbbbbbbbbbbbbbbbbbbbbbbb', chatId: '-100222' },
    });
    orgId = a.organization.id;
    // No statistics yet, as on a table that grew faster than autovacuum analyzes it (the bench's case): the first
    // checks run on planner defaults, the second set after ANALYZE.
    await sql.query('ALTER TABLE "OutboxEvent" SET (autovacuum_enabled = false)');
    // 5,000 pending rows for tenant A over 200 conversations, 500 for tenant B, 2,000 done rows for A.
    const rows: [string, string, number, string][] = [
      [a.organization.id, a.telegram!.connection.id, 5000, 'pending'],
      [b.organization.id, b.telegram!.connection.id, 500, 'pending'],
      [a.organization.id, a.telegram!.connection.id, 2000, 'done'],
    ];
    for (const [org, conn, n, status] of rows) {
      await sql.query(
        `INSERT INTO "OutboxEvent" (id, "organizationId", kind, "connectionId", "conversationId", seq, status)
         SELECT 'c' || md5(random()::text || g::text), $1, 'bridge.deliver', $2, 'conv-' || (g % 200), g, $4::"OutboxStatus"
         FROM generate_series(1, $3::int) g`,
        [org, conn, n, status],
      );
    }
    client = await sql.connect();
    await client.query('SET plan_cache_mode = force_generic_plan');
  });
  afterAll(async () => {
    client?.release();
    await sql?.end();
    await db?.$disconnect();
    await database?.drop();
  });

  async function genericPlan(name: string, types: string[], text: string, args: string): Promise<string> {
    await client.query(`PREPARE ${name}(${types.join(', ')}) AS ${text}`);
    try {
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE ${name}(${args})`);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await client.query(`DEALLOCATE ${name}`);
    }
  }

  async function checkBothStatements(): Promise<void> {
    const plans = [
      await genericPlan('t_complete', ['text', 'text[]'], COMPLETE_OUTBOX_SQL, `'${orgId}', ARRAY['x']`),
      await genericPlan(
        't_complete_mapped',
        ['text', 'text[]', 'text', 'text', 'text', 'text', 'text'],
        COMPLETE_OUTBOX_MAPPED_SQL,
        `'${orgId}', ARRAY['x'], 'cid', 'mid', 'conn', 'chat', 'ext'`,
      ),
    ];
    for (const plan of plans) {
      expect(plan, plan).toMatch(/(Index Scan using|Bitmap Index Scan on) "OutboxEvent_pkey"/);
      // Prisma truncates the composite index's name (…_stat_idx): any other OutboxEvent index is a regression.
      expect(plan, plan).not.toMatch(/(using|on) "OutboxEvent_(?!pkey")/);
      expect(plan, plan).not.toMatch(/Seq Scan on "OutboxEvent"/);
    }
  }

  it('completeOutboxRows finds its rows by the OutboxEvent primary key before the backlog is analyzed', async () => {
    await checkBothStatements();
  });

  it("the widget send's generic plan never touches Attachment when the message has no attachments", async () => {
    const plan = await genericPlan(
      't_append_widget',
      ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text[]', 'text', 'text', 'text'],
      APPEND_WIDGET_SQL,
      // No webhook event ($11–$13 NULL): a project without subscribed endpoints.
      `'${orgId}', 'conv-1', 'v', NULL, 'm', 'visitor', 'public', 'hello', 'widget', ARRAY[]::text[], NULL, NULL, NULL`,
    );
    // The attachment step sits behind a one-time filter on the id list, so an empty list skips its scan entirely.
    const att = plan.slice(plan.indexOf('CTE att'), plan.indexOf('CTE ob'));
    expect(att, plan).toMatch(/One-Time Filter: \(cardinality\(\$10\) > 0\)/);
    expect(att.indexOf('One-Time Filter'), plan).toBeLessThan(att.search(/Scan[^\n]*"Attachment/));
  });

  it('completeOutboxRows finds its rows by the OutboxEvent primary key after ANALYZE', async () => {
    await sql.query('ANALYZE "OutboxEvent"');
    await checkBothStatements();
  });
});
