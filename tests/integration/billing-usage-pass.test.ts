// The worker's usage pass against real Postgres + Redis and a real SMTP capture: a downgrade pauses what is beyond the
// plan (never deletes), paused chat apps get no deliveries, an upgrade brings them back, the owner's choice is kept;
// the 80 % and 100 % emails go out once per month and limit; counters are rebuilt from Postgres, per tenant.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, encryptSecret, parseKeyRing } from '@pocketping/core';
import { createLimits, usagePeriod, type TLimits, type TPlanId } from '@pocketping/billing';
import {
  appendMessage,
  bootstrapTenant,
  createConnection,
  createDb,
  createLimitsStore,
  createProject,
  createVisitor,
  getOrCreateOpenConversation,
  keepOnlyProjects,
  type TDb,
} from '@pocketping/db';
import { createRedis } from '@pocketping/jobs';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  startFakeSmtp,
  testEncryptionKey,
  uniqueRedisPrefix,
  type TFakeSmtp,
  type TTestDatabase,
} from '@pocketping/testkit';
import type { Redis } from 'ioredis';
import { runUsagePass, type TUsagePassDeps } from '../../apps/worker/src/usage/usage-pass.js';
import { createUsageMailer } from '../../apps/worker/src/usage/usage-mailer.js';

let database: TTestDatabase;
let db: TDb;
let redis: Redis;
let limits: TLimits;
let smtp: TFakeSmtp;
let deps: TUsagePassDeps;
const prefix = uniqueRedisPrefix();
const ring = parseKeyRing(testEncryptionKey());

beforeAll(async () => {
  database = await createTestDatabase('pp_usage');
  db = createDb(database.url, { poolSize: 3 });
  redis = createRedis(TEST_REDIS_URL, 'worker');
  limits = createLimits({ store: createLimitsStore(db), redis, prefix });
  smtp = await startFakeSmtp({ viewerPort: false });
  deps = {
    db,
    limits,
    log: createLogger('usage-test', 'silent'),
    mailer: createUsageMailer(smtp.url, 'PocketPing <no-reply@test>'),
    webPublicUrl: 'https://app.test',
  };
});
afterAll(async () => {
  await smtp?.close();
  redis?.disconnect();
  await db?.$disconnect();
  await database?.drop();
});

async function tenant(withTelegram = false) {
  const t = await bootstrapTenant(db, ring, {
    email: `owner-${randomBytes(4).toString('hex')}@usage.test`,
    orgName: 'Usage Co',
    allowedOrigins: ['https://usage.test'],
    ...(withTelegram ? { telegram: { botToken: `9:${randomBytes(20).toString('base64url')}`, chatId: '-1001' } } : {}),
  });
  const owner = await db.user.findUniqueOrThrow({ where: { id: t.userId } });
  return { organizationId: t.organization.id, projectId: t.project.id, ownerEmail: owner.email, t };
}

async function setPlan(organizationId: string, plan: TPlanId) {
  await db.organizationBilling.upsert({
    where: { organizationId },
    create: { organizationId, plan, status: 'active' },
    update: { plan, status: 'active' },
  });
  await limits.invalidate(organizationId);
}

async function conversations(organizationId: string, projectId: string, n: number) {
  const visitor = await db.visitor.create({
    data: { organizationId, projectId, tokenHash: `h_${randomBytes(8).toString('hex')}` },
  });
  await db.conversation.createMany({
    data: Array.from({ length: n }, () => ({
      organizationId,
      projectId,
      visitorId: visitor.id,
      status: 'closed' as const,
    })),
  });
}

describe('downgrade', () => {
  it('pauses the newest projects and chat apps beyond the plan, deletes nothing, and an upgrade resumes them', async () => {
    const { organizationId, projectId, t } = await tenant(true);
    const second = await createConnection(db, organizationId, {
      projectId,
      kind: 'telegram',
      sealedCredentials: encryptSecret(ring, '{}'),
      targetId: '-1002',
    });
    const blog = await createProject(db, organizationId, { name: 'Blog', allowedOrigins: [] });
    const docs = await createProject(db, organizationId, { name: 'Docs', allowedOrigins: [] });

    // On the trial (Pro) everything fits.
    expect((await runUsagePass(deps)).paused).toBe(0);
    await setPlan(organizationId, 'free');
    const r = await runUsagePass(deps);
    expect(r.paused).toBe(3);
    const projects = await db.project.findMany({ where: { organizationId }, orderBy: { createdAt: 'asc' } });
    expect(projects.map((p) => [p.id, p.pausedAt !== null, p.pausedReason])).toEqual([
      [projectId, false, null],
      [blog.id, true, 'plan_limit'],
      [docs.id, true, 'plan_limit'],
    ]);
    const conns = await db.bridgeConnection.findMany({ where: { organizationId }, orderBy: { createdAt: 'asc' } });
    expect(conns.map((c) => [c.id, c.pausedAt !== null])).toEqual([
      [t.telegram!.connection.id, false],
      [second.id, true],
    ]);
    // A second pass changes nothing.
    expect((await runUsagePass(deps)).paused).toBe(0);

    // The paused chat app gets no delivery; the kept one does.
    const visitor = await createVisitor(db, organizationId, {
      projectId,
      tokenHash: `h_${randomBytes(8).toString('hex')}`,
    });
    const conv = await getOrCreateOpenConversation(db, organizationId, { projectId, visitorId: visitor.id });
    const sent = await appendMessage(db, organizationId, {
      conversationId: conv.id,
      sender: 'visitor',
      body: 'hi',
      source: 'widget',
    });
    expect(sent.outbox.map((o) => o.connectionId)).toEqual([t.telegram!.connection.id]);

    // The owner keeps "Docs" instead of the first project.
    await keepOnlyProjects(db, organizationId, [docs.id], 1);
    await expect(keepOnlyProjects(db, organizationId, [docs.id, blog.id], 1)).rejects.toThrow(
      'allows 1 active project',
    );
    const kept = await db.project.findMany({ where: { organizationId, pausedAt: null } });
    expect(kept.map((p) => p.id)).toEqual([docs.id]);
    expect((await runUsagePass(deps)).paused).toBe(0);

    await setPlan(organizationId, 'starter');
    expect((await runUsagePass(deps)).resumed).toBe(3);
    expect(await db.project.count({ where: { organizationId, pausedAt: null } })).toBe(3);
    expect(await db.bridgeConnection.count({ where: { organizationId, pausedAt: null } })).toBe(2);
  });
});

