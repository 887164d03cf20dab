// The operator CLI as a real process: doctor and bootstrap, their output and exit codes.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  TEST_REDIS_URL,
  createTestDatabase,
  startFakeTelegram,
  testEncryptionKey,
  type TTestDatabase,
} from '@pocketping/testkit';

const exec = promisify(execFile);

async function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(
      path.join(REPO_ROOT, 'node_modules/.bin/tsx'),
      [path.join(REPO_ROOT, 'apps/cli/src/index.ts'), ...args],
      {
        cwd: '/tmp',
        // A developer's .env must not leak into the test.
        env: { PATH: process.env.PATH ?? '', HOME: '/tmp', POCKETPING_ENV_FILE: 'none', ...env },
        timeout: 60_000,
      },
    );
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('pocketping CLI', () => {
  let database: TTestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase('pp_cli');
    env = {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      ENCRYPTION_KEY: testEncryptionKey(),
      AUTH_SECRET: 'x'.repeat(40),
      WEB_PUBLIC_URL: 'http://127.0.0.1:3999',
      REALTIME_PUBLIC_URL: 'http://127.0.0.1:3998',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
    };
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('bootstrap prints the new tenant as JSON, with a key that only exists hashed in the database', async () => {
    const r = await cli(
      ['bootstrap', '--email', 'Owner@Example.com', '--org', 'Acme', '--origin', 'https://acme.example/path'],
      env,
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      user: { email: string };
      organization: { id: string };
      project: { publicKey: string; allowedOrigins: string[] };
      apiKey: { key: string };
    };
    expect(out.user.email).toBe('owner@example.com');
    expect(out.project.publicKey).toMatch(/^pk_/);
    expect(out.project.allowedOrigins).toEqual(['https://acme.example']);
    expect(out.apiKey.key).toMatch(/^ppk_/);
    expect(out.organization.id).not.toMatch(/^\d+$/);
  });

  it('bootstrap refuses bad input with a clear message and writes nothing', async () => {
    expect(await cli(['bootstrap', '--org', 'Acme'], env)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--email is required/),
    });
    expect(await cli(['bootstrap', '--email', 'not-an-email', '--org', 'Acme'], env)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--email must be an email/),
    });
    expect(
      await cli(['bootstrap', '--email', 'a@b.co', '--org', 'Acme', '--telegram-token', '1:abc'], env),
    ).toMatchObject({ code: 2, stderr: expect.stringMatching(/go together/) });
    // The bot is checked before anything is written: an unreachable Telegram fails the command.
    const r = await cli(
      [
        'bootstrap',
        '--email',
        'a@b.co',
        '--org',
        'Ghost',
        '--telegram-token',
        '123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        '--telegram-chat=-1001',
      ],
      env,
    );
    expect(r.code).toBe(1);
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    const orgs = await c.query(`SELECT name FROM "Organization" WHERE name = 'Ghost'`);
    await c.end();
    expect(orgs.rowCount).toBe(0);
  });

  it('bootstrap with a Telegram bot whose webhook Telegram refuses (http:// URL) still creates the tenant, on long polling, named after the group', async () => {
    const telegram = await startFakeTelegram();
    try {
      const token = '424242:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
      telegram.addBot(token);
      const chat = telegram.addForumChat({ title: 'Support' }).id;
      // What the real API answers for a non-HTTPS URL.
      telegram.failNext('setWebhook', {
        errorCode: 400,
        description: 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook',
      });
      const r = await cli(
        ['bootstrap', '--email', 'tg@b.co', '--org', 'Polling', '--telegram-token', token, `--telegram-chat=${chat}`],
        { ...env, TELEGRAM_API_ROOT: telegram.apiRoot },
      );
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/warning: Telegram refused the webhook .*HTTPS URL must be provided.*long polling/);
      const out = JSON.parse(r.stdout) as {
        telegram: { connectionId: string; webhookUrl: string | null; updates: string; warning?: string };
      };
      expect(out.telegram).toMatchObject({
        webhookUrl: null,
        updates: 'long polling',
        warning: expect.stringMatching(/HTTPS/),
      });
      expect(out.telegram.connectionId).toMatch(/^c[a-z0-9]{20,}$/);
      expect(telegram.webhookOf(token)).toBeFalsy();
      // The group's title, read by the check, is what the dashboard shows for the connection.
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: database.url });
      await c.connect();
      const row = await c.query<{ targetName: string | null }>(
        `SELECT "targetName" FROM "BridgeConnection" WHERE id = $1`,
        [out.telegram.connectionId],
      );
      await c.end();
      expect(row.rows[0]?.targetName).toBe('Support');
    } finally {
      await telegram.close();
    }
  });

  it('doctor passes with a complete env and names what is missing otherwise', async () => {
    const ok = await cli(['doctor'], { ...env, SMTP_URL: 'smtp://127.0.0.1:9' });
    expect(ok.stdout).toMatch(/ok\s+postgres/);
    expect(ok.stdout).toMatch(/ok\s+redis/);
    expect(ok.stdout).toMatch(/ok\s+migrations/);
    expect(ok.stdout).toMatch(/warn\s+telegram API/);
    expect(ok.code).toBe(0);
    const bad = await cli(['doctor'], { DATABASE_URL: env.DATABASE_URL!, REDIS_URL: env.REDIS_URL! });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL\s+env ENCRYPTION_KEY\s+missing/);
    expect(bad.stdout).toMatch(/FAIL\s+env AUTH_SECRET\s+missing/);
  });

  it('doctor in cluster mode fails, naming why, when the cluster cannot be reached or its nodes are not given', async () => {
    const down = await cli(['doctor'], { ...env, REDIS_CLUSTER: 'on', REDIS_CLUSTER_NODES: '127.0.0.1:9' });
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/FAIL\s+redis cluster\s+cannot connect/);
    const noNodes = await cli(['doctor'], { ...env, REDIS_CLUSTER: 'on' });
    expect(noNodes.code).toBe(1);
    expect(noNodes.stdout).toMatch(/FAIL\s+redis\s+REDIS_CLUSTER=on needs REDIS_CLUSTER_NODES/);
  });

  it('unknown commands print the usage and exit 2', async () => {
    const r = await cli(['frobnicate'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Usage: pnpm pocketping/);
  });
});
