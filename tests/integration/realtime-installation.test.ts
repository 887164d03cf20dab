// "Installation detected": the widget handshake — or, on a plain page view, the loader's GET /widget/boot — records
// widgetFirstSeenAt once and refreshes widgetLastSeenAt (throttled); a refused handshake or boot records nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@pocketping/core';
import { WIDGET_BOOT_PATH } from '@pocketping/protocol';
import { waitFor } from '@pocketping/testkit';
import { createInstallationRecorder } from '../../apps/realtime/src/widget/record-installation.js';
import { connectWidget, startHarness, type THarness } from './realtime-harness.js';

let h: THarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const seen = (projectId: string) =>
  h.db.project.findUniqueOrThrow({
    where: { id: projectId },
    select: { widgetFirstSeenAt: true, widgetLastSeenAt: true },
  });

describe('widget installation tracking', () => {
  it('the first accepted handshake sets widgetFirstSeenAt and widgetLastSeenAt', async () => {
    const t = await h.tenant();
    expect((await seen(t.projectId)).widgetFirstSeenAt).toBeNull();
    const before = Date.now();
    const w = await connectWidget(h.url, t);
    await waitFor(async () => (await seen(t.projectId)).widgetFirstSeenAt !== null, { timeoutMs: 5_000 });
    const s = await seen(t.projectId);
    expect(s.widgetFirstSeenAt!.getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect(s.widgetLastSeenAt!.getTime()).toBe(s.widgetFirstSeenAt!.getTime());
    // A second connection within the minute changes nothing (throttled) and the handshake still succeeds.
    const w2 = await connectWidget(h.url, t);
    expect(w2.session.visitorId).toBeTruthy();
    await new Promise((r) => setTimeout(r, 200));
    expect((await seen(t.projectId)).widgetLastSeenAt!.getTime()).toBe(s.widgetLastSeenAt!.getTime());
    w.close();
    w2.close();
  });

  it('a handshake refused for its origin records nothing', async () => {
    const t = await h.tenant();
    await expect(connectWidget(h.url, { ...t, origin: 'https://not-allowed.test' })).rejects.toMatchObject({
      data: { code: 'forbidden' },
    });
    await new Promise((r) => setTimeout(r, 200));
    expect((await seen(t.projectId)).widgetFirstSeenAt).toBeNull();
  });

  it('keeps the first-seen date and moves last-seen once the throttle has passed', async () => {
    const t = await h.tenant();
    const record = createInstallationRecorder(h.db, createLogger('rec-test', 'silent'), 50);
    record(t.organizationId, t.projectId);
    await waitFor(async () => (await seen(t.projectId)).widgetFirstSeenAt !== null, { timeoutMs: 5_000 });
    const first = await seen(t.projectId);
    await new Promise((r) => setTimeout(r, 80));
    record(t.organizationId, t.projectId);
    await waitFor(
      async () => (await seen(t.projectId)).widgetLastSeenAt!.getTime() > first.widgetLastSeenAt!.getTime(),
      { timeoutMs: 5_000 },
    );
    expect((await seen(t.projectId)).widgetFirstSeenAt!.getTime()).toBe(first.widgetFirstSeenAt!.getTime());
    // Another organization's id never touches this project.
    const other = await h.tenant();
    const settled = await seen(t.projectId);
    const r2 = createInstallationRecorder(h.db, createLogger('rec-test', 'silent'), 0);
    await new Promise((r) => setTimeout(r, 20));
    r2(other.organizationId, t.projectId);
    await new Promise((r) => setTimeout(r, 150));
    expect((await seen(t.projectId)).widgetLastSeenAt!.getTime()).toBe(settled.widgetLastSeenAt!.getTime());
  });

  it('GET /widget/boot: a page view on an allowed origin gets the launcher look and is recorded; bad calls get clear errors', async () => {
    const t = await h.tenant({ settings: { color: '#0f766e', position: 'left', language: 'fr' } });
    const boot = (init: { origin?: string; key?: string | null; method?: string } = {}) => {
      const key = init.key === undefined ? t.projectKey : init.key;
      return fetch(`${h.url}${WIDGET_BOOT_PATH}${key === null ? '' : `?key=${encodeURIComponent(key)}`}`, {
        method: init.method ?? 'GET',
        headers: { origin: init.origin ?? t.origin },
      });
    };
    const res = await boot();
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(t.origin);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(await res.json()).toEqual({ ok: true, appearance: { color: '#0f766e', position: 'left', language: 'fr' } });
    await waitFor(async () => (await seen(t.projectId)).widgetFirstSeenAt !== null, {
      what: 'installation recorded',
      timeoutMs: 5_000,
    });

    const other = await h.tenant();
    const refused = await fetch(`${h.url}${WIDGET_BOOT_PATH}?key=${encodeURIComponent(other.projectKey)}`, {
      headers: { origin: 'https://not-allowed.test' },
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await boot({ key: 'pk_unknown_key_000000' })).status).toBe(401);
    const missing = await boot({ key: null });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      error: { code: 'bad_request', message: expect.stringMatching(/key parameter/) },
    });
    expect((await boot({ method: 'POST' })).status).toBe(405);
    await new Promise((r) => setTimeout(r, 200));
    expect((await seen(other.projectId)).widgetFirstSeenAt).toBeNull();
    // A script hammering it from one address is cut off (the loader asks once per browser session). The limit is a
    // fixed one-minute window: a run that crosses a window's end starts counting again once, so twice the limit is
    // always enough (the loop takes far less than a minute).
    let limited: Response | null = null;
    for (let i = 0; i < 2 * 120 + 10 && !limited; i += 1) {
      const r = await boot();
      if (r.status === 429) limited = r;
      else await r.arrayBuffer();
    }
    expect(limited).not.toBeNull();
    expect(await limited!.json()).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
  });
});
