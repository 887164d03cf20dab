// The usage page and the over-quota banner in the built web app (`next start`), in headless Chromium: an owner on
// Free who used this month's 100 conversations sees each meter with the reset date, the banner with an Upgrade
// button to the billing page, and the banner on every page of the organization. Screenshot:
// artifacts/screenshots/usage-over-quota.png.
// Build first into your own folder: `cd apps/web && NEXT_DIST_DIR=.next-x pnpm exec next build --webpack`, then run
// with the same NEXT_DIST_DIR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { PLANS, usagePeriod } from '@pocketping/billing';
import { createOrganizationWithOwner, createProject, type TDb } from '@pocketping/db';
import { hashPassword } from '../../apps/web/src/server/auth/password';
import { formatDate } from '../../apps/web/src/lib/format-date';
import { SHOTS, bootDashboardStack, type TDashboardStack } from './dashboard-stack.js';

let stack: TDashboardStack;
let db: TDb;
let webUrl: string;
let browser: Browser;

beforeAll(async () => {
  stack = await bootDashboardStack({});
  ({ db, webUrl, browser } = stack);
});
afterAll(async () => stack?.stop());

const PASSWORD = 'correct horse battery';

describe('usage page and over-quota banner', () => {
  it('shows the meters, the reset date and the banner with an upgrade button', async () => {
    const email = `una-${randomBytes(3).toString('hex')}@example.test`;
    const { organization, userId } = await createOrganizationWithOwner(db, { email, orgName: 'Quota Co' });
    await db.user.update({
      where: { id: userId },
      data: { emailVerified: new Date(), passwordHash: await hashPassword(PASSWORD) },
    });
    const orgId = organization.id;
    await db.organizationBilling.create({ data: { organizationId: orgId, plan: 'free', status: 'active' } });
    const project = await createProject(db, orgId, { name: 'Shop', allowedOrigins: ['https://shop.test'] });
    const max = PLANS.free.limits.conversationsPerMonth!;
    const visitor = await db.visitor.create({
      data: { organizationId: orgId, projectId: project.id, tokenHash: `h_${randomBytes(8).toString('hex')}` },
    });
    await db.conversation.createMany({
      data: Array.from({ length: max }, () => ({
        organizationId: orgId,
        projectId: project.id,
        visitorId: visitor.id,
        status: 'closed' as const,
      })),
    });

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const next = `/app/o/${orgId}/usage`;
    await page.goto(`${webUrl}/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Email', { exact: true }).first().fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === next);

    await expect.poll(() => page.getByTestId('meter-conversationsPerMonth').textContent()).toContain(`${max} / ${max}`);
    expect(await page.getByTestId('meter-projects').textContent()).toContain('1 / 1');
    expect(await page.getByTestId('meter-seats').textContent()).toContain('1 / 2');
    expect(await page.locator('[data-plan]').textContent()).toBe('Free');
    const resets = usagePeriod(new Date()).resetsAt;
    // The dashboard's one date format (apps/web/src/lib/format-date.ts), in UTC as the page says.
    const resetText = formatDate(resets, 'date', { timeZone: 'UTC' });
    expect(await page.getByTestId('usage-plan').textContent()).toContain(`start again on ${resetText}`);

    const banner = page.getByTestId('usage-banner');
    expect(await banner.textContent()).toContain("the Free plan's limit is reached");
    expect(await page.getByTestId('upgrade').getAttribute('href')).toBe(`/app/o/${orgId}/billing`);
    await page.screenshot({ path: path.join(SHOTS, 'usage-over-quota.png'), fullPage: true });

    // The banner is on the organization's other pages too, and the Usage entry in the navigation leads back.
    await page.goto(`${webUrl}/app/o/${orgId}/team`);
    expect(await page.getByTestId('usage-banner').isVisible()).toBe(true);
    await page.getByRole('navigation').getByRole('link', { name: 'Usage', exact: true }).click();
    await page.waitForURL((u) => u.pathname === next);
    await ctx.close();
  });

  it('after a downgrade the owner picks which chat apps of a project stay active; the others are paused, not deleted', async () => {
    const email = `kai-${randomBytes(3).toString('hex')}@example.test`;
    const { organization, userId } = await createOrganizationWithOwner(db, { email, orgName: 'Keep Co' });
    await db.user.update({
      where: { id: userId },
      data: { emailVerified: new Date(), passwordHash: await hashPassword(PASSWORD) },
    });
    const orgId = organization.id;
    await db.organizationBilling.create({ data: { organizationId: orgId, plan: 'free', status: 'active' } });
    const project = await createProject(db, orgId, { name: 'Shop', allowedOrigins: ['https://shop.test'] });
    // Two chat apps connected on the trial; Free allows one per project.
    const [telegram, slack] = [
      await db.bridgeConnection.create({
        data: {
          organizationId: orgId,
          projectId: project.id,
          kind: 'telegram',
          credentials: 'sealed',
          targetId: '-1001',
          targetName: 'Support group',
        },
      }),
      await db.bridgeConnection.create({
        data: {
          organizationId: orgId,
          projectId: project.id,
          kind: 'slack',
          credentials: 'sealed',
          targetId: 'C01',
          targetName: 'support',
          scopeName: 'Keep Co',
        },
      }),
    ];

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const next = `/app/o/${orgId}/usage`;
    await page.goto(`${webUrl}/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Email', { exact: true }).first().fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === next);

    const form = page.locator(`[data-keep-chat-apps="${project.id}"]`);
    await expect.poll(() => form.isVisible(), { timeout: 15_000 }).toBe(true);
    const tgBox = form.getByLabel('Telegram — Group "Support group"');
    const slackBox = form.getByLabel('Slack — #support · workspace Keep Co');
    expect(await tgBox.isChecked()).toBe(true);
    expect(await slackBox.isChecked()).toBe(true);
    // Two kept on a plan of one: the button says why it cannot be pressed.
    const keep = form.getByRole('button', { name: /^Keep these/ });
    expect(await keep.textContent()).toBe('Keep these 2 (plan allows 1)');
    expect(await keep.isDisabled()).toBe(true);

    await tgBox.uncheck();
    expect(await keep.textContent()).toBe('Keep these 1 (plan allows 1)');
    await keep.click();
    await expect
      .poll(
        async () => (await db.bridgeConnection.findUniqueOrThrow({ where: { id: telegram.id } })).pausedAt !== null,
        {
          timeout: 15_000,
        },
      )
      .toBe(true);
    const rows = await db.bridgeConnection.findMany({ where: { organizationId: orgId } });
    expect(Object.fromEntries(rows.map((r) => [r.id, r.pausedAt === null ? 'active' : r.pausedReason]))).toEqual({
      [telegram.id]: 'plan_limit',
      [slack.id]: 'active',
    });
    // The page shows the choice: the Telegram group paused, kept.
    await expect.poll(() => form.textContent(), { timeout: 15_000 }).toContain('Group "Support group" — paused');
    await page.screenshot({ path: path.join(SHOTS, 'usage-keep-chat-apps.png'), fullPage: true });
    await ctx.close();
  });
});
