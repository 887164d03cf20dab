// Onboarding, install and settings pages in headless Chromium against the real stack: create an organization and
// a project, copy the snippet, paste it on a "customer site" (another origin), and watch "Installation detected"
// turn green; then the test page, the settings' live preview and the identity secret shown once.
// Needs a web build: cd apps/web && NEXT_DIST_DIR=.next-x pnpm exec next build --webpack, then run with the same env.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { createDb, type TDb } from '@pocketping/db';
import { CHROMIUM_ARGS, CHROMIUM_PATH, REPO_ROOT, freePort, waitFor } from '@pocketping/testkit';
import { bootStack, type TStack } from './boot-stack.js';

const SHOTS = path.join(REPO_ROOT, 'artifacts/screenshots');

/** A session cookie minted exactly like Auth.js does (next-auth lives in apps/web's dependencies). */
async function sessionCookie(secret: string, userId: string): Promise<{ name: string; value: string }> {
  const require = createRequire(path.join(REPO_ROOT, 'apps/web/package.json'));
  const { encode } = (await import(pathToFileURL(require.resolve('next-auth/jwt')).href)) as {
    encode(params: { token: Record<string, unknown>; secret: string; salt: string }): Promise<string>;
  };
  const name = 'authjs.session-token';
  return { name, value: await encode({ token: { sub: userId, sv: 0 }, secret, salt: name }) };
}

