// What the inbox shows about a visitor is only as trustworthy as its source: in the built web app, in headless
// Chromium, a field the customer signed carries "verified", one the visitor merely claimed carries "unverified",
// and a page URL that is not http(s) (javascript:, data:) is plain text, never a link.
// Build first into your own folder: `cd apps/web && NEXT_DIST_DIR=.next-x pnpm exec next build --webpack`, then run
// with the same NEXT_DIST_DIR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { sha256 } from '@pocketping/core';
import {
  appendMessage,
  createOrganizationWithOwner,
  createProject,
  createVisitor,
  getOrCreateOpenConversation,
  type TDb,
} from '@pocketping/db';
import { hashPassword } from '../../apps/web/src/server/auth/password';
import { bootDashboardStack, type TDashboardStack } from './dashboard-stack.js';

const PASSWORD = 'correct horse battery';

let stack: TDashboardStack;
let db: TDb;
let webUrl: string;
let browser: Browser;

beforeAll(async () => {
  stack = await bootDashboardStack();
  ({ db, webUrl, browser } = stack);
});

afterAll(async () => stack?.stop());

describe('visitor details in the inbox', () => {
  it('marks unsigned fields unverified and never links a javascript: page URL', async () => {
    const email = `vera-${randomBytes(3).toString('hex')}@example.test`;
    const { organization, userId } = await createOrganizationWithOwner(db, {
      email,
      orgName: 'Claims Co',
      userName: 'Vera Operator',
    });
    await db.user.update({
      where: { id: userId },
      data: { emailVerified: new Date(), passwordHash: await hashPassword(PASSWORD) },
    });
    const project = await createProject(db, organization.id, {
      name: 'Claims Shop',
      allowedOrigins: ['https://claims.example.test'],
    });
    const visitor = await createVisitor(db, organization.id, {
      projectId: project.id,
      tokenHash: sha256(randomBytes(8).toString('hex')),
      metadata: { pageUrl: 'javascript:alert(document.cookie)', traits: { plan: 'pro', team: 'ops' } },
    });
    // As identify() with a token that signed the email and the plan leaves it; the name was only claimed.
    await db.visitor.update({
      where: { id: visitor.id },
      data: {
        externalId: 'user-5',
        identityVerified: true,
        email: 'signed@example.com',
        name: 'Claimed Name',
        verifiedFields: ['email', 'traits.plan'],
      },
    });
    const conversation = await getOrCreateOpenConversation(db, organization.id, {
      projectId: project.id,
      visitorId: visitor.id,
    });
    await appendMessage(db, organization.id, {
      conversationId: conversation.id,
      sender: 'visitor',
      body: 'hello',
      source: 'widget',
      clientId: 'c-claims-1',
    });
    const view = `/app/o/${organization.id}/p/${project.id}/inbox/${conversation.id}`;

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(`${webUrl}/login?next=${encodeURIComponent(view)}`);
    await page.getByLabel('Email', { exact: true }).first().fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === view);

    const panel = page.locator('aside.visitor-panel');
    await panel.waitFor();
    expect(await panel.locator('[data-testid=verified-email]').count()).toBe(1);
    expect(await panel.locator('[data-testid=unverified-name]').count()).toBe(1);
    expect(await panel.locator('[data-testid="verified-traits.plan"]').count()).toBe(1);
    expect(await panel.locator('[data-testid="unverified-traits.team"]').count()).toBe(1);
    // The page URL is shown, as text: no link with a non-http(s) target anywhere on the page.
    expect(await panel.locator('[data-testid=page-url-text]').textContent()).toBe('javascript:alert(document.cookie)');
    const hrefs = await page
      .locator('a[href]')
      .evaluateAll((as) =>
        as.map((a) => (a as unknown as { getAttribute(n: string): string | null }).getAttribute('href') ?? ''),
      );
    expect(hrefs.filter((h) => /^\s*(javascript|data|vbscript):/i.test(h))).toEqual([]);
    await ctx.close();
  });
});
