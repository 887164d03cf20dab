// The dashboard's look and feel in the built web app (`next start`) and headless Chromium: the phone layout (390×844:
// a Menu button instead of the sidebar, the reply box in the first screen), the settings page as one form with field
// errors in words, the chat-apps page's secondary Disconnect with a confirmation dialog, and the smaller defects of
// a first walk-through (one Email field on the login page, favicon, a branded 404, one date format, the inbox row
// preview, onboarding's way back and its secondary "Skip for now").
// Screenshots: artifacts/screenshots/ux-*.png.
// Build first into your own folder: `cd apps/web && NEXT_DIST_DIR=.next-x pnpm exec next build --webpack`, then run
// with the same NEXT_DIST_DIR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { randomToken, sha256 } from '@pocketping/core';
import {
  appendMessage,
  createOrganizationWithOwner,
  createProject,
  createVisitor,
  getOrCreateOpenConversation,
  type TDb,
} from '@pocketping/db';
import { hashPassword } from '../../apps/web/src/server/auth/password';
import { SHOTS, bootDashboardStack, signedInPage, type TDashboardStack } from './dashboard-stack.js';

const PASSWORD = 'correct horse battery';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
/** "7 Dec 2026, 17:05" and "7 Dec 2026": what `formatDate` writes, on every page. */
const DATETIME = /^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}$/;
const DATE = /^\d{1,2} [A-Z][a-z]{2} \d{4}$/;
/** For what waits on a server round trip (a loaded CI machine can take seconds). */
const T = 20_000;

let stack: TDashboardStack;
let db: TDb;
let orgId = '';
let projectId = '';
let conversationId = '';
const email = `uma-${randomBytes(3).toString('hex')}@example.test`;

beforeAll(async () => {
  stack = await bootDashboardStack();
  db = stack.db;
  const { organization, userId } = await createOrganizationWithOwner(db, {
    email,
    orgName: 'Ux Co',
    userName: 'Uma Owner',
  });
  await db.user.update({
    where: { id: userId },
    data: { emailVerified: new Date(), passwordHash: await hashPassword(PASSWORD) },
  });
  orgId = organization.id;
  projectId = (await createProject(db, orgId, { name: 'Ux Shop', allowedOrigins: ['https://ux-shop.example.test'] }))
    .id;
  const visitor = await createVisitor(db, orgId, { projectId, tokenHash: sha256(randomToken('vt_')), metadata: {} });
  const c = await getOrCreateOpenConversation(db, orgId, { projectId, visitorId: visitor.id });
  conversationId = c.id;
  const say = (sender: 'visitor' | 'operator' | 'system', body: string, internal = false) =>
    appendMessage(db, orgId, {
      conversationId: c.id,
      sender,
      body,
      source: sender === 'visitor' ? 'widget' : 'web',
      authorName: sender === 'operator' ? 'Uma' : null,
      visibility: internal ? 'internal' : 'public',
      deliver: false,
    });
  for (let i = 1; i <= 12; i++) await say(i % 2 ? 'visitor' : 'operator', `Message number ${i} about the order`);
  await say('visitor', 'Where is my parcel?');
  await say('system', 'Visitor left', true);
}, 180_000);

afterAll(async () => stack?.stop());

const signIn = (next: string, viewport = DESKTOP) => signedInPage(stack, { email, password: PASSWORD }, next, viewport);
const box = async (l: Locator) => (await l.boundingBox())!;
const base = () => `/app/o/${orgId}/p/${projectId}`;

