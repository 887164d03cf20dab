// The plain node-postgres pool of the hot paths (worker drain, realtime send): a connection the server drops while
// it sits idle (PostgreSQL restarted, an administrator's pg_terminate_backend) is reported, not fatal, and the pool
// goes on with a new connection. node-postgres emits 'error' on the pool for it; with no listener the process dies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createSqlPool, type TSql } from '@pocketping/db';
import { createTestDatabase, waitFor, type TTestDatabase } from '@pocketping/testkit';

describe('createSqlPool', () => {
  let database: TTestDatabase;
  let sql: TSql;
  const errors: Error[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    sql = createSqlPool(database.url, { poolSize: 2, onError: (err) => errors.push(err) });
  });
  afterAll(async () => {
    await sql?.end();
    await database?.drop();
  });

  it('reports an idle connection terminated by the server and serves the next query on a new one', async () => {
    const before = (await sql.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      expect((await admin.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [before])).rows[0]!.ok).toBe(
        true,
      );
    } finally {
      await admin.end();
    }
    await waitFor(() => errors.length > 0, { what: 'pool error reported' });
    expect(errors[0]!.message).toMatch(/terminating connection/);
    const after = (await sql.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    expect(after).not.toBe(before);
  });
});
