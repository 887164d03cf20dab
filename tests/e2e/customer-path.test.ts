// The customer's whole path in headless Chromium against the real processes (web via `next start`, realtime,
// worker) and the fakes (SMTP, Telegram, Slack, Discord):
// sign up → the verification mail captured by the SMTP server → its link → onboarding (organization, site) → copy
// the snippet → a page on ANOTHER origin with that snippet; the visitor opens the widget → "Installation detected"
// turns green → connect Telegram (/link CODE in the forum group), Slack (bot token + channel) and Discord (OAuth2
// bot install + channel) → the visitor writes → the message shows live in the inbox → the owner replies from the
// web → the reply reaches the widget, the Telegram topic, the Slack thread and the Discord thread.
// Screenshots of the main pages go to docs/screenshots/ (viewport PNGs, 1280×800; the inbox, a conversation,
// settings and chat apps also at 390×844).
// Build first into your own folder: `cd apps/web && NEXT_DIST_DIR=.next-x pnpm exec next build --webpack`, then run
// with the same NEXT_DIST_DIR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createDb, type TDb } from '@pocketping/db';
import { CHROMIUM_ARGS, CHROMIUM_PATH, REPO_ROOT, freePort, waitFor } from '@pocketping/testkit';
import { bootCustomerStack, type TCustomerStack } from './customer-stack.js';

const SHOTS = path.join(REPO_ROOT, 'docs/screenshots');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const T = 30_000;

let stack: TCustomerStack;
let db: TDb;
let browser: Browser;
let site: Server;
let siteUrl = '';
let siteHtml = '<!doctype html><title>Acme storefront</title><p>No snippet yet</p>';

beforeAll(async () => {
  stack = await bootCustomerStack();
  db = createDb(stack.env.DATABASE_URL!);
  const port = await freePort();
  siteUrl = `http://127.0.0.1:${port}`; // another origin than the dashboard (localhost:<web port>)
  site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(siteHtml);
  });
  await new Promise<void>((r) => site.listen(port, '127.0.0.1', r));
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  mkdirSync(SHOTS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => (site ? site.close(r) : r(undefined)));
  await db?.$disconnect();
  await stack?.stop();
});

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, name) });

/** Every message of a Slack channel, thread replies included. */
function slackThreadReplies(channel: string): { parentTs: string; text: string }[] {
  const fake = stack.slack.fake;
  const parents = fake.messages(channel).filter((m) => !m.threadTs || m.threadTs === m.ts);
  return parents.flatMap((p) =>
    fake
      .messages(channel, p.ts)
      .filter((m) => m.ts !== p.ts)
      .map((m) => ({ parentTs: p.ts, text: m.text })),
  );
}