describe('the dashboard on a phone (390×844)', () => {
  it('folds the sidebar into a Menu button and keeps the reply box in the first screen', async () => {
    const { ctx, page } = await signIn(`${base()}/inbox/${conversationId}`, PHONE);
    const menu = page.getByRole('button', { name: 'Menu' });
    const nav = page.getByRole('navigation', { name: 'Dashboard' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await menu.getAttribute('aria-controls')).toBe('dash-menu');
    expect(await nav.isVisible()).toBe(false);
    // The bar over the page is one line, not 670 px of links.
    expect((await box(page.locator('.dash-side'))).height).toBeLessThanOrEqual(64);
    // The reply box is there without scrolling, and nothing is wider than the phone.
    const reply = page.getByLabel('Reply to the visitor');
    const r = await box(reply);
    expect(r.y).toBeGreaterThan(0);
    expect(r.y + r.height).toBeLessThanOrEqual(PHONE.height);
    const send = await box(page.getByRole('button', { name: 'Send reply' }));
    expect(send.y + send.height).toBeLessThanOrEqual(PHONE.height);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: path.join(SHOTS, 'ux-conversation-phone.png') });

    // The menu opens over the page, Escape closes it and gives the focus back to the button.
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await nav.getByRole('link', { name: 'Inbox' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'ux-menu-phone.png') });
    await page.keyboard.press('Escape');
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await nav.isVisible()).toBe(false);
    expect(await page.evaluate('document.activeElement?.getAttribute("aria-controls")')).toBe('dash-menu');

    // Choosing a page closes it.
    await menu.click();
    await nav.getByRole('link', { name: 'Inbox' }).click();
    await page.waitForURL((u) => u.pathname === `${base()}/inbox`);
    await expect.poll(() => menu.getAttribute('aria-expanded'), { timeout: T }).toBe('false');
    expect(await nav.isVisible()).toBe(false);

    // The list at 390 px: the row fits, and previews what the visitor said last, not the system's note after it.
    const row = page.locator(`[data-conversation-id="${conversationId}"]`);
    const rb = await box(row);
    expect(rb.x).toBeGreaterThanOrEqual(0);
    expect(rb.x + rb.width).toBeLessThanOrEqual(PHONE.width);
    expect(await row.locator('.inbox-preview').innerText()).toBe('Where is my parcel?');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: path.join(SHOTS, 'ux-inbox-phone.png') });
    await ctx.close();
  });

  it('on a desktop the sidebar stays, without a Menu button', async () => {
    const { ctx, page } = await signIn(`${base()}/inbox/${conversationId}`);
    expect(await page.getByRole('button', { name: 'Menu' }).isVisible()).toBe(false);
    expect(
      await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Inbox' }).isVisible(),
    ).toBe(true);
    const reply = await box(page.getByLabel('Reply to the visitor'));
    expect(reply.y + reply.height).toBeLessThanOrEqual(DESKTOP.height);
    // The conversation's times come from the one date helper.
    const time = (await page.locator('.thread time').first().getAttribute('title'))!;
    expect(time).toMatch(DATETIME);
    await ctx.close();
  });
});

describe('settings: one form, field errors in words', () => {
  it('marks a bad colour next to the field, saves once, never says "Saved" and "Unsaved" together', async () => {
    const { ctx, page } = await signIn(`${base()}/settings`);
    // One Save for the whole form.
    expect(await page.getByRole('button', { name: /^Save/ }).count()).toBe(1);
    const status = page.getByTestId('savebar').getByRole('status');
    const colour = page.getByLabel('Colour (hex)');

    await colour.fill('blue');
    const error = page.locator('[data-field-error=color]');
    await expect.poll(() => error.innerText()).toContain('# followed by six hexadecimal digits');
    expect(await colour.getAttribute('aria-invalid')).toBe('true');
    expect(await colour.getAttribute('aria-describedby')).toContain(await error.getAttribute('id'));
    // Words, never the pattern.
    expect(await page.locator('main').innerText()).not.toMatch(/\^#|\[0-9a-fA-F\]|\{6\}/);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => status.innerText()).toContain('Not saved: fix the field marked above.');
    expect(await page.evaluate('document.activeElement?.id')).toBe(await colour.getAttribute('id'));
    await page.screenshot({ path: path.join(SHOTS, 'ux-settings-error.png') });

    // A 200-character operator name: the preview cuts it, the header keeps its close button inside the panel.
    await colour.fill('#ff0066');
    await page.getByLabel('Operator name').fill('W'.repeat(200));
    const panel = await box(page.locator('.wp-panel'));
    const close = await box(page.locator('.wp-close'));
    expect(close.x + close.width).toBeLessThanOrEqual(panel.x + panel.width);
    expect(
      await page
        .locator('.wp-header')
        .evaluate((el: { scrollWidth: number; clientWidth: number }) => el.scrollWidth <= el.clientWidth),
    ).toBe(true);
    expect(await error.count()).toBe(0);
    expect(await colour.getAttribute('aria-invalid')).toBeNull();
    await expect.poll(() => status.innerText()).toBe('Unsaved changes (the preview shows them)');

    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => status.innerText(), { timeout: T }).toContain('Saved.');
    expect(await status.innerText()).not.toContain('Unsaved');
    const settings = (await db.project.findUniqueOrThrow({ where: { id: projectId } })).settings as Record<
      string,
      unknown
    >;
    expect(settings).toMatchObject({ color: '#ff0066' });
    expect(String(settings.operatorName)).toMatch(/^W{1,200}$/);
    await page.screenshot({ path: path.join(SHOTS, 'ux-settings-saved.png'), fullPage: true });

    // An edit after saving: only "Unsaved changes".
    await page.getByLabel('Greeting').fill('Hello again');
    await expect.poll(() => status.innerText()).toBe('Unsaved changes (the preview shows them)');
    await ctx.close();
  });
});

