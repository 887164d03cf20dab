// The stats page in the built web app (`next start`), in headless Chromium set to Tokyo time: a project with a seeded
// month of conversations (known first-response delays, channels, ratings, closes, two never answered, and five in
// the month before), and the page's figures, its tables (the accessible view of every chart), the 7-day preset
// against the week before, a custom day, the CSV export and the organization's page must match the seed.
// Screenshot: artifacts/screenshots/stats-month.png.
// Build first into your own folder: `cd apps/web && NEXT_DIST_DIR=.next-x pnpm exec next build --webpack`, then run
// with the same NEXT_DIST_DIR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { createOrganizationWithOwner, createProject, type TDb } from '@pocketping/db';
import { hashPassword } from '../../apps/web/src/server/auth/password';
import { SHOTS, bootDashboardStack, type TDashboardStack } from './dashboard-stack.js';

let stack: TDashboardStack;
let db: TDb;

beforeAll(async () => {
  stack = await bootDashboardStack({});
  ({ db } = stack);
});
afterAll(async () => stack?.stop());

const PASSWORD = 'correct horse battery';
const TZ = 'Asia/Tokyo'; // UTC+9 all year: local wall times map to UTC without DST surprises
const DAY_MS = 24 * 60 * 60 * 1000;
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

const tokyoToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(new Date());
const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const tokyo = (date: string, hour: number) => new Date(`${date}T${String(hour).padStart(2, '0')}:00:00+09:00`);
/** ISO weekday (Monday = 0 here, as the table's rows) of a calendar date. */
const weekdayOf = (date: string) => (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;

type TSeedConversation = {
  date: string;
  hour: number;
  reply?: { afterSeconds: number; sender: 'operator' | 'ai'; source: string };
  closedAfterSeconds?: number;
  csat?: number;
  projectId?: string;
};

async function seedConversation(orgId: string, projectId: string, visitorId: string, s: TSeedConversation) {
  const createdAt = tokyo(s.date, s.hour);
  const conversation = await db.conversation.create({
    data: {
      organizationId: orgId,
      projectId: s.projectId ?? projectId,
      visitorId,
      status: s.closedAfterSeconds ? 'closed' : 'open',
      closedAt: s.closedAfterSeconds ? new Date(createdAt.getTime() + s.closedAfterSeconds * 1000) : null,
      csatScore: s.csat ?? null,
      csatAt: s.csat ? new Date(createdAt.getTime() + 2 * 60 * 60 * 1000) : null,
      nextSeq: s.reply ? 3 : 2,
      createdAt,
    },
  });
  await db.message.create({
    data: {
      organizationId: orgId,
      conversationId: conversation.id,
      seq: 1,
      sender: 'visitor',
      body: 'Where is my order?',
      source: 'widget',
      createdAt: new Date(createdAt.getTime() + 1000),
    },
  });
  if (s.reply)
    await db.message.create({
      data: {
        organizationId: orgId,
        conversationId: conversation.id,
        seq: 2,
        sender: s.reply.sender,
        body: 'On its way.',
        source: s.reply.source,
        createdAt: new Date(createdAt.getTime() + 1000 + s.reply.afterSeconds * 1000),
      },
    });
}

/** The cells of a chart's table view, row header → the row's cells (the chart's "Show table" pressed first). */
async function tableOf(page: Page, chart: string): Promise<Map<string, string[]>> {
  const card = page.getByTestId(`chart-${chart}`);
  const toggle = card.getByRole('button', { name: 'Show table' });
  if (await toggle.isVisible()) await toggle.click();
  const rows = card.locator('tbody tr');
  await expect.poll(() => rows.count()).toBeGreaterThan(0);
  const out = new Map<string, string[]>();
  for (const row of await rows.all()) {
    const head = (await row.locator('th').textContent())!.trim();
    out.set(
      head,
      (await row.locator('td').allTextContents()).map((t) => t.trim()),
    );
  }
  return out;
}

const figure = (page: Page, id: string): Locator => page.getByTestId(`stat-${id}`);

describe('stats page', () => {
  it("shows a seeded month's figures, in the viewer's time zone, with tables and a CSV of the same numbers", async () => {
    const email = `sam-${randomBytes(3).toString('hex')}@example.test`;
    const { organization, userId } = await createOrganizationWithOwner(db, { email, orgName: 'Stats Co' });
    await db.user.update({
      where: { id: userId },
      data: { emailVerified: new Date(), passwordHash: await hashPassword(PASSWORD) },
    });
    const orgId = organization.id;
    const project = await createProject(db, orgId, { name: 'Shop', allowedOrigins: ['https://shop.test'] });
    const other = await createProject(db, orgId, { name: 'Blog', allowedOrigins: ['https://blog.test'] });
    const visitor = await db.visitor.create({
      data: { organizationId: orgId, projectId: project.id, tokenHash: `h_${randomBytes(8).toString('hex')}` },
    });

    // The month: on day today−i (i = 1…29), i % 4 conversations at 09:00, 10:00, 11:00 Tokyo. The k-th of a day is
    // answered after (k+1) minutes: the first from the dashboard (and closed an hour later), the second from
    // Telegram, the third by the AI. The first of the days i ≡ 1 (mod 4) is rated, 5 and 4 in turn.
    const today = tokyoToday();
    const seed: TSeedConversation[] = [];
    const sources = [
      { sender: 'operator', source: 'web' },
      { sender: 'operator', source: 'telegram' },
      { sender: 'ai', source: 'ai' },
    ] as const;
    let rated = 0;
    for (let i = 1; i <= 29; i++) {
      const date = addDays(today, -i);
      for (let k = 0; k < i % 4; k++) {
        const rate = k === 0 && i % 4 === 1;
        seed.push({
          date,
          hour: 9 + k,
          reply: { afterSeconds: 60 * (k + 1), ...sources[k]! },
          ...(k === 0 ? { closedAfterSeconds: 3600 } : {}),
          ...(rate ? { csat: rated++ % 2 === 0 ? 5 : 4 } : {}),
        });
      }
    }
    // Two never answered, yesterday-but-one at 15:00; five in the month before; one in the other project.
    seed.push({ date: addDays(today, -2), hour: 15 }, { date: addDays(today, -2), hour: 15 });
    for (let j = 0; j < 5; j++)
      seed.push({
        date: addDays(today, -35),
        hour: 12,
        reply: { afterSeconds: 600, sender: 'operator', source: 'slack' },
      });
    seed.push({ date: addDays(today, -3), hour: 9, projectId: other.id });
    for (const s of seed) await seedConversation(orgId, project.id, visitor.id, s);

    const month = seed.filter((s) => !s.projectId && s.date >= addDays(today, -29));
    expect(month).toHaveLength(45);

    const ctx = await stack.browser.newContext({
      viewport: { width: 1280, height: 900 },
      timezoneId: TZ,
      acceptDownloads: true,
    });
    const page = await ctx.newPage();
    const next = `/app/o/${orgId}/p/${project.id}/stats`;
    await page.goto(`${stack.webUrl}/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Email', { exact: true }).first().fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === next);

    // Last 30 days (the default): today−29 … today in Tokyo.
    await expect
      .poll(() => page.getByTestId('stats-ready').getAttribute('data-query'), { timeout: 30_000 })
      .toContain(`from=${addDays(today, -29)}&to=${today}&tz=Asia%2FTokyo`);
    const value = async (id: string) => (await figure(page, id).locator('[data-value]').textContent())!.trim();
    const previous = async (id: string) => (await figure(page, id).locator('[data-previous]').textContent())!.trim();
    expect(await value('conversations')).toBe('45');
    expect(await previous('conversations')).toBe('5');
    // 43 answered: 22 after 1 min, 14 after 2 min, 7 after 3 min → median 1 min, p90 3 min.
    expect(await value('first-response')).toBe('1 min');
    expect(await figure(page, 'first-response').textContent()).toContain('p90 3 min');
    expect(await previous('first-response')).toBe('10 min');
    expect(await value('resolution')).toBe('1 h');
    expect(await value('csat')).toBe('4.50');
    expect(await figure(page, 'csat').textContent()).toContain('8 ratings');
    expect(await value('unanswered')).toBe('2');
    expect(await value('waiting')).toBe('2');
    await page.screenshot({ path: path.join(SHOTS, 'stats-month.png'), fullPage: true });

    const perDay = await tableOf(page, 'per-day');
    expect(perDay.size).toBe(30);
    for (let i = 0; i <= 29; i++) {
      const date = addDays(today, -i);
      expect(perDay.get(date)?.[0], date).toBe(String(month.filter((s) => s.date === date).length));
    }
    const answeredBy = await tableOf(page, 'answered-by');
    expect(answeredBy.get('Dashboard')).toEqual(['22', '51 %']);
    expect(answeredBy.get('Telegram')).toEqual(['14', '33 %']);
    expect(answeredBy.get('AI')).toEqual(['7', '16 %']);
    expect(answeredBy.get('Slack')).toEqual(['0', '0 %']);
    const csat = await tableOf(page, 'csat');
    expect([1, 2, 3, 4, 5].map((n) => csat.get(String(n))?.[0])).toEqual(['0', '0', '0', '4', '4']);
    // Busiest hours in Tokyo time: every seeded conversation in its weekday row and hour column, nothing else.
    const heat = await tableOf(page, 'heatmap');
    const expected = WEEKDAYS.map(() => Array.from({ length: 24 }, () => 0));
    for (const s of month) expected[weekdayOf(s.date)]![s.hour]! += 1;
    expect(WEEKDAYS.map((d) => heat.get(d))).toEqual(expected.map((row) => row.map(String)));

    // The CSV export: the same figures.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('section,key,current,previous,previous_date');
    expect(csv).toContain('\r\nsummary,conversations,45,5,\r\n');
    expect(csv).toContain('\r\nfirst_response,median_seconds,60,600,\r\n');
    expect(csv).toContain('\r\nanswered_by,telegram,14,0,\r\n');
    expect(csv).toContain(`\r\nper_day,${addDays(today, -2)},4,`);

    // Last 7 days against the 7 before: 1+2+3+0+1+2 (+2 never answered) = 11 against 3+0+1+2+3+0+1 = 10.
    await page.getByRole('button', { name: 'Last 7 days' }).click();
    await expect
      .poll(() => page.getByTestId('stats-ready').getAttribute('data-query'))
      .toContain(`from=${addDays(today, -6)}&to=${today}`);
    expect(await value('conversations')).toBe('11');
    expect(await previous('conversations')).toBe('10');
    // A custom day: yesterday-but-one, 2 answered + 2 never answered.
    await page.getByRole('button', { name: 'Custom' }).click();
    await page.getByLabel('From').fill(addDays(today, -2));
    await page.getByLabel('To').fill(addDays(today, -2));
    await expect
      .poll(() => page.getByTestId('stats-ready').getAttribute('data-query'))
      .toContain(`from=${addDays(today, -2)}&to=${addDays(today, -2)}`);
    expect(await value('conversations')).toBe('4');
    expect(await value('unanswered')).toBe('2');

    // The organization's page: every project (the Blog's one too), or one chosen.
    await page.getByRole('navigation').getByRole('link', { name: 'Organization stats' }).click();
    await page.waitForURL((u) => u.pathname === `/app/o/${orgId}/stats`);
    await expect.poll(() => page.getByTestId('stats-ready').getAttribute('data-query')).toContain('from=');
    expect(await value('conversations')).toBe('46');
    await page.getByLabel('Project').last().selectOption({ label: 'Shop' });
    await expect
      .poll(() => page.getByTestId('stats-ready').getAttribute('data-query'))
      .toContain(`projectId=${project.id}`);
    expect(await value('conversations')).toBe('45');
    await ctx.close();
  });
});
