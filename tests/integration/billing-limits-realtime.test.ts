// The plan's limits where realtime does the work (real Postgres + Redis, the realtime server in-process, the official
// socket.io-client): the monthly conversation quota is asked only when a conversation starts — a visitor already
// chatting keeps chatting, a NEW conversation beyond it is kept for the inbox (with a note), not sent to the chat
// apps, and the visitor is shown the team as away (the leave-your-email form); uploads are held to the plan's storage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLANS, limitsRedisKeys, usagePeriod, type TPlanId } from '@pocketping/billing';
import { PROJECT_PAUSED_MESSAGE } from '@pocketping/db';
import { operatorPresenceKey, touchOperatorPresence } from '@pocketping/jobs';
import type { TPresenceEvent, TSendAck } from '@pocketping/protocol';
import {
  clientId,
  connectWidget,
  startHarness,
  type THarness,
  type TTenant,
  type TWidgetClient,
} from './realtime-harness.js';

let h: THarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function setPlan(organizationId: string, plan: TPlanId) {
  await h.db.organizationBilling.upsert({
    where: { organizationId },
    create: { organizationId, plan, status: 'active' },
    update: { plan, status: 'active' },
  });
  await h.server.ctx.limits.invalidate(organizationId);
}

/** `n` conversations already started this month (closed, one visitor): what the counter is rebuilt from. */
async function pastConversations(t: TTenant, n: number) {
  const visitor = await h.db.visitor.create({
    data: { organizationId: t.organizationId, projectId: t.projectId, tokenHash: `h_${clientId()}` },
  });
  await h.db.conversation.createMany({
    data: Array.from({ length: n }, () => ({
      organizationId: t.organizationId,
      projectId: t.projectId,
      visitorId: visitor.id,
      status: 'closed' as const,
    })),
  });
}

const visit = (t: TTenant) => connectWidget(h.url, { projectKey: t.projectKey, origin: t.origin });
const send = (v: TWidgetClient, body: string) => v.ack<TSendAck>('message:send', { clientId: clientId(), body });
const outboxOf = (t: TTenant, conversationId: string) =>
  h.db.outboxEvent.count({ where: { organizationId: t.organizationId, conversationId } });
const counter = (t: TTenant) =>
  h.redis.get(
    limitsRedisKeys(h.redisConfig.prefix).counter(t.organizationId, usagePeriod(new Date()), 'conversations'),
  );

