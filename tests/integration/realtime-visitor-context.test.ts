// The inbox's visitor context (issue 16): the widget's handshake reports the browser's time zone and the session's
// pages, an in-page navigation reports them again (`pages`), and the inbox reads them with the visitor's past
// conversations. Each rule is checked where it is enforced: the zone is validated (an unknown one is dropped, the
// connection kept), pages are bounded (count, URL length, unstorable characters) and stored once each, only the
// newest 20 stay, and past conversations never cross a visitor, a project or an organization.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@pocketping/testkit';
import {
  appendMessage,
  createProject,
  getOrCreateOpenConversation,
  listPastConversations,
  listVisitorPageViews,
} from '@pocketping/db';
import type { TSendAck } from '@pocketping/protocol';
import { clientId, connectWidget, startHarness, type THarness } from './realtime-harness.js';

let h: THarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const errCode = (r: unknown) => (r as { error?: { code?: string } }).error?.code;

async function pagesOf(organizationId: string, visitorId: string) {
  return listVisitorPageViews(h.db, organizationId, visitorId);
}

describe('visitor context reported by the widget', () => {
  it('stores a known zone and the session pages with times on the server clock; an unknown zone is dropped', async () => {
    const t = await h.tenant();
    const now = Date.now();
    // The browser's clock is 10 minutes behind the server's: page times move by that offset.
    const skew = 10 * 60_000;
    const a = await connectWidget(h.url, {
      ...t,
      auth: {
        timeZone: 'Asia/Tokyo',
        pages: [
          ['https://shop.test/', now - skew - 60_000],
          ['https://shop.test/pricing', now - skew - 1_000],
        ],
        now: now - skew,
      },
    });
    const visitorId = a.session.visitorId;
    await waitFor(async () => (await pagesOf(t.organizationId, visitorId)).length === 2);
    const v = await h.db.visitor.findUniqueOrThrow({ where: { id: visitorId } });
    expect(v.timeZone).toBe('Asia/Tokyo');
    const pages = await pagesOf(t.organizationId, visitorId);
    expect(pages.map((p) => p.url)).toEqual(['https://shop.test/pricing', 'https://shop.test/']);
    // ~1 s and ~60 s before the server's "now", not 10 minutes earlier.
    expect(Math.abs(pages[0]!.seenAt.getTime() - (now - 1_000))).toBeLessThan(5_000);
    expect(Math.abs(pages[1]!.seenAt.getTime() - (now - 60_000))).toBeLessThan(5_000);
    a.close();

    // The same visitor with an invalid zone: still connected, the known zone kept.
    const b = await connectWidget(h.url, {
      ...t,
      visitorToken: a.session.visitorToken,
      auth: { timeZone: 'Mars/Olympus_Mons' },
    });
    expect(b.session.visitorId).toBe(visitorId);
    const sent = await b.ack<TSendAck>('message:send', { clientId: clientId(), body: 'still here' });
    expect(sent.ok).toBe(true);
    expect((await h.db.visitor.findUniqueOrThrow({ where: { id: visitorId } })).timeZone).toBe('Asia/Tokyo');
    b.close();

    // A zone that is not even a string, or a huge one: dropped, the connection accepted.
    const c = await connectWidget(h.url, { ...t, auth: { timeZone: { evil: true } } });
    const d = await connectWidget(h.url, { ...t, auth: { timeZone: 'Europe/'.padEnd(5_000, 'x') } });
    expect(c.session.visitorId).toBeTruthy();
    expect(d.session.visitorId).toBeTruthy();
    const sentC = await c.ack<TSendAck>('message:send', { clientId: clientId(), body: 'hello' });
    expect(sentC.ok).toBe(true);
    expect((await h.db.visitor.findUniqueOrThrow({ where: { id: c.session.visitorId } })).timeZone).toBeNull();
    c.close();
    d.close();
  });

  it('bounds the pages: bad entries dropped, the rest kept; a reconnect stores nothing twice; only the newest 20 stay', async () => {
    const t = await h.tenant();
    // Pages seconds apart, as real ones are: each report's clock offset is measured anew, with a few ms of jitter.
    const at = Date.now() - 100_000;
    const a = await connectWidget(h.url, {
      ...t,
      auth: {
        pages: [
          ['https://shop.test/ok', at],
          ['https://shop.test/'.padEnd(600, 'x'), at + 1], // over 500 characters
          ['https://shop.test/nul\u0000', at + 2], // unstorable
          ['https://shop.test/no-time'],
          'not a pair',
          ['https://shop.test/ok-2', at + 3],
        ],
        now: Date.now(),
      },
    });
    const visitorId = a.session.visitorId;
    await waitFor(async () => (await pagesOf(t.organizationId, visitorId)).length === 2);
    expect((await pagesOf(t.organizationId, visitorId)).map((p) => p.url)).toEqual([
      'https://shop.test/ok-2',
      'https://shop.test/ok',
    ]);

    // An in-page navigation sends the whole list again: only the new page is stored.
    const list: [string, number][] = [
      ['https://shop.test/ok', at],
      ['https://shop.test/ok-2', at + 3],
      ['https://shop.test/cart', at + 5_000],
    ];
    expect(await a.ack('pages', { pages: list, now: Date.now() })).toEqual({ ok: true });
    expect(await a.ack('pages', { pages: list, now: Date.now() })).toEqual({ ok: true });
    expect((await pagesOf(t.organizationId, visitorId)).map((p) => p.url)).toEqual([
      'https://shop.test/cart',
      'https://shop.test/ok-2',
      'https://shop.test/ok',
    ]);

    // A malformed report is refused with a clear error and stores nothing.
    expect(errCode(await a.ack('pages', { pages: 'everything' }))).toBe('bad_request');
    expect(errCode(await a.ack('pages', { pages: list }))).toBe('bad_request'); // no clock
    expect(await pagesOf(t.organizationId, visitorId)).toHaveLength(3);

    // 30 more pages over a few reports: the newest 20 stay.
    for (let batch = 0; batch < 3; batch++) {
      const more = Array.from({ length: 10 }, (_, i): [string, number] => [
        `https://shop.test/p/${batch * 10 + i}`,
        at + 10_000 + (batch * 10 + i) * 1_000,
      ]);
      expect(await a.ack('pages', { pages: more, now: Date.now() })).toEqual({ ok: true });
    }
    const kept = await pagesOf(t.organizationId, visitorId);
    expect(kept).toHaveLength(20);
    expect(kept[0]!.url).toBe('https://shop.test/p/29');
    expect(kept[19]!.url).toBe('https://shop.test/p/10');
    expect(await h.db.visitorPageView.count({ where: { visitorId } })).toBe(20);
    a.close();
  });
});