describe('usage emails', () => {
  it('80 % then 100 % of the monthly conversations, each once per month, to the owner only; other tenants untouched', async () => {
    const a = await tenant();
    const b = await tenant();
    await setPlan(a.organizationId, 'free');
    await setPlan(b.organizationId, 'free');
    await conversations(a.organizationId, a.projectId, 79);
    await conversations(b.organizationId, b.projectId, 3);
    await runUsagePass(deps);
    expect(smtp.mails().filter((m) => m.to.includes(a.ownerEmail))).toHaveLength(0);

    await conversations(a.organizationId, a.projectId, 1);
    await runUsagePass(deps);
    const eighty = await smtp.waitForMail(a.ownerEmail, (m) => m.subject.includes('80 %'));
    expect(eighty.subject).toBe('Usage Co used 80 % of a Free plan limit');
    expect(eighty.text).toContain('80 of 100 conversations this month');
    expect(eighty.links).toContain(`https://app.test/app/o/${a.organizationId}/billing`);
    await runUsagePass(deps);
    expect(smtp.mails().filter((m) => m.to.includes(a.ownerEmail))).toHaveLength(1);

    await conversations(a.organizationId, a.projectId, 25);
    await runUsagePass(deps);
    await runUsagePass(deps);
    const mails = smtp.mails().filter((m) => m.to.includes(a.ownerEmail));
    expect(mails.map((m) => m.subject)).toEqual([
      'Usage Co used 80 % of a Free plan limit',
      'Usage Co reached its Free plan limit',
    ]);
    expect(smtp.mails().filter((m) => m.to.includes(b.ownerEmail))).toHaveLength(0);
    // The counters follow Postgres, each tenant its own.
    const month = usagePeriod(new Date()).key;
    expect(await redis.get(`${prefix}:usage:{${a.organizationId}}:${month}:conversations`)).toBe('105');
    expect(await redis.get(`${prefix}:usage:{${b.organizationId}}:${month}:conversations`)).toBe('3');
    expect((await limits.getOrganizationAllowance(b.organizationId)).meters.conversationsPerMonth).toEqual({
      used: 3,
      max: 100,
    });
  });

  it('a failed send is retried on the next pass, not lost', async () => {
    const a = await tenant();
    await setPlan(a.organizationId, 'free');
    await conversations(a.organizationId, a.projectId, 100);
    let calls = 0;
    const failing = { ...deps, mailer: { send: () => Promise.reject(new Error(`smtp down ${++calls}`)) } };
    expect((await runUsagePass(failing)).emails).toBe(0);
    expect(calls).toBeGreaterThan(0);
    await runUsagePass(deps);
    await smtp.waitForMail(a.ownerEmail, (m) => m.subject.includes('reached'));
  });
});

describe('billing emails by the clock', () => {
  it('the card-less trial: one "trial ends" email in its last three days, with the plans link; never twice', async () => {
    const a = await tenant();
    const created = (await db.organization.findUniqueOrThrow({ where: { id: a.organizationId } })).createdAt;
    const at = (days: number) => () => new Date(created.getTime() + days * 86_400_000);
    const mine = () =>
      smtp.mails().filter((m) => m.to.includes(a.ownerEmail.toLowerCase()) && m.subject.includes('trial ends'));

    await runUsagePass({ ...deps, now: at(10) });
    expect(mine()).toHaveLength(0);
    await runUsagePass({ ...deps, now: at(11.5) });
    const mail = await smtp.waitForMail(a.ownerEmail.toLowerCase(), (m) => m.subject.includes('trial ends'));
    expect(mail.subject).toBe(
      `Usage Co's Pro trial ends on ${new Date(created.getTime() + 14 * 86_400_000).toISOString().slice(0, 10)}`,
    );
    expect(mail.text).toContain(`https://app.test/app/o/${a.organizationId}/billing`);
    expect(mail.text).not.toContain('manage=1');
    await runUsagePass({ ...deps, now: at(12) });
    await runUsagePass({ ...deps, now: at(13.9) });
    expect(mine()).toHaveLength(1);
    // After the trial: nothing more is due.
    await runUsagePass({ ...deps, now: at(15) });
    expect(mine()).toHaveLength(1);
  });
});
