// Backend → widget: pushVisitorEvent reaches the visitor's open widgets at once (every tab, through the Redis
// adapter as the web app or API would publish), and waits in a bounded queue for a visitor with no widget open.
import { Emitter } from '@socket.io/redis-emitter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VISITOR_EVENT_QUEUE_MAX, socketIoKey } from '@pocketping/jobs';
import { VISITOR_PUSH_EVENT, type TVisitorPushEvent } from '@pocketping/protocol';
import { waitFor } from '@pocketping/testkit';
import { pushVisitorEvent, type TPushVisitorEventPorts } from '@pocketping/webhooks';
import { connectWidget, startHarness, type THarness, type TTenant } from './realtime-harness.js';

let h: THarness;
let t: TTenant;
let other: TTenant;
let ports: TPushVisitorEventPorts;

beforeAll(async () => {
  h = await startHarness();
  t = await h.tenant();
  other = await h.tenant();
  ports = {
    db: h.db,
    redis: h.redis,
    redisPrefix: h.redisConfig.prefix,
    widget: new Emitter(h.redis, { key: socketIoKey(h.redisConfig) }).of('/widget'),
  };
});
afterAll(async () => {
  await h?.close();
});

const pushed = (events: { event: string; payload: unknown }[]) =>
  events.filter((e) => e.event === VISITOR_PUSH_EVENT).map((e) => e.payload as TVisitorPushEvent);

describe('pushVisitorEvent', () => {
  it('reaches every open tab of the visitor at once, and only that visitor', async () => {
    const a = await connectWidget(h.url, t);
    const a2 = await connectWidget(h.url, { ...t, visitorToken: a.session.visitorToken! });
    const b = await connectWidget(h.url, t);
    const scope = { organizationId: t.organizationId, projectId: t.projectId, visitorId: a.session.visitorId };
    const r = await pushVisitorEvent(ports, { ...scope, name: 'order.shipped', data: { orderId: 'A-1' } });
    expect(r.delivery).toBe('live');
    for (const tab of [a, a2]) await waitFor(() => pushed(tab.events).length > 0 || undefined, { what: 'live event' });
    expect(pushed(a.events)[0]).toMatchObject({ name: 'order.shipped', data: { orderId: 'A-1' } });
    expect(pushed(a2.events)).toHaveLength(1);
    await new Promise((res) => setTimeout(res, 200));
    expect(pushed(b.events)).toHaveLength(0);
    for (const c of [a, a2, b]) c.close();
  });

  it('queues for an offline visitor (bounded, oldest dropped) and delivers in order when they come back', async () => {
    const a = await connectWidget(h.url, t);
    const token = a.session.visitorToken!;
    const visitorId = a.session.visitorId;
    a.close();
    const scope = { organizationId: t.organizationId, projectId: t.projectId, visitorId };
    await waitFor(
      async () => (await pushVisitorEvent(ports, { ...scope, name: 'probe' })).delivery === 'queued' || undefined,
      {
        what: 'visitor offline',
      },
    );
    for (let i = 0; i < VISITOR_EVENT_QUEUE_MAX + 5; i++)
      await pushVisitorEvent(ports, { ...scope, name: 'n', data: i });
    const back = await connectWidget(h.url, { ...t, visitorToken: token });
    const got = await waitFor(
      () => (pushed(back.events).length >= VISITOR_EVENT_QUEUE_MAX ? pushed(back.events) : undefined),
      {
        what: 'queued events',
      },
    );
    expect(got).toHaveLength(VISITOR_EVENT_QUEUE_MAX);
    expect(got.map((e) => e.data)).toEqual(Array.from({ length: VISITOR_EVENT_QUEUE_MAX }, (_, i) => i + 5));
    back.close();
    // Taken once: another visit gets nothing again.
    const again = await connectWidget(h.url, { ...t, visitorToken: token });
    await new Promise((res) => setTimeout(res, 300));
    expect(pushed(again.events)).toHaveLength(0);
    again.close();
  });

  it("refuses another tenant's or project's visitor, reserved names and oversized data", async () => {
    const a = await connectWidget(h.url, t);
    const visitorId = a.session.visitorId;
    await expect(
      pushVisitorEvent(ports, {
        organizationId: other.organizationId,
        projectId: other.projectId,
        visitorId,
        name: 'x',
      }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      pushVisitorEvent(ports, { organizationId: t.organizationId, projectId: other.projectId, visitorId, name: 'x' }),
    ).rejects.toMatchObject({ code: 'not_found' });
    const scope = { organizationId: t.organizationId, projectId: t.projectId, visitorId };
    await expect(pushVisitorEvent(ports, { ...scope, name: 'open' })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(pushVisitorEvent(ports, { ...scope, name: 'bad name!' })).rejects.toMatchObject({
      code: 'bad_request',
    });
    await expect(pushVisitorEvent(ports, { ...scope, name: 'big', data: 'x'.repeat(9000) })).rejects.toMatchObject({
      code: 'bad_request',
    });
    await new Promise((res) => setTimeout(res, 200));
    expect(pushed(a.events)).toHaveLength(0);
    a.close();
  });
});