describe('settings: one screen per part', () => {
  it('splits the one form into tabs no taller than ~1,500 px, and a field error elsewhere opens its tab', async () => {
    const { ctx, page } = await signIn(`${base()}/settings`);
    const tabs = page.getByRole('tablist', { name: 'Settings' }).getByRole('tab');
    expect(await tabs.count()).toBe(5);
    for (let i = 0; i < 5; i++) {
      await tabs.nth(i).click();
      expect(await tabs.nth(i).getAttribute('aria-selected')).toBe('true');
      expect(await page.evaluate('document.documentElement.scrollHeight')).toBeLessThanOrEqual(1500);
    }
    // Still one Save for every tab; a bad colour found while another tab is shown brings its tab back.
    await tabs.first().click();
    await page.getByLabel('Colour (hex)').fill('nope');
    await page.getByRole('tab', { name: /Origins and identity/ }).click();
    expect(await page.getByRole('button', { name: /^Save/ }).count()).toBe(1);
    expect(await tabs.first().innerText()).toContain('1');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => tabs.first().getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate('document.activeElement?.id')).toBe('set-color');
    await page.screenshot({ path: path.join(SHOTS, 'ux-settings-tabs.png'), fullPage: true });
    await ctx.close();
  });
});

describe('chat apps: connect and disconnect', () => {
  it('connect buttons turn secondary once connected; Disconnect is secondary and asks first', async () => {
    const { ctx, page } = await signIn(`${base()}/bridges`);
    const checkToken = page.getByTestId('telegram-setup').getByRole('button', { name: 'Check token' });
    expect(await checkToken.getAttribute('class')).toBe('btn');

    await db.bridgeConnection.create({
      data: {
        organizationId: orgId,
        projectId,
        kind: 'telegram',
        credentials: 'sealed',
        targetId: '-1001',
        targetName: 'Support group',
      },
    });
    const slack = await db.bridgeConnection.create({
      data: {
        organizationId: orgId,
        projectId,
        kind: 'slack',
        credentials: 'sealed',
        targetId: 'C01',
        targetName: 'support',
        scopeName: 'Ux Co',
        lastSuccessAt: new Date(),
      },
    });
    await page.reload();
    expect(await checkToken.getAttribute('class')).toBe('btn secondary');
    const card = page.locator(`[data-connection-id="${slack.id}"]`);
    const disconnect = card.getByRole('button', { name: 'Disconnect' });
    expect(await disconnect.getAttribute('class')).toBe('btn danger-outline');
    const bg = await disconnect.evaluate(
      (el) =>
        (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el)
          .backgroundColor,
    );
    expect(bg).toBe('rgb(255, 255, 255)');
    // Dates from the one helper here too.
    expect((await card.locator('time').first().innerText()).trim()).toMatch(DATETIME);
    await page.screenshot({ path: path.join(SHOTS, 'ux-chat-apps.png'), fullPage: true });

    // Escape cancels: nothing is removed.
    await disconnect.click();
    const dialog = page.getByRole('dialog', { name: 'Disconnect Slack?' });
    await dialog.waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'ux-chat-apps-confirm.png') });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await db.bridgeConnection.count({ where: { id: slack.id } })).toBe(1);

    // Confirmed: gone.
    await disconnect.click();
    await dialog.getByRole('button', { name: 'Disconnect Slack' }).click();
    await card.waitFor({ state: 'detached' });
    expect(await db.bridgeConnection.count({ where: { id: slack.id } })).toBe(0);
    await ctx.close();
  });

  it('opened from onboarding, the page leads back to it', async () => {
    const { ctx, page } = await signIn(`${base()}/bridges?connect=slack&from=onboarding`);
    const back = page.getByRole('link', { name: '← Back to onboarding' });
    expect(await back.getAttribute('href')).toBe(`/app/onboarding?org=${orgId}&project=${projectId}&step=4`);
    await back.click();
    await page.waitForURL((u) => u.pathname === '/app/onboarding' && u.searchParams.get('step') === '4');
    // "Skip for now" (nothing connected in this project's onboarding? then it is secondary; "Next" is primary).
    const next = page.getByRole('link', { name: /Skip for now|Next: send a test message/ });
    const label = await next.innerText();
    expect(await next.getAttribute('class')).toBe(label === 'Skip for now' ? 'btn secondary' : 'btn');
    await ctx.close();
  });
});

