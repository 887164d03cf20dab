import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createLogger,
  encryptSecret,
  generateEncryptionKey,
  parseKeyRing,
  randomToken,
  sha256,
} from '@pocketping/core';
import { createConnection, createDb, createOrganizationWithOwner, createProject, type TDb } from '@pocketping/db';
import { bullPrefix, createProducer, jobIds, QUEUES, type TProducer } from '@pocketping/jobs';
import { handleTelegramWebhook, MAX_WEBHOOK_BODY_BYTES, type TWebhookPorts } from '@pocketping/bridges';
import { createWebhookPorts } from './webhook-ports';

// Real Postgres (a fresh database, migrated with the Prisma CLI) and real Redis (a unique key prefix).
const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const PG_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = 'redis://127.0.0.1:6379';
// Long enough that the two webhooks after the held one are handled inside it even on a loaded machine.
const REORDER_WINDOW_MS = 5_000;

/** The slice of BullMQ's Queue this test reads. */
interface TQueueReader {
  getJob(id: string): Promise<{ name: string; data: unknown; remove(): Promise<void> } | undefined>;
  close(): Promise<void>;
}
// bullmq is a dependency of @pocketping/jobs, not of apps/web: load the very copy the producer uses.
const requireFromJobs = createRequire(new URL('../../../../../packages/jobs/package.json', import.meta.url));
const { Queue } = requireFromJobs('bullmq') as {
  Queue: new (name: string, opts: { connection: unknown; prefix: string }) => TQueueReader;
};

interface TTenant {
  organizationId: string;
  connectionId: string;
  secret: string;
}

const suffix = randomBytes(5).toString('hex');
const dbName = `pp_test_${suffix}`;
const redisPrefix = `pptest-web-${suffix}`;

let admin: TDb;
let db: TDb;
let producer: TProducer;
let queue: TQueueReader;
let deps: TWebhookPorts;
const portsWith = (p: Pick<TProducer, 'enqueueInbound'>) =>
  createWebhookPorts({ db, producer: p, log: createLogger('web-test', 'silent'), reorderWindowMs: REORDER_WINDOW_MS });
let tenantA: TTenant;
let tenantB: TTenant;

async function seedTenant(name: string): Promise<TTenant> {
  const ring = parseKeyRing(generateEncryptionKey());
  const { organization } = await createOrganizationWithOwner(db, {
    email: `${name}-${suffix}@example.test`,
    orgName: name,
  });
  const project = await createProject(db, organization.id, { name, allowedOrigins: ['http://localhost:3000'] });
  const secret = randomToken('', 32);
  const connection = await createConnection(db, organization.id, {
    projectId: project.id,
    kind: 'telegram',
    sealedCredentials: encryptSecret(
      ring,
      JSON.stringify({ botToken: `123456789:${randomToken('', 27)}`, webhookSecret: secret }),
    ),
    webhookSecretHash: sha256(secret),
    targetId: '-1001234567890',
  });
  return { organizationId: organization.id, connectionId: connection.id, secret };
}

function update(updateId: number): string {
  return JSON.stringify({
    update_id: updateId,
    message: {
      message_id: 7,
      message_thread_id: 42,
      is_topic_message: true,
      from: { id: 1001, is_bot: false, first_name: 'Sarah' },
      chat: { id: -1001234567890, type: 'supergroup', is_forum: true },
      date: 1_764_000_000,
      text: 'Hello from Telegram',
    },
  });
}

const countEvents = (connectionId: string) => db.inboundEvent.count({ where: { connectionId } });

beforeAll(async () => {
  admin = createDb(PG_ADMIN_URL, { poolSize: 1 });
  await admin.$executeRawUnsafe(`CREATE DATABASE "${dbName}"`);
  const databaseUrl = `postgresql://postgres@127.0.0.1:5432/${dbName}`;
  // The Prisma CLI lingers after it is done (a WebAssembly timer), hence the long timeout.
  execFileSync('pnpm', ['exec', 'prisma', 'migrate', 'deploy'], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: 'pipe',
    timeout: 170_000,
  });
  db = createDb(databaseUrl, { poolSize: 4 });
  producer = createProducer({ url: REDIS_URL, prefix: redisPrefix });
  queue = new Queue(QUEUES.inbound, {
    connection: producer.redis,
    prefix: bullPrefix({ url: REDIS_URL, prefix: redisPrefix }),
  });
  deps = portsWith(producer);
  tenantA = await seedTenant('Tenant A');
  tenantB = await seedTenant('Tenant B');
}, 180_000);

