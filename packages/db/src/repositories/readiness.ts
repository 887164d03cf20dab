// Readiness of a process towards its stores: is Postgres answering, and has every migration shipped with this build
// been applied? A process that runs against an older schema than its code expects must not take traffic.
import type { TDb } from '../client.js';
import { shippedMigrations } from '../apply-migrations.js';
import type { TSql } from './sql-pool.js';

/** Migration folders shipped with this build that the database has not finished applying (oldest first). */
export async function pendingMigrations(db: TDb, migrationsDir: string): Promise<string[]> {
  const shipped = shippedMigrations(migrationsDir);
  const applied = await db.$queryRaw<{ migration_name: string }[]>`
    SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
  const done = new Set(applied.map((r) => r.migration_name));
  return shipped.filter((name) => !done.has(name));
}

export type TReadiness = {
  ok: boolean;
  db: boolean;
  redis: boolean;
  /** 'current', or the migrations still to apply, or 'unknown' when the database did not answer. */
  migrations: 'current' | 'unknown' | string[];
};

async function settle<T>(work: Promise<T>, ms: number): Promise<{ value: T } | { error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work.then((value) => ({ value })),
      new Promise<{ error: unknown }>((resolve) => {
        timer = setTimeout(() => resolve({ error: new Error(`timed out after ${ms} ms`) }), ms);
      }),
    ]);
  } catch (error) {
    return { error };
  } finally {
    clearTimeout(timer);
  }
}

/** What `/ready` answers: each check bounded by `timeoutMs`, so a hung store makes the probe fail, not hang. */
export async function checkReadiness(deps: {
  db: TDb;
  pingRedis: () => Promise<unknown>;
  migrationsDir: string;
  timeoutMs?: number;
}): Promise<TReadiness> {
  const ms = deps.timeoutMs ?? 1_500;
  const [migrations, redis] = await Promise.all([
    settle(pendingMigrations(deps.db, deps.migrationsDir), ms),
    settle(deps.pingRedis(), ms),
  ]);
  const dbOk = 'value' in migrations;
  const redisOk = 'value' in redis && redis.value === 'PONG';
  const pending: TReadiness['migrations'] = !dbOk ? 'unknown' : migrations.value.length ? migrations.value : 'current';
  return { ok: dbOk && redisOk && pending === 'current', db: dbOk, redis: redisOk, migrations: pending };
}

export type TOutboxBacklog = { kind: string; pending: number; oldestSeconds: number }[];

/** Undelivered outbox rows by kind, and how long the oldest has waited (the metrics' backlog gauges). */
export async function outboxBacklog(sql: TSql): Promise<TOutboxBacklog> {
  const r = await sql.query<{ kind: string; pending: string; oldest: string | null }>(
    `SELECT kind, count(*) AS pending, extract(epoch FROM now() - min("createdAt")) AS oldest
       FROM "OutboxEvent" WHERE status = 'pending' GROUP BY kind`,
  );
  return r.rows.map((row) => ({
    kind: row.kind,
    pending: Number(row.pending),
    oldestSeconds: Number(row.oldest ?? 0),
  }));
}
