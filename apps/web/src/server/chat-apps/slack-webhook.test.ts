import { createHmac, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger, encryptSecret, generateEncryptionKey, parseKeyRing } from '@pocketping/core';
import { createConnection, createDb, createOrganizationWithOwner, createProject, type TDb } from '@pocketping/db';
import { bullPrefix, createProducer, jobIds, QUEUES, type TProducer } from '@pocketping/jobs';
import { handleSlackEvents, MAX_SLACK_EVENT_BYTES, type TSlackWebhookDeps } from '@pocketping/bridges';
import { createWebhookPorts } from './webhook-ports';

// Real Postgres (a fresh database with the committed migrations) and real Redis (a unique key prefix).
const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const PG_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = 'redis://127.0.0.1:6379';

interface TQueueReader {
  getJob(id: string): Promise<{ name: string; data: unknown; remove(): Promise<void> } | undefined>;
  close(): Promise<void>;
}
// bullmq is loaded from @pocketping/jobs, the very copy the producer uses.
const requireFromJobs = createRequire(new URL('../../../../../packages/jobs/package.json', import.meta.url));
const { Queue } = requireFromJobs('bullmq') as {
  Queue: new (name: string, opts: { connection: unknown; prefix: string }) => TQueueReader;
};

const SIGNING_SECRET = randomBytes(16).toString('hex');
const suffix = randomBytes(5).toString('hex');
const dbName = `pp_test_slackweb_${suffix}`;
const redisPrefix = `pptest-slackweb-${suffix}`;

let db: TDb;
let producer: TProducer;
let queue: TQueueReader;
let deps: TSlackWebhookDeps;
const portsWith = (p: Pick<TProducer, 'enqueueInbound'>) =>
  createWebhookPorts({ db, producer: p, log: createLogger('web-test', 'silent'), reorderWindowMs: 250 });

interface TTenant {
  organizationId: string;
  connectionId: string;
  teamId: string;
  channel: string;
}
let tenantA: TTenant;
let tenantB: TTenant;

async function migrate(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const dir = path.join(REPO_ROOT, 'prisma/migrations');
    for (const m of readdirSync(dir)
      .filter((d) => /^\d+_/.test(d))
      .sort())
      await client.query(readFileSync(path.join(dir, m, 'migration.sql'), 'utf8'));
  } finally {
    await client.end();
  }
}

async function seedTenant(name: string, teamId: string, channel: string): Promise<TTenant> {
  const ring = parseKeyRing(generateEncryptionKey());
  const { organization } = await createOrganizationWithOwner(db, {
    email: `${name.replace(/\s/g, '')}-${suffix}@example.test`,
    orgName: name,
  });
  const project = await createProject(db, organization.id, { name, allowedOrigins: ['http://localhost:3000'] });
  const connection = await createConnection(db, organization.id, {
    projectId: project.id,
    kind: 'slack',
    sealedCredentials: encryptSecret(
      ring,
      JSON.stringify({ botToken: 'xoxb-1-2-abcdefghijkl', teamId, botUserId: 'UBOT0001' }),
    ),
    targetId: channel,
    targetScope: teamId,
  });
  return { organizationId: organization.id, connectionId: connection.id, teamId, channel };
}

function eventBody(t: Pick<TTenant, 'teamId' | 'channel'>, eventId: string, text = 'Hello from Slack'): string {
  return JSON.stringify({
    token: 'legacy',
    team_id: t.teamId,
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: eventId,
    event_time: 1_764_000_000,
    event: {
      type: 'message',
      channel: t.channel,
      user: 'U0SARAH',
      text,
      ts: '1764000001.000100',
      thread_ts: '1764000000.000100',
      event_ts: '1764000001.000100',
      channel_type: 'channel',
    },
  });
}

/** Signs like Slack: v0=hex(HMAC-SHA256(secret, "v0:" + ts + ":" + body)). */
function signed(rawBody: string, opts: { secret?: string; ts?: number; retryNum?: string } = {}) {
  const ts = String(opts.ts ?? Math.floor(Date.now() / 1000));
  const sig = `v0=${createHmac('sha256', opts.secret ?? SIGNING_SECRET)
    .update(`v0:${ts}:${rawBody}`)
    .digest('hex')}`;
  return { rawBody, timestampHeader: ts, signatureHeader: sig, retryNumHeader: opts.retryNum ?? null };
}

