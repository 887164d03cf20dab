// Issue 15 in headless Chromium, against the built web app (`next start`), the real realtime server and the worker:
// - the dashboard's Webhooks page: add an endpoint (its signing secret shown once), send a test event, see its
//   delivery in the log once the worker delivered it (signed with that secret), replay it (same webhook-id);
// - `PocketPing.on(name, fn)` on a page with the widget receiving an event pushed with
//   POST /api/v1/visitors/:id/events — live while the page is open, and from the bounded queue when the visitor
//   comes back later.
// Build first: the widget (`pnpm --filter @pocketping/widget build`) and web into your own folder
// (`cd apps/web && NEXT_DIST_DIR=.next-x pnpm exec next build --webpack`), then run with the same NEXT_DIST_DIR.
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { Redis } from 'ioredis';
import { createApiKey } from '@pocketping/db';
import { isVisitorConnected } from '@pocketping/jobs';
import { signWebhook } from '@pocketping/webhooks';
import { TEST_REDIS_URL, freePort, startWebhookReceiver, waitFor, type TWebhookReceiver } from '@pocketping/testkit';
import { bootDashboardStack, signInNewOwner, type TDashboardStack } from './dashboard-stack.js';

let stack: TDashboardStack;
let receiver: TWebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  stack = await bootDashboardStack({
    realtime: true,
    webEnv: { WEBHOOK_FETCH_ALLOW: '127.0.0.1' },
    worker: { env: { WEBHOOK_FETCH_ALLOW: '127.0.0.1', SWEEP_INTERVAL_MS: '1000' } },
  });
});

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

describe('the Webhooks page', () => {
  it('adds an endpoint with its secret shown once, logs a delivery, and replays it with the same webhook-id', async () => {
    const { page, organizationId, project } = await signInNewOwner(stack, { orgName: 'Hooks Co' });
    await page.goto(`${stack.webUrl}/app/o/${organizationId}/p/${project.id}/webhooks`);
    await page.getByText('No webhook endpoints yet.').waitFor();

    const hookUrl = `${receiver.url}/pocketping`;
    await page.getByLabel('Endpoint URL').fill(hookUrl);
    await page.getByLabel('Description (optional)').fill('Order system');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secretBox = page.getByTestId('webhook-secret');
    const secret = (await secretBox.locator('code').innerText()).trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    const endpoint = page.getByTestId('webhook-endpoint');
    await endpoint.getByText(hookUrl).waitFor();
    // Shown once: gone after Done, and not on the page when it is loaded again.
    await secretBox.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => secretBox.count()).toBe(0);
    await page.reload();
    await endpoint.getByText(hookUrl).waitFor();
    expect(await page.content()).not.toContain(secret.slice('whsec_'.length));
    const stored = await stack.db.webhookEndpoint.findFirstOrThrow({ where: { organizationId } });
    expect(JSON.stringify(stored)).not.toContain(secret.slice('whsec_'.length));

    await endpoint.getByRole('button', { name: 'Send test event' }).click();
    await endpoint.getByText('Test event queued').waitFor();
    const first = await waitFor(() => receiver.received.find((r) => r.path === '/pocketping'), {
      what: 'the test event at the receiver',
      timeoutMs: 30_000,
    });
    expect(JSON.parse(first.body)).toMatchObject({ type: 'webhook.test' });
    // Signed with the secret the page showed (Standard Webhooks: id.timestamp.body).
    expect(first.signature.split(' ')).toContain(
      signWebhook({ id: first.id, timestampSeconds: Number(first.timestamp), body: first.body, secrets: [secret] }),
    );

    // The log shows it delivered (the page is server-rendered: load it again until the worker's record shows).
    const rows = endpoint.getByTestId('webhook-deliveries').locator('tbody tr');
    await expect
      .poll(
        async () => {
          await page.reload();
          return rows
            .first()
            .innerText()
            .catch(() => '');
        },
        { timeout: 30_000 },
      )
      .toMatch(/webhook\.test\s+delivered/);
    expect(await rows.count()).toBe(1);
    expect(await rows.first().innerText()).toContain('200');

    await rows.first().getByRole('button', { name: 'Replay' }).click();
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2);
    const again = await waitFor(() => receiver.received.filter((r) => r.path === '/pocketping')[1], {
      what: 'the replayed event',
      timeoutMs: 30_000,
    });
    expect(again.id).toBe(first.id);
    expect(again.body).toBe(first.body);
    await expect
      .poll(
        async () => {
          await page.reload();
          return (await rows.allInnerTexts()).filter((t) => /delivered/.test(t)).length;
        },
        { timeout: 30_000 },
      )
      .toBe(2);
    await page.context().close();
  });
});