async function waitFor<T>(read: () => T | undefined, what: string): Promise<T> {
  const until = Date.now() + 5_000;
  for (;;) {
    const v = read();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('monthly conversation quota', () => {
  it('the last conversation within the quota goes to the chat apps; the next is kept, paused for them, and the visitor sees away', async () => {
    const t = await h.tenant({ withBridge: true });
    await setPlan(t.organizationId, 'free');
    const max = PLANS.free.limits.conversationsPerMonth!;
    await pastConversations(t, max - 1);

    const within = await visit(t);
    const first = await send(within, 'Hello, last one within the quota');
    if (!first.ok) throw new Error(first.error.message);
    expect(await outboxOf(t, first.message.conversationId)).toBe(1);
    // Rebuilt from Postgres on first use (no counter yet), then taken.
    expect(await counter(t)).toBe(String(max));

    const beyond = await visit(t);
    const second = await send(beyond, 'Hello from beyond the quota');
    if (!second.ok) throw new Error(second.error.message);
    const conversationId = second.message.conversationId;
    // Kept: the visitor's message is stored and acked like any other.
    expect(second.message.body).toBe('Hello from beyond the quota');
    const conv = await h.db.conversation.findFirstOrThrow({
      where: { organizationId: t.organizationId, id: conversationId },
    });
    expect(conv.overQuotaAt).not.toBeNull();
    // Not sent to the chat apps, nothing queued.
    expect(await outboxOf(t, conversationId)).toBe(0);
    // The visitor's widget is told the team is away: the leave-your-email form.
    const away = await waitFor(
      () =>
        beyond.events.find(
          (e) =>
            e.event === 'presence' && (e.payload as TPresenceEvent).status === 'away' && beyond.events.indexOf(e) > 1,
        ),
      'away presence',
    );
    expect(away.payload).toEqual({ status: 'away', replyTimeMinutes: null });
    // The team sees it in the inbox, with why.
    const notes = await h.db.message.findMany({
      where: { organizationId: t.organizationId, conversationId, visibility: 'internal' },
    });
    expect(notes.map((n) => n.body).join('\n')).toContain(`beyond the Free plan's ${max} conversations this month`);
    // The visitor's email (the away form is sent as prechat) is stored on that conversation too.
    expect((await beyond.ack<{ ok: boolean }>('prechat', { email: 'late@example.test' })).ok).toBe(true);
    expect(await outboxOf(t, conversationId)).toBe(0);
    expect(await counter(t)).toBe(String(max + 1));

    // The visitor already chatting keeps chatting, delivered as before.
    const again = await send(within, 'Still here');
    if (!again.ok) throw new Error(again.error.message);
    expect(again.message.conversationId).toBe(first.message.conversationId);
    expect(await outboxOf(t, first.message.conversationId)).toBe(2);
    // A follow-up from the visitor beyond the quota stays in that conversation, still not sent anywhere.
    const more = await send(beyond, 'Anyone?');
    expect(more.ok && more.message.conversationId).toBe(conversationId);
    expect(await outboxOf(t, conversationId)).toBe(0);
    expect(await counter(t)).toBe(String(max + 1));
    within.close();
    beyond.close();
  });

  it("an upgrade lifts the quota at once; a tenant never uses another tenant's counter", async () => {
    const t = await h.tenant({ withBridge: true });
    const other = await h.tenant({ withBridge: true });
    await setPlan(t.organizationId, 'free');
    await setPlan(other.organizationId, 'free');
    await pastConversations(t, PLANS.free.limits.conversationsPerMonth!);

    const neighbour = await visit(other);
    const n = await send(neighbour, 'Hi');
    expect(n.ok && (await outboxOf(other, n.message.conversationId))).toBe(1);
    expect(await counter(other)).toBe('1');

    await setPlan(t.organizationId, 'starter');
    const v = await visit(t);
    const r = await send(v, 'Hi after the upgrade');
    if (!r.ok) throw new Error(r.error.message);
    expect(await outboxOf(t, r.message.conversationId)).toBe(1);
    v.close();
    neighbour.close();
  });

  it('two tabs of one visitor starting at once make one conversation and take one from the counter', async () => {
    const t = await h.tenant();
    await setPlan(t.organizationId, 'free');
    const a = await visit(t);
    const b = await connectWidget(h.url, {
      projectKey: t.projectKey,
      origin: t.origin,
      visitorToken: a.session.visitorToken!,
    });
    const [x, y] = await Promise.all([send(a, 'tab a'), send(b, 'tab b')]);
    expect(x.ok && y.ok && x.message.conversationId === y.message.conversationId).toBe(true);
    expect(await counter(t)).toBe('1');
    a.close();
    b.close();
  });
});

describe('over quota after a reload', () => {
  let fast: THarness;
  beforeAll(async () => {
    fast = await startHarness({ presenceCheckMs: 100 });
  });
  afterAll(async () => {
    await fast?.close();
  });

  it('a reloaded tab of a conversation beyond the quota is shown away, and later presence changes pass it by', async () => {
    const t = await fast.tenant({ withBridge: true });
    await fast.db.organizationBilling.create({
      data: { organizationId: t.organizationId, plan: 'free', status: 'active' },
    });
    await fast.server.ctx.limits.invalidate(t.organizationId);
    const visitor = await fast.db.visitor.create({
      data: { organizationId: t.organizationId, projectId: t.projectId, tokenHash: `h_${clientId()}` },
    });
    await fast.db.conversation.createMany({
      data: Array.from({ length: PLANS.free.limits.conversationsPerMonth! }, () => ({
        organizationId: t.organizationId,
        projectId: t.projectId,
        visitorId: visitor.id,
        status: 'closed' as const,
      })),
    });
    await touchOperatorPresence(fast.redis, fast.redisConfig.prefix, t.projectId);
    const open = { projectKey: t.projectKey, origin: t.origin };
    const presences = (v: TWidgetClient) =>
      v.events.filter((e) => e.event === 'presence').map((e) => (e.payload as TPresenceEvent).status);

    const beyond = await connectWidget(fast.url, open);
    const sent = await send(beyond, 'Hello beyond the quota');
    if (!sent.ok) throw new Error(sent.error.message);
    beyond.close();

    // The reload: same visitor, the open conversation is beyond the quota → away, although an operator is online.
    const reloaded = await connectWidget(fast.url, { ...open, visitorToken: beyond.session.visitorToken! });
    expect(reloaded.session.conversationId).toBe(sent.message.conversationId);
    await waitFor(() => (presences(reloaded).length > 0 ? true : undefined), 'presence after the reload');
    expect(presences(reloaded)).toEqual(['away']);
    // A visitor of the same project with no conversation sees the operator online.
    const browsing = await connectWidget(fast.url, open);
    await waitFor(() => (presences(browsing).length > 0 ? true : undefined), 'presence of another visitor');
    expect(presences(browsing)).toEqual(['online']);

    // The operator goes away and comes back: the project's tabs follow, the over-quota tab stays away.
    await fast.redis.del(operatorPresenceKey(fast.redisConfig.prefix, t.projectId));
    await waitFor(() => (presences(browsing).length === 2 ? true : undefined), 'away pushed to the project');
    await touchOperatorPresence(fast.redis, fast.redisConfig.prefix, t.projectId);
    await waitFor(() => (presences(browsing).length === 3 ? true : undefined), 'online pushed to the project');
    expect(presences(browsing)).toEqual(['online', 'away', 'online']);
    expect(presences(reloaded)).toEqual(['away']);
    reloaded.close();
    browsing.close();
  });
});

describe('paused project', () => {
  it('starts no conversation (the visitor is told, nothing stored, no quota taken); a visitor already chatting continues', async () => {
    const t = await h.tenant({ withBridge: true });
    await setPlan(t.organizationId, 'free');
    const chatting = await visit(t);
    const first = await send(chatting, 'Hello before the pause');
    if (!first.ok) throw new Error(first.error.message);
    await h.db.project.update({
      where: { id: t.projectId },
      data: { pausedAt: new Date(), pausedReason: 'plan_limit' },
    });
    const countBefore = await counter(t);
    const conversationsBefore = await h.db.conversation.count({ where: { organizationId: t.organizationId } });

    const newcomer = await visit(t);
    const refused = await send(newcomer, 'Hello, anyone?');
    expect(refused).toEqual({
      ok: false,
      error: { code: 'forbidden', message: PROJECT_PAUSED_MESSAGE, details: { reason: 'project_paused' } },
    });
    expect((await newcomer.ack<{ ok: boolean }>('prechat', { email: 'x@example.test' })).ok).toBe(false);
    expect(await h.db.conversation.count({ where: { organizationId: t.organizationId } })).toBe(conversationsBefore);
    expect(await h.db.message.count({ where: { organizationId: t.organizationId, body: 'Hello, anyone?' } })).toBe(0);
    expect(await counter(t)).toBe(countBefore);

    const again = await send(chatting, 'Still here');
    expect(again.ok && again.message.conversationId).toBe(first.message.conversationId);

    // Resumed (an upgrade, or the owner's choice): conversations start again.
    await h.db.project.update({ where: { id: t.projectId }, data: { pausedAt: null, pausedReason: null } });
    const after = await send(newcomer, 'Hello after the pause');
    expect(after.ok).toBe(true);
    chatting.close();
    newcomer.close();
  });
});

describe('storage by plan', () => {
  it("uploads are held to the plan's storage, not a flat quota", async () => {
    const t = await h.tenant();
    expect(await h.server.ctx.storageQuotaFor(t.organizationId)).toBe(PLANS.pro.limits.storageBytes); // the trial
    await setPlan(t.organizationId, 'free');
    const free = PLANS.free.limits.storageBytes;
    expect(await h.server.ctx.storageQuotaFor(t.organizationId)).toBe(free);
    // Nearly full (as if files were stored): 10 KB left.
    await h.db.organizationStorage.upsert({
      where: { organizationId: t.organizationId },
      create: { organizationId: t.organizationId, usedBytes: BigInt(free - 10 * 1024) },
      update: { usedBytes: BigInt(free - 10 * 1024) },
    });
    const v = await visit(t);
    const upload = async (size: number) => {
      const form = new FormData();
      const png = Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        Buffer.alloc(size - 8, 1),
      ]);
      form.append('file', new Blob([png]), 'shot.png');
      const res = await fetch(`${h.url}/widget/uploads`, {
        method: 'POST',
        headers: { origin: t.origin, 'x-project-key': t.projectKey, 'x-visitor-token': v.session.visitorToken! },
        body: form,
      });
      return { status: res.status, body: (await res.json()) as { error?: { details?: { reason?: string } } } };
    };
    const over = await upload(20 * 1024);
    expect(over.status).toBe(413);
    expect(over.body.error?.details?.reason).toBe('storage_quota');
    expect((await upload(8 * 1024)).status).toBe(201);
    await setPlan(t.organizationId, 'starter');
    expect((await upload(20 * 1024)).status).toBe(201);
    v.close();
  });
});

describe('branding', () => {
  it('the session tells Free widgets to show "Powered by PocketPing", paid and trial ones not', async () => {
    const free = await h.tenant();
    await setPlan(free.organizationId, 'free');
    const trial = await h.tenant();
    const a = await visit(free);
    const b = await visit(trial);
    expect(a.session.settings.branding).toBe(true);
    expect(b.session.settings.branding).toBeUndefined();
    a.close();
    b.close();
  });
});