describe('onboarding → snippet → installation detected → settings', () => {
  let stack: TStack;
  let browser: Browser;
  let context: BrowserContext;
  let db: TDb;
  let site: Server;
  let siteUrl = '';
  let siteHtml = '<!doctype html><title>Customer site</title><p>No snippet yet</p>';

  beforeAll(async () => {
    stack = await bootStack();
    db = createDb(stack.env.DATABASE_URL!);
    const port = await freePort();
    siteUrl = `http://127.0.0.1:${port}`;
    site = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(siteHtml);
    });
    await new Promise<void>((r) => site.listen(port, '127.0.0.1', r));
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => site?.close(r));
    await db?.$disconnect();
    await stack?.stop();
  });

  it('walks the onboarding, detects the installation, and saves settings', async () => {
    const user = await db.user.create({
      data: { email: `onboard-${Date.now()}@example.test`, name: 'Ann', emailVerified: new Date() },
    });
    context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.webUrl });
    await context.addCookies([{ ...(await sessionCookie(stack.env.AUTH_SECRET!, user.id)), url: stack.webUrl }]);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // Step 1: organization.
    await page.goto(`${stack.webUrl}/app/onboarding`);
    await page.getByLabel('Organization name').fill('Acme Shop');
    await page.screenshot({ path: path.join(SHOTS, 'onboarding-1-organization.png') });
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/app\/onboarding\?org=/);

    // Step 2: the site; origins default to the URL's origin.
    await page.getByLabel('Site name').fill('Acme storefront');
    await page.getByLabel('Site URL').fill(`${siteUrl}/shop/index.html`);
    expect(await page.getByLabel('Allowed origins').inputValue()).toBe(siteUrl);
    await page.screenshot({ path: path.join(SHOTS, 'onboarding-2-site.png') });
    await page.getByRole('button', { name: 'Create the project' }).click();
    await page.waitForURL(/project=/);
    const url = new URL(page.url());
    const orgId = url.searchParams.get('org')!;
    const projectId = url.searchParams.get('project')!;
    const project = await db.project.findUniqueOrThrow({ where: { id: projectId } });
    expect(project.organizationId).toBe(orgId);
    expect(project.allowedOrigins).toEqual([siteUrl, stack.webUrl]);
    expect((await db.membership.findFirstOrThrow({ where: { organizationId: orgId, userId: user.id } })).role).toBe(
      'owner',
    );

    // Step 3: copy the snippet, paste it on the customer's site, and just view a page there (nobody opens the chat).
    const status = page.getByTestId('installation-status');
    expect(await status.getAttribute('data-installed')).toBe('no');
    await page.getByRole('button', { name: 'Copy the snippet' }).click();
    const copied = (await page.evaluate('navigator.clipboard.readText()')) as string;
    expect(copied).toBe(await page.getByTestId('onboarding-snippet').innerText());
    expect(copied).toContain(`data-project-key="${project.publicKey}"`);
    await page.screenshot({ path: path.join(SHOTS, 'onboarding-3-snippet-waiting.png') });
    siteHtml = `<!doctype html><title>Customer site</title><h1>Acme storefront</h1>${copied}`;
    const customer = await context.newPage();
    const sockets: string[] = [];
    customer.on('websocket', (ws) => sockets.push(ws.url()));
    await customer.goto(`${siteUrl}/shop/index.html`);
    await customer.locator('[data-pp="launcher"]').waitFor();
    await expect.poll(() => status.getAttribute('data-installed'), { timeout: 15_000 }).toBe('yes');
    expect(sockets).toEqual([]); // detected from the loader's page view, before any chat connection
    await expect.poll(() => status.innerText()).toContain('Installation detected');
    await page.screenshot({ path: path.join(SHOTS, 'onboarding-3-installation-detected.png') });

    // Re-entrant: coming back without parameters resumes at "connect a chat app".
    await page.goto(`${stack.webUrl}/app/onboarding`);
    await expect.poll(() => page.locator('h1').innerText()).toBe('Answer from your chat app');
    expect(await page.locator('a.choice').first().getAttribute('href')).toBe(
      `/app/o/${orgId}/p/${projectId}/bridges?connect=telegram&from=onboarding`,
    );
    await page.screenshot({ path: path.join(SHOTS, 'onboarding-4-chat-app.png') });
    await page.getByRole('link', { name: 'Skip for now' }).click();
    await expect.poll(() => page.locator('h1').innerText()).toBe('Send a test message');
    expect(await page.getByRole('link', { name: 'Go to the inbox' }).getAttribute('href')).toBe(
      `/app/o/${orgId}/p/${projectId}/inbox`,
    );
    await page.screenshot({ path: path.join(SHOTS, 'onboarding-5-test.png') });

    // Step 5: the test page on the dashboard's origin loads the widget and a message goes through.
    const [tryPage] = await Promise.all([context.waitForEvent('page'), page.getByTestId('open-test-page').click()]);
    await tryPage.waitForLoadState();
    await tryPage.locator('[data-pp="launcher"]').click();
    await tryPage.locator('[data-pp="input"]').fill('Hello from the test page');
    await tryPage.locator('[data-pp="input"]').press('Enter');
    await waitFor(() => db.message.findFirst({ where: { organizationId: orgId, body: 'Hello from the test page' } }), {
      what: 'test message stored',
      timeoutMs: 15_000,
    });
    await tryPage.close();

    // Install page: first/last seen.
    await page.goto(`${stack.webUrl}/app/o/${orgId}/p/${projectId}/install`);
    expect(await page.getByTestId('installation-status').getAttribute('data-installed')).toBe('yes');
    expect(await page.getByTestId('snippet-tag').innerText()).toBe(copied);
    await page.screenshot({ path: path.join(SHOTS, 'install.png'), fullPage: true });

    // Settings: the preview follows the draft before saving; saving stores it.
    await page.goto(`${stack.webUrl}/app/o/${orgId}/p/${projectId}/settings`);
    const preview = page.getByTestId('widget-preview');
    await page.getByLabel('Colour (hex)').fill('#ff0066');
    await page.getByLabel('Operator name').fill('Sarah');
    await page.getByLabel('Bottom left').check();
    await page.getByLabel('Language').selectOption('fr');
    await expect
      .poll(() =>
        preview
          .locator('.wp-launcher')
          .evaluate(
            (el) =>
              (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(
                el,
              ).backgroundColor,
          ),
      )
      .toBe('rgb(255, 0, 102)');
    expect(await preview.getAttribute('data-position')).toBe('left');
    expect(await preview.locator('.wp-title').innerText()).toBe('Sarah');
    expect(await preview.locator('.wp-composer').innerText()).toContain('Écrivez un message');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await waitFor(
      async () =>
        ((await db.project.findUniqueOrThrow({ where: { id: projectId } })).settings as { color?: string }).color ===
        '#ff0066',
      { what: 'settings saved' },
    );
    const settings = (await db.project.findUniqueOrThrow({ where: { id: projectId } })).settings as Record<
      string,
      unknown
    >;
    expect(settings).toMatchObject({ color: '#ff0066', operatorName: 'Sarah', position: 'left', language: 'fr' });
    // A first-time visitor of the customer's site (fresh browser profile) sees the new look on the launcher at once,
    // without opening the chat and without the snippet being pasted again.
    const fresh = await browser.newContext();
    try {
      const visit = await fresh.newPage();
      await visit.goto(`${siteUrl}/shop/index.html`);
      const launcher = visit.locator('[data-pp="launcher"]');
      await expect
        .poll(() =>
          launcher.evaluate(
            (el) =>
              (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(
                el,
              ).backgroundColor,
          ),
        )
        .toBe('rgb(255, 0, 102)');
      expect(await visit.locator('[data-pp="root"]').getAttribute('class')).toContain('pp-left');
      expect(await launcher.getAttribute('aria-label')).toBe('Ouvrir le chat');
    } finally {
      await fresh.close();
    }

    // Identity secret: shown once, then only "set on …".
    await page.getByRole('tab', { name: 'Origins and identity' }).click();
    await page.getByRole('button', { name: 'Generate secret' }).click();
    const once = page.getByTestId('identity-secret-once');
    await expect.poll(() => once.count()).toBe(1);
    const secret = (await once.locator('.secret-box').innerText()).trim();
    expect(secret).toMatch(/^is_/);
    await page.screenshot({ path: path.join(SHOTS, 'settings.png'), fullPage: true });
    await page.reload();
    expect(await page.getByTestId('identity-secret-status').innerText()).toMatch(/^set on /);
    expect(await page.content()).not.toContain(secret);

    // Usable on a phone: the preview stacks under the form, the onboarding steps shrink to numbers.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, 'settings-phone.png') });
    await page.goto(`${stack.webUrl}/app/onboarding?org=${orgId}&project=${projectId}&step=3`);
    await page.screenshot({ path: path.join(SHOTS, 'onboarding-phone.png'), fullPage: true });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(errors).toEqual([]);
  });
});