describe('PocketPing.on on the site', () => {
  it('receives an event pushed by the API: live on the open page, and queued until the visitor comes back', async () => {
    // The customer's site: its own origin, with the snippet.
    const port = await freePort();
    const shop = `http://127.0.0.1:${port}`;
    const {
      page: dashboard,
      organizationId,
      project,
    } = await signInNewOwner(stack, {
      orgName: 'Shop Co',
      allowedOrigins: [shop],
    });
    await dashboard.context().close();
    const site = createServer((_, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<!doctype html><html><head><title>Shop</title></head><body><h1>A shop</h1><script async src="${stack.realtimeUrl}/widget/loader.js" data-project-key="${project.publicKey}"></script></body></html>`,
        ),
    );
    await new Promise<void>((r) => site.listen(port, '127.0.0.1', r));
    onTestFinished(() => new Promise<void>((r) => site.close(() => r())));
    const { key } = await createApiKey(stack.db, organizationId, { name: 'backend', scopes: ['read', 'write'] });
    const push = async (visitorId: string, name: string, data: unknown) => {
      const res = await fetch(`${stack.webUrl}/api/v1/visitors/${visitorId}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, data }),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { data: { delivery: string } }).data.delivery;
    };

    // The page's listener is registered through the snippet's command queue, before the widget loads.
    const context = await stack.browser.newContext({ viewport: { width: 1200, height: 800 } });
    await context.addInitScript(() => {
      const w = window as unknown as { ppPushed: unknown[]; PocketPing: unknown };
      w.ppPushed = [];
      w.PocketPing = { q: [['on', 'order.shipped', (d: unknown) => w.ppPushed.push(d)]] };
    });
    const pushed = (p: typeof page) => p.evaluate(() => (window as unknown as { ppPushed: unknown[] }).ppPushed);
    let page = await context.newPage();
    await page.goto(shop);
    const pp = (hook: string) => page.locator(`[data-pp="${hook}"]`);
    await pp('launcher').click();
    await pp('input').fill('Where is my order?');
    await pp('input').press('Enter');
    const conversation = await waitFor(
      () => stack.db.conversation.findFirst({ where: { organizationId, projectId: project.id } }),
      { what: 'the conversation', timeoutMs: 15_000 },
    );
    const visitorId = conversation.visitorId;

    expect(await push(visitorId, 'order.shipped', { order: 'A-1', carrier: 'PostCo' })).toBe('live');
    await expect.poll(() => pushed(page), { timeout: 15_000 }).toEqual([{ order: 'A-1', carrier: 'PostCo' }]);

    // The visitor leaves; the event waits in the queue and is delivered when they come back.
    await page.close();
    const redis = new Redis(TEST_REDIS_URL);
    try {
      await waitFor(async () => !(await isVisitorConnected(redis, stack.env.REDIS_PREFIX!, visitorId)), {
        what: 'the visitor gone',
        timeoutMs: 30_000,
      });
    } finally {
      redis.disconnect();
    }
    expect(await push(visitorId, 'order.shipped', { order: 'A-2' })).toBe('queued');
    page = await context.newPage();
    await page.goto(shop);
    // The stored conversation loads the chat at once; the queued event arrives without opening it.
    await expect.poll(() => pushed(page), { timeout: 20_000 }).toEqual([{ order: 'A-2' }]);
    await context.close();
  });
});
