// The notification settings and the one-click unsubscribe through their real route handlers and Postgres: a user
// reads and changes their own choice; an email's signed link turns exactly that user's kind off without a session;
// a tampered, foreign-key or unknown-kind token changes nothing. A reply email's link acts as that visitor in that
// conversation only, until it expires.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateEncryptionKey,
  parseKeyRing,
  randomToken,
  sha256,
  signConversationLinkToken,
  signUnsubscribeToken,
  type TConversationLinkClaims,
} from '@pocketping/core';
import {
  createVisitor,
  getNotificationPreferences,
  getOrCreateOpenConversation,
  getVisitorConversationView,
  setConversationStatus,
} from '@pocketping/db';
import { setupWebTestEnv, TEST_WEB_URL, type TWebTestEnv } from '../testing/web-test-env';

let env: TWebTestEnv;
beforeAll(async () => {
  env = await setupWebTestEnv();
});
afterAll(async () => env?.close());

const routes = async () => {
  const unsubscribeRoute = await import('~/app/api/unsubscribe/[token]/route');
  return {
    prefs: await import('~/app/api/app/me/notifications/route'),
    // A route outside the tenancy wrapper, typed with its own params.
    unsubscribe: {
      POST: (req: Request, segment: { params: Promise<Record<string, string | string[]>> }) =>
        unsubscribeRoute.POST(req, segment as { params: Promise<{ token: string }> }),
    },
  };
};

describe('notification settings', () => {
  it('a user reads and changes only their own choice; a bad mode or kind is a 400 that changes nothing', async () => {
    const { prefs } = await routes();
    const ann = await env.createUser();
    const bob = await env.createUser();
    const cookie = await env.sessionCookie(ann.id);
    expect((await env.call(prefs.GET, { cookie })).json).toEqual({ preferences: { waiting: 'immediate' } });
    const put = await env.call(prefs.PUT, { method: 'PUT', cookie, body: { kind: 'waiting', mode: 'digest' } });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ preferences: { waiting: 'digest' } });
    for (const body of [
      { kind: 'waiting', mode: 'sometimes' },
      { kind: 'everything', mode: 'off' },
      { kind: 'waiting', mode: 'off', userId: bob.id },
    ]) {
      expect((await env.call(prefs.PUT, { method: 'PUT', cookie, body })).status).toBe(400);
    }
    const { db } = await env.app();
    expect(await getNotificationPreferences(db, ann.id)).toEqual({ waiting: 'digest' });
    expect(await getNotificationPreferences(db, bob.id)).toEqual({ waiting: 'immediate' });
  });
});

describe('one-click unsubscribe', () => {
  it("turns off exactly that user's kind without a session; the page's button comes back to the page", async () => {
    const { unsubscribe } = await routes();
    const app = await env.app();
    const ann = await env.createUser();
    const bob = await env.createUser();
    const token = signUnsubscribeToken(app.keyRing, ann.id, 'waiting');
    // What a mail client sends (RFC 8058): a form POST, no cookie, no Origin of ours.
    const res = await env.call(unsubscribe.POST, {
      method: 'POST',
      path: `/api/unsubscribe/${token}`,
      params: { token },
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://mail.example' },
    });
    expect(res.status).toBe(200);
    expect(await getNotificationPreferences(app.db, ann.id)).toEqual({ waiting: 'off' });
    expect(await getNotificationPreferences(app.db, bob.id)).toEqual({ waiting: 'immediate' });

    const bobToken = signUnsubscribeToken(app.keyRing, bob.id, 'waiting');
    const viaPage = await env.call(unsubscribe.POST, {
      method: 'POST',
      path: `/api/unsubscribe/${bobToken}?via=page`,
      params: { token: bobToken },
    });
    expect(viaPage.status).toBe(303);
    expect(viaPage.headers.get('location')).toBe(`${TEST_WEB_URL}/unsubscribe/${encodeURIComponent(bobToken)}?done=1`);
    expect(await getNotificationPreferences(app.db, bob.id)).toEqual({ waiting: 'off' });
  });

  it('a tampered token, one signed with another key, or an unknown kind changes nothing (404)', async () => {
    const { unsubscribe } = await routes();
    const app = await env.app();
    const carl = await env.createUser();
    const good = signUnsubscribeToken(app.keyRing, carl.id, 'waiting');
    const tampered = good.replace(carl.id, (await env.createUser()).id);
    const foreign = signUnsubscribeToken(parseKeyRing(generateEncryptionKey()), carl.id, 'waiting');
    const unknownKind = signUnsubscribeToken(app.keyRing, carl.id, 'marketing');
    for (const token of [tampered, foreign, unknownKind, 'x', `${good}.extra`]) {
      const r = await env.call(unsubscribe.POST, { method: 'POST', path: `/api/unsubscribe/x`, params: { token } });
      expect(r.status, token).toBe(404);
      expect(r.json.error.code).toBe('invalid_token');
    }
    expect(await getNotificationPreferences(app.db, carl.id)).toEqual({ waiting: 'immediate' });
  });
});