describe('smaller defects of a first walk-through', () => {
  async function fresh(): Promise<{ page: Page; close(): Promise<void> }> {
    const ctx = await stack.browser.newContext({ viewport: DESKTOP });
    return { page: await ctx.newPage(), close: () => ctx.close() };
  }

  it('the login page has one field labelled Email', async () => {
    const { page, close } = await fresh();
    await page.goto(`${stack.webUrl}/login`);
    expect(await page.getByLabel('Email', { exact: true }).count()).toBe(1);
    // The sign-in link uses that same field, and says so when it is empty.
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    const email = page.getByLabel('Email', { exact: true });
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#login-email-error').innerText()).toContain('Enter your email address first');
    await close();
  });

  it('has an SVG favicon, and unknown pages are a branded 404 with a way back', async () => {
    const { page, close } = await fresh();
    const res = await page.goto(`${stack.webUrl}/no-such-page-${randomBytes(3).toString('hex')}`);
    expect(res?.status()).toBe(404);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Page not found');
    expect(await page.getByRole('link', { name: 'Go to your dashboard' }).getAttribute('href')).toBe('/app');
    const icon = await page.locator('link[rel=icon]').first().getAttribute('href');
    expect(icon).toMatch(/^\/icon\.svg/);
    const svg = await page.request.get(`${stack.webUrl}${icon}`);
    expect(svg.status()).toBe(200);
    expect(svg.headers()['content-type']).toContain('image/svg+xml');
    await page.screenshot({ path: path.join(SHOTS, 'ux-404.png') });
    await close();
  });

  it('writes dates one way on every page', async () => {
    const { ctx, page } = await signIn(`/app/o/${orgId}/team`);
    const joined = page.locator('table[data-testid=members] td[data-label=Joined]').first();
    expect((await joined.innerText()).trim()).toMatch(DATE);
    await ctx.close();
  });
});

