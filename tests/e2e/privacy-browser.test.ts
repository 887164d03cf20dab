// Data rights in the built web app (`next start`), in headless Chromium: the audit log page (filters by action, actor
// and dates, pages of 50, CSV export; admins only, nothing of another organization), a visitor's export and erasure
// from the conversation page's visitor panel, and an organization's deletion by its owner (mailed, cancellable).
// Screenshots go to artifacts/screenshots/privacy-*.png.
// Build first into your own folder: `cd apps/web && NEXT_DIST_DIR=.next-x pnpm exec next build --webpack`, then run
// with the same NEXT_DIST_DIR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { sha256 } from '@pocketping/core';
import {
  appendMessage,
  createApiKey,
  createMembership,
  createOrganizationWithOwner,
  createProject,
  createVisitor,
  getOrCreateOpenConversation,
  resolveApiKey,
  SYSTEM_ORIGIN,
  writeAuditLog,
  type TDb,
} from '@pocketping/db';
import { hashPassword } from '../../apps/web/src/server/auth/password';
import { SHOTS, bootDashboardStack, signedIn, type TDashboardStack } from './dashboard-stack.js';

let stack: TDashboardStack;
let db: TDb;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  stack = await bootDashboardStack({ smtp: 'no-viewer' });
  db = stack.db;
}, 120_000);
afterAll(async () => stack?.stop());

async function user(email: string) {
  const u = await db.user.create({
    data: { email, passwordHash: await hashPassword(PASSWORD), emailVerified: new Date() },
  });
  return u.id;
}

/** An organization with a verified owner (password set), an admin and an agent. */
async function organization(name: string) {
  const tag = randomBytes(3).toString('hex');
  const ownerEmail = `owner-${tag}@example.test`;
  const { organization: org, userId: ownerId } = await createOrganizationWithOwner(db, {
    email: ownerEmail,
    orgName: name,
  });
  await db.user.update({
    where: { id: ownerId },
    data: { emailVerified: new Date(), passwordHash: await hashPassword(PASSWORD) },
  });
  const adminEmail = `admin-${tag}@example.test`;
  const adminId = await user(adminEmail);
  await createMembership(db, org.id, adminId, 'admin');
  const agentEmail = `agent-${tag}@example.test`;
  await createMembership(db, org.id, await user(agentEmail), 'agent');
  const project = await createProject(db, org.id, { name: `${name} site`, allowedOrigins: ['https://example.test'] });
  return { orgId: org.id, projectId: project.id, ownerId, ownerEmail, adminId, adminEmail, agentEmail };
}

