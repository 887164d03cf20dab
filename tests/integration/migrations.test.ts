// `prisma migrate deploy` (the real CLI, WebAssembly engine) on an empty database creates the whole schema.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_DATABASE_URL, REPO_ROOT } from '@pocketping/testkit';

const exec = promisify(execFile);
const name = `pp_migrate_${randomBytes(4).toString('hex')}`;
const url = `postgresql://postgres@127.0.0.1:5432/${name}`;

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

describe('migrations', () => {
  afterAll(async () => {
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it('migrate deploy on an empty database creates every table, with tenant-scoped keys', async () => {
    await admin(`CREATE DATABASE "${name}"`);
    const { stdout } = await exec(path.join(REPO_ROOT, 'node_modules/.bin/prisma'), ['migrate', 'deploy'], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: url },
      timeout: 150_000,
    });
    expect(stdout).toMatch(/successfully applied|No pending migrations/i);

    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const tables = (
        await c.query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
        )
      ).rows.map((r) => r.table_name);
      for (const t of [
        'User',
        'Account',
        'Session',
        'VerificationToken',
        'Organization',
        'Membership',
        'Project',
        'BridgeConnection',
        'Visitor',
        'Conversation',
        'Message',
        'BridgeThread',
        'BridgeMessage',
        'OutboxEvent',
        'InboundEvent',
        'ApiKey',
        'AuditLog',
      ]) {
        expect(tables).toContain(t);
      }
      // Every tenant table carries organizationId itself.
      const withOrg = (
        await c.query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.columns WHERE table_schema='public' AND column_name='organizationId'`,
        )
      ).rows.map((r) => r.table_name);
      for (const t of [
        'Membership',
        'Project',
        'BridgeConnection',
        'Visitor',
        'Conversation',
        'Message',
        'BridgeThread',
        'BridgeMessage',
        'OutboxEvent',
        'InboundEvent',
        'ApiKey',
        'AuditLog',
      ]) {
        expect(withOrg).toContain(t);
      }
      // The database refuses a message whose tenant differs from its conversation's (compound foreign key).
      await c.query(
        `INSERT INTO "Organization"(id,name,slug,"updatedAt") VALUES ('orga','A','a',now()),('orgb','B','b',now())`,
      );
      await c.query(
        `INSERT INTO "Project"(id,"organizationId",name,"publicKey","allowedOrigins","updatedAt") VALUES ('pa','orga','P','pk_a','{}',now())`,
      );
      await c.query(`INSERT INTO "Visitor"(id,"organizationId","projectId","tokenHash") VALUES ('va','orga','pa','h')`);
      await c.query(
        `INSERT INTO "Conversation"(id,"organizationId","projectId","visitorId","updatedAt") VALUES ('ca','orga','pa','va',now())`,
      );
      await expect(
        c.query(
          `INSERT INTO "Message"(id,"organizationId","conversationId",seq,sender,body,source) VALUES ('m1','orgb','ca',1,'visitor','x','widget')`,
        ),
      ).rejects.toThrow(/foreign key/);
      await c.query(
        `INSERT INTO "Message"(id,"organizationId","conversationId",seq,sender,body,source) VALUES ('m1','orga','ca',1,'visitor','x','widget')`,
      );
      await expect(
        c.query(
          `INSERT INTO "Message"(id,"organizationId","conversationId",seq,sender,body,source) VALUES ('m2','orga','ca',1,'visitor','y','widget')`,
        ),
      ).rejects.toThrow(/unique/);
      // The storage meter's trigger came through `migrate deploy` whole: it follows inserts and deletes.
      const meter = async () =>
        (
          await c.query<{ usedBytes: string }>(
            `SELECT "usedBytes" FROM "OrganizationStorage" WHERE "organizationId" = 'orga'`,
          )
        ).rows[0]?.usedBytes;
      await c.query(
        `INSERT INTO "Attachment"(id,"organizationId","conversationId","uploadedBy",name,"contentType",size,sha256,"storageKey") VALUES ('a1','orga','ca','visitor','f','text/plain',700,'x','k1'),('a2','orga','ca','visitor','g','text/plain',300,'y','k2')`,
      );
      expect(await meter()).toBe('1000');
      await c.query(`DELETE FROM "Attachment" WHERE id = 'a1'`);
      expect(await meter()).toBe('300');
      // The outbound webhooks' trigger came through whole too: a delivery row announces itself at commit.
      await c.query(`LISTEN pp_webhook_delivery`);
      const heard = new Promise<string>((resolve) => c.once('notification', (n) => resolve(n.payload ?? '')));
      await c.query(
        `INSERT INTO "WebhookEndpoint"(id,"organizationId","projectId",url,events,secret,"updatedAt") VALUES ('we','orga','pa','https://hooks.test/','{message.created}','s',now())`,
      );
      await c.query(
        `INSERT INTO "WebhookDelivery"(id,"organizationId","projectId","endpointId","eventId","eventType","groupKey",payload) VALUES ('wd','orga','pa','we','msg_1','message.created','ca','{}')`,
      );
      expect(await heard).toBe('orga wd we ca');
    } finally {
      await c.end();
    }
  }, 180_000);
});

describe('pocketping migrate (the production migration job, no Prisma CLI)', () => {
  const own = `pp_migrate_own_${randomBytes(4).toString('hex')}`;
  const ownUrl = `postgresql://postgres@127.0.0.1:5432/${own}`;
  afterAll(async () => {
    await admin(`DROP DATABASE IF EXISTS "${own}" WITH (FORCE)`);
  });

  it('applies every migration once, and Prisma then finds nothing to apply (same bookkeeping and checksums)', async () => {
    await admin(`CREATE DATABASE "${own}"`);
    const cli = (args: string[]) =>
      exec(process.execPath, ['--import', 'tsx', 'apps/cli/src/index.ts', ...args], {
        cwd: REPO_ROOT,
        env: { ...process.env, DATABASE_URL: ownUrl, POCKETPING_ENV_FILE: 'none' },
        timeout: 120_000,
      });
    const shipped = (await import('node:fs'))
      .readdirSync(path.join(REPO_ROOT, 'prisma/migrations'))
      .filter((d) => /^\d{14}_/.test(d));
    const first = await cli(['migrate']);
    expect(first.stdout).toContain(`${shipped.length} applied, 0 already applied`);
    const again = await cli(['migrate']);
    expect(again.stdout).toContain(`0 applied, ${shipped.length} already applied`);

    const { stdout } = await exec(path.join(REPO_ROOT, 'node_modules/.bin/prisma'), ['migrate', 'deploy'], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: ownUrl },
      timeout: 150_000,
    });
    expect(stdout).toMatch(/No pending migrations to apply/i);
  }, 240_000);
});