describe('the customer path', () => {
  it('sign up → onboarding → widget on another site → Telegram, Slack, Discord → visitor ↔ inbox ↔ bridges', async () => {
    const email = `founder-${randomBytes(4).toString('hex')}@acme.test`;
    const password = 'a long enough password';
    const context = await browser.newContext({ viewport: DESKTOP });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.webUrl });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // ---- Sign up, confirm the email from the captured mail. ----
    await page.goto(`${stack.webUrl}/signup`);
    await page.getByLabel('Work email').fill(email);
    await page.getByLabel('Your name').fill('Ada');
    await page.getByLabel('Password', { exact: true }).fill(password);
    await shot(page, '01-signup.png');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/check-email\?kind=verify/, { timeout: T });
    expect(await page.locator('main').innerText()).toContain(email);
    await shot(page, '02-check-email.png');
    const mail = await stack.smtp.waitForMail(email, (m) => m.subject === 'Confirm your email for PocketPing', T);
    const link = mail.links.find((l) => l.startsWith(stack.webUrl));
    expect(link).toBeDefined();
    await page.goto(link!);
    await page.waitForURL(`${stack.webUrl}/app/onboarding`, { timeout: T });
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(user.emailVerified).not.toBeNull();

    // ---- Onboarding: organization, then the site (its origin is allowed). ----
    await page.getByLabel('Organization name').fill('Acme Shop');
    await shot(page, '03-onboarding-org.png');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/app\/onboarding\?org=/, { timeout: T });
    await page.getByLabel('Site name').fill('Acme storefront');
    await page.getByLabel('Site URL').fill(`${siteUrl}/shop/`);
    await expect.poll(() => page.getByLabel('Allowed origins').inputValue(), { timeout: T }).toBe(siteUrl);
    await shot(page, '04-onboarding-site.png');
    await page.getByRole('button', { name: 'Create the project' }).click();
    await page.waitForURL(/project=/, { timeout: T });
    const url = new URL(page.url());
    const orgId = url.searchParams.get('org')!;
    const projectId = url.searchParams.get('project')!;
    const project = await db.project.findUniqueOrThrow({ where: { id: projectId } });
    expect(project.organizationId).toBe(orgId);
    expect(project.allowedOrigins).toContain(siteUrl);
    expect((await db.membership.findFirstOrThrow({ where: { organizationId: orgId, userId: user.id } })).role).toBe(
      'owner',
    );
    const projectBase = `${stack.webUrl}/app/o/${orgId}/p/${projectId}`;

    // ---- Copy the snippet, put it on the customer's site (another origin), the visitor opens the widget. ----
    const status = page.getByTestId('installation-status');
    await status.waitFor({ timeout: T });
    expect(await status.getAttribute('data-installed')).toBe('no');
    await page.getByRole('button', { name: 'Copy the snippet' }).click();
    const snippet = (await page.evaluate('navigator.clipboard.readText()')) as string;
    expect(snippet).toBe(await page.getByTestId('onboarding-snippet').innerText());
    expect(snippet).toContain(`data-project-key="${project.publicKey}"`);
    await shot(page, '05-onboarding-install-waiting.png');
    siteHtml = `<!doctype html><title>Acme storefront</title><h1>Acme storefront</h1><p>Blue mugs, red mugs.</p>${snippet}`;
    const visitorCtx = await browser.newContext({ viewport: DESKTOP });
    const visitor = await visitorCtx.newPage();
    const visitorErrors: string[] = [];
    visitor.on('pageerror', (e) => visitorErrors.push(e.message));
    await visitor.goto(`${siteUrl}/shop/`);
    await visitor.locator('[data-pp="launcher"]').click({ timeout: T });
    await expect.poll(() => status.getAttribute('data-installed'), { timeout: T }).toBe('yes');
    expect(await status.innerText()).toContain('Installation detected');
    await shot(page, '06-onboarding-installed.png');
    expect((await db.project.findUniqueOrThrow({ where: { id: projectId } })).widgetFirstSeenAt).not.toBeNull();

    // ---- Step 4: connect a chat app → the bridges page. ----
    await page.getByRole('link', { name: 'Next: connect a chat app' }).click();
    await expect.poll(() => page.locator('h1').innerText(), { timeout: T }).toBe('Answer from your chat app');
    await shot(page, '07-onboarding-chat-app.png');
    await page.locator('a.choice').filter({ hasText: 'Telegram' }).click();
    await page.waitForURL((u) => u.pathname === `/app/o/${orgId}/p/${projectId}/bridges`, { timeout: T });

    // Telegram: paste the token, send /link CODE in the forum group, the page polls until linked.
    const tg = page.getByTestId('telegram-setup');
    await tg.getByLabel('Bot token').fill(stack.telegram.botToken);
    await tg.getByRole('button', { name: 'Check token' }).click();
    const command = await tg.getByTestId('telegram-link-command').innerText({ timeout: T });
    expect(command).toMatch(/^\/link [A-Z2-9]{8}$/);
    expect(await tg.innerText()).toContain(`@${stack.telegram.botUsername}`);
    await shot(page, '08-bridges-telegram-link.png');
    await stack.telegram.fake.operatorWrites({
      token: stack.telegram.botToken,
      chatId: stack.telegram.chatId,
      threadId: 1,
      text: command,
      from: { id: 4242, first_name: 'Ada' },
    });
    await expect
      .poll(
        () =>
          tg
            .getByRole('status')
            .innerText()
            .catch(() => ''),
        { timeout: T },
      )
      .toContain('Linked');
    await expect
      .poll(() => page.locator('[data-testid=connections] [data-kind=telegram]').count(), { timeout: T })
      .toBe(1);

    // Slack: a bot token of the customer's own app, then the channel picker (#support is preselected).
    const sl = page.getByTestId('slack-setup');
    await sl.getByRole('button', { name: 'Use a bot token instead' }).click();
    await sl.getByLabel('Bot token').fill(stack.slack.botToken);
    await sl.getByRole('button', { name: 'Check token' }).click();
    const channelSelect = sl.locator('select');
    await channelSelect.waitFor({ timeout: T });
    expect(await channelSelect.inputValue()).toBe(stack.slack.supportChannel);
    await sl.getByRole('button', { name: 'Connect channel' }).click();
    await expect
      .poll(
        () =>
          sl
            .getByRole('status')
            .innerText()
            .catch(() => ''),
        { timeout: T },
      )
      .toContain('Connected to #support');
    await expect
      .poll(() => page.locator('[data-testid=connections] [data-kind=slack]').count(), { timeout: T })
      .toBe(1);

    // Discord: "Add the bot to your server" is Discord's OAuth2 bot install. DISCORD_API_URL points at the fake, and
    // the install link follows it to the fake's consent screen, which approves for the server named by guild_id (as
    // an admin choosing "Acme" would) and sends the browser back with code, state and guild_id.
    const dc = page.getByTestId('discord-setup');
    await dc.getByRole('button', { name: 'Set up Discord' }).click();
    const installLink = dc.getByTestId('discord-install-link');
    const install = new URL((await installLink.getAttribute('href', { timeout: T })) ?? '');
    expect(`${install.origin}${install.pathname}`).toBe(
      new URL('/oauth2/authorize', stack.discord.fake.apiUrl).toString(),
    );
    expect(install.searchParams.get('redirect_uri')).toBe(`${stack.webUrl}/api/integrations/discord/callback`);
    expect(install.searchParams.get('scope')).toContain('bot');
    await installLink.evaluate((a, guildId) => {
      const link = a as unknown as { href: string }; // the <a> (no DOM types in the tests' tsconfig)
      const url = new URL(link.href);
      url.searchParams.set('guild_id', guildId);
      link.href = url.toString();
    }, stack.discord.guildId);
    await installLink.click();
    await expect
      .poll(() => new URL(page.url()).searchParams.get('discordGuild'), { timeout: T })
      .toBe(stack.discord.guildId);
    const dcBack = page.getByTestId('discord-setup');
    await expect
      .poll(
        () =>
          dcBack
            .getByTestId('discord-guild')
            .innerText()
            .catch(() => ''),
        { timeout: T },
      )
      .toContain('Acme');
    const dcChannel = dcBack.getByLabel('Text channel');
    await dcChannel.waitFor({ timeout: T });
    expect(await dcChannel.inputValue()).toBe(stack.discord.channelId);
    await dcBack.getByRole('button', { name: 'Connect channel' }).click();
    await expect
      .poll(
        () =>
          dcBack
            .getByRole('status')
            .innerText()
            .catch(() => ''),
        { timeout: T },
      )
      .toContain('Connected to #support');
    await expect
      .poll(() => page.locator('[data-testid=connections] [data-kind=discord]').count(), { timeout: T })
      .toBe(1);
    // The cards name what was connected (stored when connecting), not the platforms' ids.
    const card = (kind: string) => page.locator(`[data-testid=connections] [data-kind=${kind}]`).innerText();
    await expect.poll(() => card('telegram'), { timeout: T }).toContain('Group "Acme support"');
    expect(await card('slack')).toContain('#support · workspace Acme');
    expect(await card('discord')).toContain('#support · server Acme');
    expect(await card('telegram')).not.toContain(String(stack.telegram.chatId));
    expect(await card('slack')).not.toContain(stack.slack.supportChannel);
    expect(await card('discord')).not.toContain(stack.discord.channelId);
    await page.evaluate('window.scrollTo(0, 0)');
    await shot(page, '09-bridges-connected.png');
    const connections = await db.bridgeConnection.findMany({ where: { organizationId: orgId, projectId } });
    expect(connections.map((c) => c.kind).sort()).toEqual(['discord', 'slack', 'telegram']);

    // ---- Back in onboarding: step 5. ----
    await page.goto(`${stack.webUrl}/app/onboarding?org=${orgId}&project=${projectId}&step=4`);
    await expect.poll(() => page.locator('main').innerText(), { timeout: T }).toContain('3 chat apps connected');
    await page.getByRole('link', { name: 'Next: send a test message' }).click();
    await expect.poll(() => page.locator('h1').innerText(), { timeout: T }).toBe('Send a test message');
    await shot(page, '10-onboarding-test.png');

    // ---- The inbox, live: the visitor writes on the customer's site. ----
    await page.getByRole('link', { name: 'Go to the inbox' }).click();
    await page.waitForURL((u) => u.pathname === `/app/o/${orgId}/p/${projectId}/inbox`, { timeout: T });
    await page.locator('.inbox-live[data-state=live]').waitFor({ timeout: T });
    const question = 'Hi! Is the blue mug back in stock?';
    await visitor.locator('[data-pp="input"]').fill(question);
    await visitor.locator('[data-pp="input"]').press('Enter');
    const stored = await waitFor(() => db.message.findFirst({ where: { organizationId: orgId, body: question } }), {
      what: 'visitor message stored',
      timeoutMs: T,
    });
    const row = page.locator(`[data-conversation-id="${stored.conversationId}"]`);
    await row.waitFor({ timeout: T });
    expect(await row.innerText()).toContain('blue mug');
    await shot(page, '11-inbox-list.png');

    // The visitor's message reached every bridge (a topic, a thread, a thread).
    const topic = await waitFor(() => stack.telegram.fake.topics(stack.telegram.chatId)[0], {
      what: 'telegram topic',
      timeoutMs: T,
    });
    await waitFor(
      () => stack.telegram.fake.messages(stack.telegram.chatId, topic.threadId).some((m) => m.text?.includes(question)),
      { what: 'question in the topic', timeoutMs: T },
    );
    await waitFor(
      () =>
        stack.slack.fake.messages(stack.slack.supportChannel).some((m) => m.text.includes('blue mug')) ||
        slackThreadReplies(stack.slack.supportChannel).some((m) => m.text.includes('blue mug')),
      { what: 'question in slack', timeoutMs: T },
    );
    const dThread = await waitFor(() => stack.discord.fake.threads(stack.discord.channelId)[0], {
      what: 'discord thread',
      timeoutMs: T,
    });
    await waitFor(() => stack.discord.fake.messages(dThread.id).some((m) => m.content.includes('blue mug')), {
      what: 'question in the discord thread',
      timeoutMs: T,
    });

    // ---- The owner replies from the web. ----
    await row.click();
    await page.waitForURL((u) => u.pathname === `/app/o/${orgId}/p/${projectId}/inbox/${stored.conversationId}`, {
      timeout: T,
    });
    await page.locator('.inbox-live[data-state=live]').waitFor({ timeout: T });
    expect(await page.getByTestId('thread').innerText()).toContain(question);
    const answer = 'Yes! It is back since Monday.';
    await page.getByLabel('Reply to the visitor').fill(answer);
    await page.getByRole('button', { name: 'Send reply' }).click();
    await expect.poll(() => page.getByTestId('thread').innerText(), { timeout: T }).toContain(answer);
    await shot(page, '12-conversation.png');

    // The reply reaches the widget…
    const reply = visitor.locator('[data-pp="message"][data-sender="operator"]').filter({ hasText: answer });
    await expect.poll(() => reply.count(), { timeout: T }).toBe(1);
    await visitor.screenshot({ path: path.join(SHOTS, '13-widget-on-customer-site.png') });
    // …the Telegram topic, the Slack thread and the Discord thread.
    await waitFor(
      () =>
        stack.telegram.fake
          .messages(stack.telegram.chatId, topic.threadId)
          .some((m) => m.fromBot && m.text?.includes(answer)),
      { what: 'reply in the telegram topic', timeoutMs: T },
    );
    const slackReply = await waitFor(
      () => slackThreadReplies(stack.slack.supportChannel).find((m) => m.text.includes(answer)),
      { what: 'reply in the slack thread', timeoutMs: T },
    );
    expect(slackReply.parentTs).toBeTruthy();
    await waitFor(() => stack.discord.fake.messages(dThread.id).some((m) => m.content.includes(answer)), {
      what: 'reply in the discord thread',
      timeoutMs: T,
    });
    expect(stack.telegram.fake.topics(stack.telegram.chatId)).toHaveLength(1);
    expect(stack.discord.fake.threads(stack.discord.channelId)).toHaveLength(1);

    // ---- The inbox on a phone. ----
    await page.goto(`${projectBase}/inbox`);
    await page.setViewportSize(PHONE);
    await page.locator(`[data-conversation-id="${stored.conversationId}"]`).waitFor({ timeout: T });
    await shot(page, '14-inbox-phone.png');
    // The conversation on the phone: the reply box in the first screen, the sidebar folded into the Menu button.
    await page.goto(`${projectBase}/inbox/${stored.conversationId}`);
    await page.getByLabel('Reply to the visitor').waitFor({ timeout: T });
    await shot(page, '19-conversation-phone.png');
    await page.goto(`${projectBase}/settings`);
    await page.getByTestId('widget-preview').waitFor({ timeout: T });
    await shot(page, '20-settings-phone.png');
    await page.goto(`${projectBase}/bridges`);
    await page.getByTestId('connections').waitFor({ timeout: T });
    await shot(page, '21-bridges-phone.png');
    await page.setViewportSize(DESKTOP);

    // ---- The other main pages. ----
    await page.goto(`${projectBase}/install`);
    expect(await page.getByTestId('installation-status').getAttribute('data-installed')).toBe('yes');
    await shot(page, '15-install.png');
    await page.goto(`${projectBase}/settings`);
    await page.getByTestId('widget-preview').waitFor({ timeout: T });
    await shot(page, '16-settings.png');
    await page.goto(`${stack.webUrl}/app/o/${orgId}/team`);
    await expect.poll(() => page.locator('main').innerText(), { timeout: T }).toContain(email);
    await shot(page, '17-team.png');
    await page.goto(`${stack.webUrl}/app/o/${orgId}/api-keys`);
    await expect.poll(() => page.locator('h1').first().innerText(), { timeout: T }).toMatch(/API keys/i);
    await shot(page, '18-api-keys.png');

    expect(errors).toEqual([]);
    expect(visitorErrors).toEqual([]);
    await visitorCtx.close();
    await context.close();
  }, 600_000);
});