afterAll(async () => {
  await queue?.close();
  if (producer) {
    const keys = await producer.redis.keys(`${redisPrefix}:*`);
    if (keys.length > 0) await producer.redis.del(...keys);
    await producer.close();
  }
  await db?.$disconnect();
  if (admin) {
    await admin.$executeRawUnsafe(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.$disconnect();
  }
}, 60_000);

describe('handleTelegramWebhook', () => {
  it('refuses a missing or wrong secret with 401 and stores nothing', async () => {
    const missing = await handleTelegramWebhook(deps, {
      connectionId: tenantA.connectionId,
      secretHeader: null,
      rawBody: update(1),
    });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ error: { code: 'unauthorized' } });

    const wrong = await handleTelegramWebhook(deps, {
      connectionId: tenantA.connectionId,
      secretHeader: 'not-the-secret',
      rawBody: update(1),
    });
    expect(wrong.status).toBe(401);

    const malformedSecret = await handleTelegramWebhook(deps, {
      connectionId: tenantA.connectionId,
      secretHeader: 'bad secret!',
      rawBody: update(1),
    });
    expect(malformedSecret.status).toBe(401);

    expect(await countEvents(tenantA.connectionId)).toBe(0);
  });

  it('checks the secret before the body: a wrong secret with a broken body is still 401', async () => {
    const res = await handleTelegramWebhook(deps, {
      connectionId: tenantA.connectionId,
      secretHeader: 'wrong',
      rawBody: '{not json',
    });
    expect(res.status).toBe(401);
  });

  it('answers 404 for an unknown or malformed connection id', async () => {
    const unknown = await handleTelegramWebhook(deps, {
      connectionId: 'cm0000000000000000000000',
      secretHeader: tenantA.secret,
      rawBody: update(1),
    });
    expect(unknown).toEqual({ status: 404, body: { error: { code: 'not_found', message: 'Unknown webhook' } } });

    const malformed = await handleTelegramWebhook(deps, {
      connectionId: '../../etc/passwd',
      secretHeader: tenantA.secret,
      rawBody: update(1),
    });
    expect(malformed.status).toBe(404);
  });

  it('answers 404 for a connection of another platform', async () => {
    const ring = parseKeyRing(generateEncryptionKey());
    const project = await db.project.findFirstOrThrow({ where: { organizationId: tenantA.organizationId } });
    const secret = randomToken('', 16);
    const discord = await createConnection(db, tenantA.organizationId, {
      projectId: project.id,
      kind: 'discord',
      sealedCredentials: encryptSecret(ring, '{}'),
      webhookSecretHash: sha256(secret),
      targetId: '123',
    });
    const res = await handleTelegramWebhook(deps, {
      connectionId: discord.id,
      secretHeader: secret,
      rawBody: update(1),
    });
    expect(res.status).toBe(404);
  });

  it('answers 400 for a body that is not JSON or not a Telegram update', async () => {
    const notJson = await handleTelegramWebhook(deps, {
      connectionId: tenantA.connectionId,
      secretHeader: tenantA.secret,
      rawBody: '{"update_id": 1,',
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ error: { code: 'bad_request' } });

    const notUpdate = await handleTelegramWebhook(deps, {
      connectionId: tenantA.connectionId,
      secretHeader: tenantA.secret,
      rawBody: '{"hello":"world"}',
    });
    expect(notUpdate.status).toBe(400);

    expect(await countEvents(tenantA.connectionId)).toBe(0);
  });

  it('answers 413 for a body over 1 MB', async () => {
    const rawBody = JSON.stringify({ update_id: 5, pad: 'x'.repeat(MAX_WEBHOOK_BODY_BYTES) });
    const res = await handleTelegramWebhook(deps, {
      connectionId: tenantA.connectionId,
      secretHeader: tenantA.secret,
      rawBody,
    });
    expect(res.status).toBe(413);
    expect(await countEvents(tenantA.connectionId)).toBe(0);
  });

  it('stores a valid update once, enqueues one job, and answers a redelivery as a duplicate', async () => {
    const first = await handleTelegramWebhook(deps, {
      connectionId: tenantA.connectionId,
      secretHeader: tenantA.secret,
      rawBody: update(1000),
    });
    expect(first).toEqual({ status: 200, body: { ok: true } });

    const rows = await db.inboundEvent.findMany({ where: { connectionId: tenantA.connectionId } });
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({ organizationId: tenantA.organizationId, externalId: '1000', status: 'pending' });
    expect(row.payload).toMatchObject({ update_id: 1000, message: { text: 'Hello from Telegram' } });

    const job = await queue.getJob(jobIds.inbound(row.id));
    expect(job?.name).toBe('bridge.inbound');
    expect(job?.data).toEqual({ organizationId: tenantA.organizationId, inboundEventId: row.id });

    const again = await handleTelegramWebhook(deps, {
      connectionId: tenantA.connectionId,
      secretHeader: tenantA.secret,
      rawBody: update(1000),
    });
    expect(again).toEqual({ status: 200, body: { ok: true, duplicate: true } });
    expect(await countEvents(tenantA.connectionId)).toBe(1);
  });

  it('stores each update with its topic and update_id order; holds one back only while the update before it is missing', async () => {
    const at = Date.now();
    // 3001 arrives first (3000 is still in flight): held back for the reorder window.
    await handleTelegramWebhook(deps, {
      connectionId: tenantA.connectionId,
      secretHeader: tenantA.secret,
      rawBody: update(3001),
    });
    // 3000 then arrives, and so does 3002 whose predecessor is already here: neither waits.
    await handleTelegramWebhook(deps, {
      connectionId: tenantA.connectionId,
      secretHeader: tenantA.secret,
      rawBody: update(3000),
    });
    await handleTelegramWebhook(deps, {
      connectionId: tenantA.connectionId,
      secretHeader: tenantA.secret,
      rawBody: update(3002),
    });
    const rows = await db.inboundEvent.findMany({
      where: { connectionId: tenantA.connectionId, externalId: { in: ['3000', '3001', '3002'] } },
    });
    const by = new Map(rows.map((r) => [r.externalId, r]));
    for (const r of rows) expect(r.groupKey).toBe('-1001234567890/42');
    // Fixed-width keys: '3002' sorts after '3001' and before '10000' as text too.
    expect(by.get('3001')!.orderKey < by.get('3002')!.orderKey).toBe(true);
    expect(by.get('3001')!.orderKey.length).toBe(24);
    expect(by.get('3001')!.readyAt.getTime()).toBeGreaterThanOrEqual(at + REORDER_WINDOW_MS);
    expect(by.get('3002')!.readyAt.getTime()).toBeLessThan(by.get('3001')!.readyAt.getTime());
    expect(by.get('3002')!.readyAt.getTime() - by.get('3002')!.createdAt.getTime()).toBeLessThan(50);
  });

  it('re-enqueues a duplicate whose stored event is still pending (its first enqueue was lost)', async () => {
    await handleTelegramWebhook(deps, {
      connectionId: tenantA.connectionId,
      secretHeader: tenantA.secret,
      rawBody: update(2000),
    });
    const row = await db.inboundEvent.findFirstOrThrow({
      where: { connectionId: tenantA.connectionId, externalId: '2000' },
    });
    const jobId = jobIds.inbound(row.id);
    // Simulate the lost job: remove it from Redis.
    await (await queue.getJob(jobId))?.remove();
    expect(await queue.getJob(jobId)).toBeUndefined();

    const redelivery = await handleTelegramWebhook(deps, {
      connectionId: tenantA.connectionId,
      secretHeader: tenantA.secret,
      rawBody: update(2000),
    });
    expect(redelivery).toEqual({ status: 200, body: { ok: true, duplicate: true } });
    expect(await queue.getJob(jobId)).toBeDefined();

    // Once processed, a redelivery is acknowledged without a new job.
    await db.inboundEvent.update({ where: { id: row.id }, data: { status: 'done' } });
    await (await queue.getJob(jobId))?.remove();
    await handleTelegramWebhook(deps, {
      connectionId: tenantA.connectionId,
      secretHeader: tenantA.secret,
      rawBody: update(2000),
    });
    expect(await queue.getJob(jobId)).toBeUndefined();
  });

  it("never accepts one tenant's secret for another tenant's connection", async () => {
    const before = await countEvents(tenantA.connectionId);
    const aWithB = await handleTelegramWebhook(deps, {
      connectionId: tenantA.connectionId,
      secretHeader: tenantB.secret,
      rawBody: update(3000),
    });
    expect(aWithB.status).toBe(401);
    const bWithA = await handleTelegramWebhook(deps, {
      connectionId: tenantB.connectionId,
      secretHeader: tenantA.secret,
      rawBody: update(3000),
    });
    expect(bWithA.status).toBe(401);
    expect(await countEvents(tenantA.connectionId)).toBe(before);
    expect(await countEvents(tenantB.connectionId)).toBe(0);

    // The same update_id on tenant B's own connection is B's event, not a duplicate of anything in A.
    const bOwn = await handleTelegramWebhook(deps, {
      connectionId: tenantB.connectionId,
      secretHeader: tenantB.secret,
      rawBody: update(1000),
    });
    expect(bOwn).toEqual({ status: 200, body: { ok: true } });
    const bRow = await db.inboundEvent.findFirstOrThrow({ where: { connectionId: tenantB.connectionId } });
    expect(bRow.organizationId).toBe(tenantB.organizationId);
  });

  it('still answers 200 when Redis is unreachable: the row is stored for the sweeper', async () => {
    // A real producer pointed at a port where no Redis listens.
    const deadProducer = createProducer({ url: 'redis://127.0.0.1:1', prefix: redisPrefix });
    deadProducer.redis.on('error', () => undefined);
    // BullMQ prints every connection error of a Queue without an 'error' listener; expected here, so kept quiet.
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const started = Date.now();
      const res = await handleTelegramWebhook(portsWith(deadProducer), {
        connectionId: tenantA.connectionId,
        secretHeader: tenantA.secret,
        rawBody: update(4000),
      });
      expect(res).toEqual({ status: 200, body: { ok: true } });
      expect(Date.now() - started).toBeLessThan(5_000);
      const row = await db.inboundEvent.findFirstOrThrow({
        where: { connectionId: tenantA.connectionId, externalId: '4000' },
      });
      expect(row.status).toBe('pending');
    } finally {
      await deadProducer.close();
      quiet.mockRestore();
    }
  });
});
