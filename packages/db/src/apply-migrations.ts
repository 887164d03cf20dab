// Applies the committed migrations (prisma/migrations/<timestamp>_<name>/migration.sql) the way `prisma migrate
// deploy` does, so a production image needs no Prisma CLI: same bookkeeping table and checksums (sha256 of the file),
// same advisory lock key (the two can never run at once), each migration in its own transaction, oldest first.
// A migration that failed earlier (a row never finished) stops everything until an operator resolves it.
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

const MIGRATION_DIR = /^\d{14}_[a-z0-9_]+$/;
/** The advisory lock key Prisma Migrate takes. */
const MIGRATE_LOCK = 72707369;

export type TMigrationResult = { applied: string[]; alreadyApplied: number };

export function shippedMigrations(migrationsDir: string): string[] {
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && MIGRATION_DIR.test(e.name))
    .map((e) => e.name)
    .sort();
}

export async function applyMigrations(
  databaseUrl: string,
  migrationsDir: string,
  onApplied: (name: string) => void = () => undefined,
): Promise<TMigrationResult> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'pocketping_migrate' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (id VARCHAR(36) PRIMARY KEY NOT NULL,
      checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ, migration_name VARCHAR(255) NOT NULL, logs TEXT,
      rolled_back_at TIMESTAMPTZ, started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      applied_steps_count INTEGER NOT NULL DEFAULT 0)`);
    const rows = await client.query<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      'SELECT migration_name, finished_at, rolled_back_at FROM "_prisma_migrations"',
    );
    const failed = rows.rows.filter((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed.length > 0) {
      throw new Error(
        `migration ${failed.map((r) => r.migration_name).join(', ')} failed earlier: fix the database, then mark it ` +
          'rolled back or applied (`prisma migrate resolve`) before migrating again',
      );
    }
    const done = new Set(rows.rows.filter((r) => r.finished_at !== null).map((r) => r.migration_name));
    const shipped = shippedMigrations(migrationsDir);
    const applied: string[] = [];
    for (const name of shipped.filter((m) => !done.has(m))) {
      const sql = readFileSync(path.join(migrationsDir, name, 'migration.sql'), 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations"(id, checksum, finished_at, migration_name, applied_steps_count)
           VALUES ($1, $2, now(), $3, 1)`,
          [randomUUID(), createHash('sha256').update(sql).digest('hex'), name],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${name} failed (nothing of it was applied): ${(err as Error).message}`);
      }
      applied.push(name);
      onApplied(name);
    }
    return { applied, alreadyApplied: shipped.length - applied.length };
  } finally {
    await client.end().catch(() => undefined);
  }
}
