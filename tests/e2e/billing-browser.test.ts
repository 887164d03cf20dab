// Billing in the built web app (`next start`) in headless Chromium, against the fake Stripe from packages/testkit
// (its hosted Checkout and portal pages, its signed webhooks) and the worker's billing job on the same Redis: an owner
// opens Billing (card-less trial), toggles yearly, upgrades → the fake Checkout page → Pay → back on Billing, where
// the plan shows once the webhook was applied; the invoice links to its hosted page; "Manage billing" opens the
// portal, whose Return link comes back. Screenshots go to artifacts/screenshots/billing-*.png.
// Build first: `pnpm exec turbo run build --filter=@pocketping/web --filter=@pocketping/widget`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createLogger } from '@pocketping/core';
import { createOrganizationWithOwner } from '@pocketping/db';
import { createStripeClient } from '@pocketping/billing/stripe';
import { startFakeStripe, TEST_REDIS_URL, uniqueRedisPrefix, waitFor, type TFakeStripe } from '@pocketping/testkit';
import { hashPassword } from '../../apps/web/src/server/auth/password';
import { startBillingWorker } from '../../apps/worker/src/billing/start-billing-worker';
import { SHOTS, bootDashboardStack, type TDashboardStack } from './dashboard-stack.js';

let stack: TDashboardStack;
let fake: TFakeStripe;
let worker: { close(): Promise<void> } | undefined;
const redisPrefix = uniqueRedisPrefix();
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  fake = await startFakeStripe();
  stack = await bootDashboardStack({
    webEnv: {
      REDIS_PREFIX: redisPrefix,
      STRIPE_SECRET_KEY: fake.secretKey,
      STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
      STRIPE_API_HOST: fake.host,
      STRIPE_API_PORT: String(fake.port),
      STRIPE_API_PROTOCOL: 'http',
    },
  });
  fake.setWebhook(`${stack.webUrl}/api/webhooks/stripe`);
  worker = await startBillingWorker({
    db: stack.db,
    stripe: createStripeClient({ secretKey: fake.secretKey, host: fake.host, port: fake.port, protocol: 'http' }),
    redisConfig: { url: TEST_REDIS_URL, prefix: redisPrefix },
    log: createLogger('worker', 'silent'),
  });
});

afterAll(async () => {
  await worker?.close();
  await stack?.stop();
  await fake?.close();
});

describe('billing in the browser', () => {
  it('pricing → fake Checkout → back → plan shown; invoice link; Manage billing → portal → back', async () => {
    const email = `bea-${randomBytes(3).toString('hex')}@example.test`;
    const { organization, userId } = await createOrganizationWithOwner(stack.db, { email, orgName: 'Billing Co' });
    await stack.db.user.update({
      where: { id: userId },
      data: { emailVerified: new Date(), passwordHash: await hashPassword(PASSWORD) },
    });
    const billingPath = `/app/o/${organization.id}/billing`;

    const ctx = await stack.browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await ctx.newPage();
    await page.goto(`${stack.webUrl}/login?next=${encodeURIComponent(billingPath)}`);
    await page.getByLabel('Email', { exact: true }).first().fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === billingPath);

    // The card-less trial.
    expect(await page.getByTestId('plan-name').textContent()).toBe('Pro');
    expect(await page.getByTestId('plan-status').textContent()).toBe('Trial');
    expect(await page.getByTestId('trial-left').textContent()).toMatch(/1[34] days left in your free trial/);
    await page.getByLabel('Yearly (2 months free)').check();
    await expect.poll(() => page.locator('[data-plan=starter]').textContent()).toContain('$190');
    await page.screenshot({ path: path.join(SHOTS, 'billing-trial.png'), fullPage: true });

    // Upgrade → the fake Checkout page → Pay → back.
    await page.getByRole('button', { name: 'Upgrade to Starter' }).click();
    await page.waitForURL((u) => u.origin === fake.baseUrl && u.pathname.startsWith('/checkout/'));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Subscribe to Starter yearly');
    await page.screenshot({ path: path.join(SHOTS, 'billing-checkout.png'), fullPage: true });
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForURL((u) => u.pathname === billingPath && u.searchParams.get('checkout') === 'success');
    // The page re-renders until the webhook has been applied by the worker.
    await expect.poll(() => page.getByTestId('plan-name').textContent(), { timeout: 30_000 }).toBe('Starter');
    expect(await page.getByTestId('plan-status').textContent()).toBe('Active');
    expect(await page.getByRole('status').first().textContent()).toContain('Billing Co is on Starter');
    const row = await stack.db.organizationBilling.findUniqueOrThrow({ where: { organizationId: organization.id } });
    expect(row).toMatchObject({ plan: 'starter', interval: 'yearly', status: 'active' });
    await expect.poll(() => page.locator('table[data-testid=invoices]').textContent()).toContain('$190.00');
    await page.screenshot({ path: path.join(SHOTS, 'billing-active.png'), fullPage: true });
    const invoiceHref = await page.getByRole('link', { name: 'View invoice' }).first().getAttribute('href');
    expect(invoiceHref).toMatch(new RegExp(`^${fake.baseUrl}/invoice/in_`));
    expect((await fetch(invoiceHref!)).status).toBe(200);

    // "Current plan" is the plan AND interval paid: the toggle starts on yearly; monthly Starter is a switch.
    const starter = page.locator('[data-plan=starter]');
    expect(await page.getByLabel('Yearly (2 months free)').isChecked()).toBe(true);
    expect(await starter.getByTestId('current-plan-badge').isVisible()).toBe(true);
    await page.getByLabel('Monthly').check();
    await expect.poll(() => starter.getByTestId('current-plan-badge').count(), { timeout: 10_000 }).toBe(0);
    expect(await starter.getByRole('button', { name: 'Switch to monthly billing' }).isVisible()).toBe(true);
    expect(await page.locator('[data-plan=pro]').getByRole('button', { name: 'Upgrade to Pro' }).isVisible()).toBe(
      true,
    );
    await page.getByLabel('Yearly (2 months free)').check();
    await expect.poll(() => starter.getByTestId('current-plan-badge').count(), { timeout: 10_000 }).toBe(1);

    // The billing emails' link (`?manage=1`) opens the portal straight away; its Return comes back.
    await page.goto(`${stack.webUrl}${billingPath}?manage=1`);
    await page.waitForURL((u) => u.origin === fake.baseUrl && u.pathname.startsWith('/portal/'));
    await page.getByRole('link', { name: '← Return' }).click();
    await page.waitForURL((u) => u.pathname === billingPath);

    // Manage billing → the portal → Return.
    await page.getByRole('button', { name: 'Manage billing' }).click();
    await page.waitForURL((u) => u.origin === fake.baseUrl && u.pathname.startsWith('/portal/'));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Manage your billing');
    await page.screenshot({ path: path.join(SHOTS, 'billing-portal.png'), fullPage: true });
    await page.getByRole('button', { name: 'Cancel plan' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/portal/'));
    await page.getByRole('link', { name: '← Return' }).click();
    await page.waitForURL((u) => u.pathname === billingPath);
    await waitFor(
      async () =>
        (await stack.db.organizationBilling.findUnique({ where: { organizationId: organization.id } }))
          ?.cancelAtPeriodEnd,
      { what: 'cancel at period end applied', timeoutMs: 20_000 },
    );
    await page.reload();
    expect(await page.getByTestId('current-plan').textContent()).toContain('then the Free plan applies');
    await ctx.close();
  });
});