describe('audit log page', () => {
  it('filters by action, actor and dates, pages by 50, exports CSV, and is for owners and admins only', async () => {
    const o = await organization('Audit Co');
    const other = await organization('Other Co');
    const t0 = Date.UTC(2026, 10, 20, 12);
    for (let i = 0; i < 55; i++)
      await writeAuditLog(
        db,
        o.orgId,
        {
          actorType: 'user',
          actorId: o.ownerId,
          action: 'project.updated',
          targetType: 'project',
          targetId: o.projectId,
          createdAt: new Date(t0 + i * 60_000),
        },
        SYSTEM_ORIGIN,
      );
    for (let i = 0; i < 3; i++)
      await writeAuditLog(
        db,
        o.orgId,
        {
          actorType: 'user',
          actorId: o.adminId,
          action: 'visitor.erased',
          targetType: 'visitor',
          targetId: `v${i}`,
          metadata: { note: '=HYPERLINK("x")' },
          createdAt: new Date(t0 + 3_600_000 + i * 1000),
        },
        { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 test' },
      );
    await writeAuditLog(
      db,
      o.orgId,
      {
        actorType: 'user',
        actorId: o.ownerId,
        action: 'connection.telegram.disconnect',
        createdAt: new Date(Date.UTC(2026, 0, 15, 9)),
      },
      SYSTEM_ORIGIN,
    );
    await writeAuditLog(
      db,
      other.orgId,
      { actorType: 'user', actorId: other.ownerId, action: 'secret.of.other' },
      SYSTEM_ORIGIN,
    );

    const base = `/app/o/${o.orgId}/audit`;
    const { ctx, page } = await signedIn(stack, o.adminEmail, PASSWORD, base);
    const rows = page.locator('[data-testid=audit-row]');
    await expect.poll(() => rows.count()).toBe(50);
    expect(await page.locator('[data-testid=audit-table]').textContent()).not.toContain('secret.of.other');
    // The newest first: the three erasures, with who and from where.
    expect(await rows.first().getAttribute('data-action')).toBe('visitor.erased');
    expect(await rows.first().textContent()).toContain(o.adminEmail);
    expect(await rows.first().textContent()).toContain('203.0.113.7');
    await page.screenshot({ path: path.join(SHOTS, 'privacy-audit.png'), fullPage: true });
    await page.getByTestId('audit-next').click();
    await expect.poll(() => rows.count()).toBe(9);
    expect(await page.getByTestId('audit-next').count()).toBe(0);

    await page.goto(`${stack.webUrl}${base}`);
    await page.getByTestId('audit-action').selectOption('visitor.erased');
    await page.getByTestId('audit-filter').click();
    await page.waitForURL((u) => u.searchParams.get('action') === 'visitor.erased');
    await expect.poll(() => rows.count()).toBe(3);

    await page.getByTestId('audit-action').selectOption('');
    await page.getByTestId('audit-actor').selectOption(o.ownerId);
    await page.getByTestId('audit-from').fill('2026-01-01');
    await page.getByTestId('audit-to').fill('2026-01-31');
    await page.getByTestId('audit-filter').click();
    await page.waitForURL((u) => u.searchParams.get('to') === '2026-01-31');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-action')).toBe('connection.telegram.disconnect');

    // The CSV follows the filters; a cell that a spreadsheet would run as a formula is neutralised.
    const csv = await page.request.get(`${stack.webUrl}/api/app/orgs/${o.orgId}/audit?action=visitor.erased`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      '"time","actor_type","actor_id","actor","action","target_type","target_id","ip","user_agent","details"',
    );
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(`"${o.adminEmail}","visitor.erased","visitor","v2","203.0.113.7"`);
    expect(lines[1]).toContain('"203.0.113.7","Mozilla/5.0 test"');
    expect(lines[1]).toContain('""note"":""=HYPERLINK');
    // Another organization's log is not this admin's to read.
    expect((await page.request.get(`${stack.webUrl}/api/app/orgs/${other.orgId}/audit`)).status()).toBe(404);
    await ctx.close();

    const agent = await signedIn(stack, o.agentEmail, PASSWORD, `/app/o/${o.orgId}/usage`);
    await agent.page.goto(`${stack.webUrl}${base}`);
    await agent.page.waitForURL((u) => u.pathname === `/app/o/${o.orgId}/forbidden`);
    expect((await agent.page.request.get(`${stack.webUrl}/api/app/orgs/${o.orgId}/audit`)).status()).toBe(403);
    await agent.ctx.close();
  }, 120_000);
});

describe('visitor export and erasure from the inbox', () => {
  it('an admin downloads the visitor data, then erases the visitor after typing ERASE', async () => {
    const o = await organization('Rights Co');
    const visitor = await createVisitor(db, o.orgId, {
      projectId: o.projectId,
      tokenHash: sha256(randomBytes(8).toString('hex')),
      metadata: {},
    });
    await db.visitor.update({ where: { id: visitor.id }, data: { email: 'vera@visitor.test' } });
    const c = await getOrCreateOpenConversation(db, o.orgId, { projectId: o.projectId, visitorId: visitor.id });
    await appendMessage(db, o.orgId, {
      conversationId: c.id,
      sender: 'visitor',
      body: 'my order 42',
      source: 'widget',
    });
    const convPath = `/app/o/${o.orgId}/p/${o.projectId}/inbox/${c.id}`;

    // An agent sees no data-rights buttons.
    const agent = await signedIn(stack, o.agentEmail, PASSWORD, convPath);
    await expect.poll(() => agent.page.getByTestId('thread').textContent()).toContain('my order 42');
    expect(await agent.page.getByTestId('visitor-rights').count()).toBe(0);
    await agent.ctx.close();

    const { ctx, page } = await signedIn(stack, o.adminEmail, PASSWORD, convPath);
    const href = await page.getByTestId('visitor-export').getAttribute('href');
    const exported = await page.request.get(`${stack.webUrl}${href}`);
    expect(exported.headers()['content-disposition']).toContain(`visitor-${visitor.id}.json`);
    const data = (await exported.json()) as {
      visitor: { email: string };
      conversations: { messages: { body: string }[] }[];
    };
    expect(data.visitor.email).toBe('vera@visitor.test');
    expect(data.conversations[0]?.messages.map((m) => m.body)).toContain('my order 42');

    await page.getByTestId('visitor-erase').click();
    const submit = page.getByTestId('visitor-erase-submit');
    expect(await submit.isDisabled()).toBe(true);
    await page.getByTestId('visitor-erase-confirm').fill('ERASE');
    await page.screenshot({ path: path.join(SHOTS, 'privacy-erase.png'), fullPage: true });
    await submit.click();
    await page.waitForURL((u) => u.pathname.endsWith('/inbox') && u.searchParams.get('erased') === '1');
    await expect.poll(() => page.getByTestId('visitor-erased').count()).toBe(1);
    expect(await db.visitor.count({ where: { id: visitor.id } })).toBe(0);
    expect(await db.message.count({ where: { conversationId: c.id } })).toBe(0);
    const audit = await db.auditLog.findMany({ where: { organizationId: o.orgId, targetId: visitor.id } });
    expect(audit.map((a) => a.action).sort()).toEqual(['visitor.erased', 'visitor.exported']);
    expect(JSON.stringify(audit)).not.toContain('vera@visitor.test');
    await ctx.close();
  }, 120_000);
});

describe('organization deletion', () => {
  it('the owner schedules it (keys revoked, owners mailed) and cancels it', async () => {
    const o = await organization('Doomed Co');
    const { key } = await createApiKey(db, o.orgId, { name: 'ci' });
    const { ctx, page } = await signedIn(stack, o.ownerEmail, PASSWORD, `/app/o/${o.orgId}/privacy`);
    const submit = page.getByTestId('deletion-submit');
    await page.getByTestId('deletion-confirm').fill('Doomed');
    expect(await submit.isDisabled()).toBe(true);
    await page.getByTestId('deletion-confirm').fill('Doomed Co');
    await submit.click();
    await expect.poll(() => page.getByTestId('deletion-scheduled').count()).toBe(1);
    await expect.poll(() => page.getByTestId('organization-deletion-banner').count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'privacy-org-deletion.png'), fullPage: true });
    expect(await resolveApiKey(db, key)).toBeNull();
    const org = await db.organization.findUniqueOrThrow({ where: { id: o.orgId } });
    expect(org.deletionScheduledFor!.getTime() - org.deletionRequestedAt!.getTime()).toBe(7 * 86_400_000);
    const mail = await stack.smtp!.waitForMail(o.ownerEmail, (m) => m.subject.startsWith('Doomed Co will be deleted'));
    expect(mail.links.some((l) => l.endsWith(`/app/o/${o.orgId}/privacy`))).toBe(true);

    // An admin cannot cancel or request it.
    const admin = await signedIn(stack, o.adminEmail, PASSWORD, `/app/o/${o.orgId}/usage`);
    const refused = await admin.page.request.delete(`${stack.webUrl}/api/app/orgs/${o.orgId}/deletion`, {
      data: {},
      headers: { 'content-type': 'application/json' },
    });
    expect(refused.status()).toBe(403);
    await admin.ctx.close();

    await page.getByTestId('deletion-cancel').click();
    await expect.poll(() => page.getByTestId('deletion-submit').count()).toBe(1);
    expect((await db.organization.findUniqueOrThrow({ where: { id: o.orgId } })).deletionScheduledFor).toBeNull();
    await ctx.close();
  }, 120_000);
});