describe('past conversations', () => {
  it('lists only the same visitor in the same project, newest first, with the first line and status', async () => {
    const t = await h.tenant();
    const a = await connectWidget(h.url, t);
    const visitorId = a.session.visitorId;
    const scope = { organizationId: t.organizationId, projectId: t.projectId };

    const first = await a.ack<TSendAck>('message:send', {
      clientId: clientId(),
      body: 'Where is my order?\nIt is late',
    });
    if (!first.ok) throw new Error('send failed');
    await h.db.conversation.update({
      where: { id: first.message.conversationId },
      data: { status: 'closed', closedAt: new Date() },
    });
    // The widget caches its open conversation: a new tab writes into a new one.
    a.close();
    const a2 = await connectWidget(h.url, { ...t, visitorToken: a.session.visitorToken });
    const second = await a2.ack<TSendAck>('message:send', { clientId: clientId(), body: 'Second question' });
    if (!second.ok) throw new Error('send failed');
    expect(second.message.conversationId).not.toBe(first.message.conversationId);

    // Another visitor of the same project, and the same visitor id asked about in another project.
    const other = await connectWidget(h.url, t);
    await other.ack<TSendAck>('message:send', { clientId: clientId(), body: 'not yours' });
    const otherProject = await createProject(h.db, t.organizationId, { name: 'Other', allowedOrigins: [] });
    const stranger = await h.tenant();

    const past = await listPastConversations(h.db, scope, visitorId, second.message.conversationId);
    expect(past).toEqual([
      {
        id: first.message.conversationId,
        status: 'closed',
        createdAt: expect.any(Date),
        firstLine: 'Where is my order?',
      },
    ]);
    const fromFirst = await listPastConversations(h.db, scope, visitorId, first.message.conversationId);
    expect(fromFirst.map((p) => [p.id, p.status, p.firstLine])).toEqual([
      [second.message.conversationId, 'open', 'Second question'],
    ]);
    expect(
      await listPastConversations(
        h.db,
        { organizationId: t.organizationId, projectId: otherProject.id },
        visitorId,
        'none',
      ),
    ).toEqual([]);
    expect(
      await listPastConversations(
        h.db,
        { organizationId: stranger.organizationId, projectId: t.projectId },
        visitorId,
        'none',
      ),
    ).toEqual([]);
    // An operator's message never stands as the visitor's first line.
    const conv = await getOrCreateOpenConversation(h.db, t.organizationId, { projectId: t.projectId, visitorId });
    expect(conv.id).toBe(second.message.conversationId);
    await appendMessage(h.db, t.organizationId, {
      conversationId: conv.id,
      sender: 'operator',
      body: 'Hello from the team',
      source: 'web',
    });
    const again = await listPastConversations(h.db, scope, visitorId, first.message.conversationId);
    expect(again[0]!.firstLine).toBe('Second question');
    a2.close();
    other.close();
  });
});
