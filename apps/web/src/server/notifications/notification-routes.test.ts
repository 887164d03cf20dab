// The notification settings and the one-click unsubscribe through their real route handlers and Postgres: a user
// reads and changes their own choice; an email's signed link turns exactly that user's kind off without a session;
// a tampered, foreign-key or unknown-kind token changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEncryptionKey, parseKeyRing, signUnsubscribeToken } from '@pocketping/core';
import { getNotificationPreferences } from '@pocketping/db';
import { setupWebTestEnv, TEST_WEB_URL, type TWebTestEnv } from '../testing/web-test-env';

let env: TWebTestEnv;
beforeAll(async () => {
  env = await setupWebTestEnv();
});
afterAll(async () => env?.close());

const routes = async () => ({
  prefs: await import('~/app/api/app/me/notifications/route'),
  unsubscribe: await import('~/app/api/unsubscribe/[token]/route'),
});

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