const countEvents = (connectionId: string) => db.inboundEvent.count({ where: { connectionId } });

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const databaseUrl = `postgresql://postgres@127.0.0.1:5432/${dbName}`;
  await migrate(databaseUrl);
  db = createDb(databaseUrl, { poolSize: 4 });
  producer = createProducer({ url: REDIS_URL, prefix: redisPrefix });
  queue = new Queue(QUEUES.inbound, {
    connection: producer.redis,
    prefix: bullPrefix({ url: REDIS_URL, prefix: redisPrefix }),
  });
  deps = { ...portsWith(producer), signingSecret: SIGNING_SECRET };
  tenantA = await seedTenant('Tenant A', 'T0AAAA', 'C0AAAA');
  // Same workspace, another channel, another tenant: events must land with the channel's owner only.
  tenantB = await seedTenant('Tenant B', 'T0AAAA', 'C0BBBB');
}, 120_000);

afterAll(async () => {
  await queue?.close();
  if (producer) {
    const keys = await producer.redis.keys(`${redisPrefix}:*`);
    if (keys.length > 0) await producer.redis.del(...keys);
    await producer.close();
  }
  await db?.$disconnect();
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.end();
}, 60_000);

describe('handleSlackEvents', () => {
  it('answers url_verification with the challenge, only when signed', async () => {
    const body = JSON.stringify({
      token: 'legacy',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    });
    expect(await handleSlackEvents(deps, signed(body))).toEqual({
      status: 200,
      body: { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' },
    });
    const unsigned = await handleSlackEvents(deps, {
      rawBody: body,
      timestampHeader: null,
      signatureHeader: null,
      retryNumHeader: null,
    });
    expect(unsigned.status).toBe(401);
  });

  it('refuses a wrong secret, a tampered body and a stale timestamp with 401, storing nothing', async () => {
    const body = eventBody(tenantA, 'EvBAD1');
    expect((await handleSlackEvents(deps, signed(body, { secret: 'another-app-secret-000000' }))).status).toBe(401);
    const ok = signed(body);
    expect((await handleSlackEvents(deps, { ...ok, rawBody: body.replace('Hello', 'Hallo') })).status).toBe(401);
    const stale = await handleSlackEvents(deps, signed(body, { ts: Math.floor(Date.now() / 1000) - 6 * 60 }));
    expect(stale.status).toBe(401);
    expect(stale.body).toMatchObject({
      error: { code: 'unauthorized', message: expect.stringContaining('5 minutes') },
    });
    expect(await countEvents(tenantA.connectionId)).toBe(0);
  });

  it('checks the signature before the body: an unsigned broken body is still 401', async () => {
    expect(
      (
        await handleSlackEvents(deps, {
          rawBody: '{not json',
          timestampHeader: '1',
          signatureHeader: 'v0=00',
          retryNumHeader: null,
        })
      ).status,
    ).toBe(401);
  });

  it('answers 503 when no signing secret is configured', async () => {
    const res = await handleSlackEvents({ ...deps, signingSecret: undefined }, signed(eventBody(tenantA, 'EvX')));
    expect(res.status).toBe(503);
  });

  it('answers 400 for signed garbage and 413 for an oversize body', async () => {
    expect((await handleSlackEvents(deps, signed('{"type":'))).status).toBe(400);
    expect(
      (await handleSlackEvents(deps, signed(JSON.stringify({ type: 'event_callback', team_id: 'T0AAAA' })))).status,
    ).toBe(400);
    const big = JSON.stringify({ type: 'event_callback', pad: 'x'.repeat(MAX_SLACK_EVENT_BYTES) });
    expect((await handleSlackEvents(deps, signed(big))).status).toBe(413);
    expect(await countEvents(tenantA.connectionId)).toBe(0);
  });

  it('stores an event for the connection of its (team, channel), enqueues one job, and answers a redelivery as a duplicate', async () => {
    const body = eventBody(tenantA, 'Ev0100');
    expect(await handleSlackEvents(deps, signed(body))).toEqual({ status: 200, body: { ok: true } });
    const rows = await db.inboundEvent.findMany({ where: { connectionId: tenantA.connectionId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ organizationId: tenantA.organizationId, externalId: 'Ev0100', status: 'pending' });
    expect(rows[0]!.payload).toMatchObject({ event: { text: 'Hello from Slack', thread_ts: '1764000000.000100' } });
    const job = await queue.getJob(jobIds.inbound(rows[0]!.id));
    expect(job?.data).toEqual({ organizationId: tenantA.organizationId, inboundEventId: rows[0]!.id });

    // Slack's retry after a slow answer: same event_id, X-Slack-Retry-Num: 1.
    expect(await handleSlackEvents(deps, signed(body, { retryNum: '1' }))).toEqual({
      status: 200,
      body: { ok: true, duplicate: true },
    });
    expect(await handleSlackEvents(deps, signed(body, { retryNum: '2' }))).toEqual({
      status: 200,
      body: { ok: true, duplicate: true },
    });
    expect(await countEvents(tenantA.connectionId)).toBe(1);
    // Tenant B shares the workspace but not the channel: it got nothing.
    expect(await countEvents(tenantB.connectionId)).toBe(0);
  });

  it('keeps a retry whose first attempt was never stored (the retry is the only copy)', async () => {
    const res = await handleSlackEvents(deps, signed(eventBody(tenantB, 'Ev0200'), { retryNum: '1' }));
    expect(res).toEqual({ status: 200, body: { ok: true } });
    expect(
      await db.inboundEvent.count({
        where: { connectionId: tenantB.connectionId, externalId: 'Ev0200', organizationId: tenantB.organizationId },
      }),
    ).toBe(1);
  });

  it('re-enqueues a duplicate whose event is still pending (its first enqueue was lost)', async () => {
    const body = eventBody(tenantA, 'Ev0300');
    await handleSlackEvents(deps, signed(body));
    const row = await db.inboundEvent.findFirstOrThrow({
      where: { connectionId: tenantA.connectionId, externalId: 'Ev0300' },
    });
    await (await queue.getJob(jobIds.inbound(row.id)))?.remove();
    await handleSlackEvents(deps, signed(body, { retryNum: '1' }));
    expect(await queue.getJob(jobIds.inbound(row.id))).toBeDefined();
  });

  it('app_uninstalled (no channel) is stored for every connection of the workspace, and only there', async () => {
    const other = await seedTenant('Tenant C', 'T0CCCC', 'C0CCCC');
    const body = JSON.stringify({
      token: 'legacy',
      team_id: 'T0AAAA',
      api_app_id: 'A0APP',
      type: 'event_callback',
      event_id: 'Ev0600',
      event_time: 1_764_000_000,
      event: { type: 'app_uninstalled', event_ts: '1764000002.000100' },
    });
    expect(await handleSlackEvents(deps, signed(body))).toEqual({ status: 200, body: { ok: true } });
    for (const t of [tenantA, tenantB]) {
      const row = await db.inboundEvent.findFirstOrThrow({
        where: { organizationId: t.organizationId, connectionId: t.connectionId, externalId: 'Ev0600' },
      });
      expect(await queue.getJob(jobIds.inbound(row.id))).toBeDefined();
    }
    expect(await db.inboundEvent.count({ where: { connectionId: other.connectionId } })).toBe(0);
    // tokens_revoked too; a channel-less event of another type is still only acknowledged.
    const revoked = JSON.stringify({
      token: 'legacy',
      team_id: 'T0CCCC',
      api_app_id: 'A0APP',
      type: 'event_callback',
      event_id: 'Ev0601',
      event_time: 1,
      event: { type: 'tokens_revoked', tokens: { bot: ['UBOT0001'] } },
    });
    expect(await handleSlackEvents(deps, signed(revoked))).toEqual({ status: 200, body: { ok: true } });
    expect(await db.inboundEvent.count({ where: { connectionId: other.connectionId, externalId: 'Ev0601' } })).toBe(1);
    const teamJoin = JSON.stringify({
      token: 'legacy',
      team_id: 'T0CCCC',
      api_app_id: 'A0APP',
      type: 'event_callback',
      event_id: 'Ev0602',
      event_time: 1,
      event: { type: 'team_join' },
    });
    expect(await handleSlackEvents(deps, signed(teamJoin))).toMatchObject({
      status: 200,
      body: { ignored: 'event without a channel' },
    });
  });

  it('acknowledges events of channels nobody connected, and envelope types it does not handle, without storing', async () => {
    const before = await db.inboundEvent.count();
    expect(
      await handleSlackEvents(deps, signed(eventBody({ teamId: 'T0OTHER', channel: 'C0AAAA' }, 'Ev0400'))),
    ).toMatchObject({ status: 200, body: { ignored: 'no connection for this channel' } });
    expect(
      await handleSlackEvents(
        deps,
        signed(JSON.stringify({ type: 'app_rate_limited', team_id: 'T0AAAA', minute_rate_limited: 1 })),
      ),
    ).toMatchObject({ status: 200 });
    expect(await db.inboundEvent.count()).toBe(before);
  });

  it('still answers 200 quickly when Redis is unreachable: the row waits for the sweeper', async () => {
    const deadProducer = createProducer({ url: 'redis://127.0.0.1:1', prefix: redisPrefix });
    deadProducer.redis.on('error', () => undefined);
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const started = Date.now();
      const res = await handleSlackEvents(
        { ...portsWith(deadProducer), signingSecret: SIGNING_SECRET },
        signed(eventBody(tenantA, 'Ev0500')),
      );
      expect(res).toEqual({ status: 200, body: { ok: true } });
      // Slack's budget is 3 s.
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(
        (
          await db.inboundEvent.findFirstOrThrow({
            where: { connectionId: tenantA.connectionId, externalId: 'Ev0500' },
          })
        ).status,
      ).toBe('pending');
    } finally {
      await deadProducer.close();
      quiet.mockRestore();
    }
  });
});