describe("a reply email's link back into the conversation", () => {
  async function setup() {
    const app = await env.app();
    const owner = await env.createUser();
    const org = await env.createOrg(owner.id);
    const project = await env.createProject(org.id);
    const visitor = await createVisitor(app.db, org.id, { projectId: project.id, tokenHash: sha256(randomToken()) });
    const other = await createVisitor(app.db, org.id, { projectId: project.id, tokenHash: sha256(randomToken()) });
    const c = await getOrCreateOpenConversation(app.db, org.id, { projectId: project.id, visitorId: visitor.id });
    const otherC = await getOrCreateOpenConversation(app.db, org.id, { projectId: project.id, visitorId: other.id });
    const sign = (over: Partial<TConversationLinkClaims> = {}) =>
      signConversationLinkToken(app.keyRing, {
        organizationId: org.id,
        conversationId: c.id,
        visitorId: visitor.id,
        expiresAt: Math.floor(Date.now() / 1000) + 3600,
        ...over,
      });
    return { app, org, c, otherC, visitor, other, sign };
  }
  const post = async (token: string, body: unknown) => {
    const { POST } = await import('~/app/api/chat/[token]/messages/route');
    return env.call(POST, { method: 'POST', path: `/api/chat/${token}/messages`, params: { token }, body });
  };

  it("posts as that visitor into that conversation, once per clientId; the page's view is the visitor's", async () => {
    const { app, org, c, visitor, sign } = await setup();
    const token = sign();
    const first = await post(token, { body: 'Thanks! One more question', clientId: 'client-0001' });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ duplicate: false });
    expect((await post(token, { body: 'Thanks! One more question', clientId: 'client-0001' })).json).toMatchObject({
      duplicate: true,
    });
    const rows = await app.db.message.findMany({ where: { organizationId: org.id, conversationId: c.id } });
    expect(rows.map((m) => [m.sender, m.body])).toEqual([['visitor', 'Thanks! One more question']]);
    const view = await getVisitorConversationView(app.db, org.id, { conversationId: c.id, visitorId: visitor.id });
    expect(view?.messages.map((m) => m.body)).toEqual(['Thanks! One more question']);
  });

  it('refuses an expired or forged link, another conversation, a closed one and bad input — nothing stored', async () => {
    const { app, org, c, otherC, other, sign } = await setup();
    const cases: [string, unknown, number][] = [
      [sign({ expiresAt: Math.floor(Date.now() / 1000) - 1 }), { body: 'late', clientId: 'client-0002' }, 404],
      [sign().replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')), { body: 'forged', clientId: 'client-0003' }, 404],
      // A real visitor's link naming someone else's conversation.
      [sign({ conversationId: otherC.id }), { body: 'not mine', clientId: 'client-0004' }, 404],
      [sign(), { body: 'x'.repeat(4_001), clientId: 'client-0005' }, 400],
      [sign(), { body: '   ', clientId: 'client-0006' }, 400],
      [sign(), { body: 'hi', clientId: 'client-0007', visitorId: other.id }, 400],
    ];
    for (const [token, body, status] of cases) expect((await post(token, body)).status).toBe(status);
    await setConversationStatus(app.db, org.id, c.id, 'closed');
    expect((await post(sign(), { body: 'after close', clientId: 'client-0008' })).status).toBe(409);
    expect(await app.db.message.count({ where: { organizationId: org.id } })).toBe(0);
  });
});