describe('account: profile page and confirmations', () => {
  /** A 1×1 PNG: small, and real enough for the browser to draw. */
  const PNG = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    'base64',
  );

  async function teammate(): Promise<{ email: string; id: string }> {
    const mate = `pat-${randomBytes(3).toString('hex')}@example.test`;
    const user = await db.user.create({
      data: { email: mate, name: 'Pat', emailVerified: new Date(), passwordHash: await hashPassword(PASSWORD) },
    });
    await db.membership.create({ data: { organizationId: orgId, userId: user.id, role: 'admin' } });
    return { email: mate, id: user.id };
  }

  it('changes name and avatar (shown in the nav), then the password, and signs in with the new one', async () => {
    const pat = await teammate();
    const { ctx, page } = await signedInPage(stack, { email: pat.email, password: PASSWORD }, '/app/account', DESKTOP);
    // The two account pages link to each other.
    expect(await page.getByRole('link', { name: 'Notification settings' }).getAttribute('href')).toBe(
      '/app/account/notifications',
    );
    const identity = page.getByRole('region', { name: 'Name and avatar' });
    const name = identity.getByRole('textbox', { name: /^Name/ });
    await name.fill('');
    await identity.getByRole('button', { name: 'Save name' }).click();
    await expect
      .poll(() => identity.locator('[data-field-error=name]').innerText(), { timeout: T })
      .toBe('must not be empty');
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    await name.fill('Pat Jones');
    await identity.getByRole('button', { name: 'Save name' }).click();
    await expect
      .poll(() => page.getByTestId('profile-identity-status').innerText(), { timeout: T })
      .toBe('Name saved.');

    await identity.getByLabel('Avatar').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: PNG });
    const picture = identity.locator('img.avatar');
    await picture.waitFor({ timeout: T });
    await expect
      .poll(() =>
        picture.evaluate((el) => {
          const img = el as unknown as { complete: boolean; naturalWidth: number };
          return img.complete && img.naturalWidth;
        }),
      )
      .toBe(1);
    // A file that is not an image, whatever it claims: refused next to the field.
    await identity
      .getByLabel('Avatar')
      .setInputFiles({ name: 'x.png', mimeType: 'image/png', buffer: Buffer.from('<svg></svg>') });
    await expect
      .poll(() => identity.locator('[data-field-error=avatar]').innerText(), { timeout: T })
      .toContain('PNG, JPEG or WebP');
    await page.screenshot({ path: path.join(SHOTS, 'ux-profile.png'), fullPage: true });

    // The nav of the dashboard shows the name and the picture.
    await page.goto(`${stack.webUrl}/app/o/${orgId}/team`);
    const corner = page.getByTestId('dash-user');
    expect(await corner.innerText()).toContain('Pat Jones');
    expect(await corner.locator('img.avatar').getAttribute('src')).toMatch(
      new RegExp(`^/api/app/avatars/${pat.id}\\?v=`),
    );
    await corner.getByRole('link', { name: 'Profile' }).click();
    await page.waitForURL((u) => u.pathname === '/app/account');

    // Password: the wrong current one is refused next to its field; the right one changes it.
    const pw = page.getByRole('region', { name: 'Password' });
    await pw.getByLabel('Current password').fill('not my password');
    await pw.getByLabel('New password').fill('a brand new passphrase');
    await pw.getByRole('button', { name: 'Change password' }).click();
    await expect
      .poll(() => pw.locator('[data-field-error=currentPassword]').innerText(), { timeout: T })
      .toBe('is not your current password');
    await pw.getByLabel('Current password').fill(PASSWORD);
    await pw.getByRole('button', { name: 'Change password' }).click();
    await expect
      .poll(() => page.getByTestId('profile-password-status').innerText(), { timeout: T })
      .toContain('Password changed');
    // This browser stays signed in.
    await page.reload();
    await page.getByRole('heading', { name: 'Your profile' }).waitFor({ timeout: T });
    await ctx.close();

    const again = await signedInPage(stack, { email: pat.email, password: 'a brand new passphrase' }, '/app/account');
    expect(await again.page.getByTestId('profile-email').innerText()).toBe(pat.email);
    await again.ctx.close();
  });

  it('on a phone: the profile fits, and a team action asks in the dialog before it happens', async () => {
    const pat = await teammate();
    const invited = `ivy-${randomBytes(3).toString('hex')}@example.test`;
    await db.invitation.create({
      data: {
        organizationId: orgId,
        email: invited,
        role: 'agent',
        invitedById: pat.id,
        tokenHash: sha256(randomToken('inv_')),
        expiresAt: new Date(Date.now() + 86_400_000),
      },
    });
    const { ctx, page } = await signedInPage(stack, { email: pat.email, password: PASSWORD }, '/app/account', PHONE);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: path.join(SHOTS, 'ux-profile-phone.png'), fullPage: true });

    await page.goto(`${stack.webUrl}/app/o/${orgId}/team`);
    const row = page.locator('table[data-testid=invitations] tr', { hasText: invited });
    const dialog = page.getByRole('dialog', { name: 'Revoke this invitation?' });
    await row.getByRole('button', { name: 'Revoke' }).click();
    await dialog.waitFor({ timeout: T });
    expect(await dialog.innerText()).toContain(invited);
    const d = await box(dialog);
    expect(d.x).toBeGreaterThanOrEqual(0);
    expect(d.x + d.width).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: path.join(SHOTS, 'ux-confirm-phone.png') });
    // Cancel: nothing happens.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await dialog.isVisible()).toBe(false);
    expect(
      (await db.invitation.findFirstOrThrow({ where: { organizationId: orgId, email: invited } })).revokedAt,
    ).toBeNull();
    // Confirm: revoked.
    await row.getByRole('button', { name: 'Revoke' }).click();
    await dialog.getByRole('button', { name: 'Revoke invitation' }).click();
    await expect
      .poll(
        async () =>
          (await db.invitation.findFirst({ where: { organizationId: orgId, email: invited } }))?.revokedAt ?? null,
        {
          timeout: T,
        },
      )
      .not.toBeNull();
    await ctx.close();
  });
});
