// Dashboard alerts through their real route handlers and Postgres: each user's desktop/sound choice (stored as
// NotificationPreference rows beside the email kinds, which stay untouched), and the alert of a new message — a
// visitor's public message only, with the inbox's visitor label and a bounded preview; a note, a team reply, an
// unknown seq or another project's conversation is 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken, sha256 } from '@pocketping/core';
import {
  appendMessage,
  createVisitor,
  getBrowserAlerts,
  getNotificationPreferences,
  getOrCreateOpenConversation,
} from '@pocketping/db';
import { setupWebTestEnv, type TWebTestEnv } from '../testing/web-test-env';
import { ALERT_PREVIEW_MAX } from './alerts';

let env: TWebTestEnv;
beforeAll(async () => {
  env = await setupWebTestEnv();
});
afterAll(async () => env?.close());

describe('dashboard alert settings', () => {
  it('on by default, changed per user and kind, honoured by the next read; bad bodies are 400s that change nothing', async () => {
    const route = await import('~/app/api/app/me/notifications/browser/route');
    const ann = await env.createUser();
    const bob = await env.createUser();
    const cookie = await env.sessionCookie(ann.id);
    expect((await env.call(route.GET, { cookie })).json).toEqual({ alerts: { desktop: true, sound: true } });
    const put = await env.call(route.PUT, { method: 'PUT', cookie, body: { sound: false } });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ alerts: { desktop: true, sound: false } });
    for (const body of [{}, { sound: 'no' }, { desktop: false, userId: bob.id }, { volume: 3 }]) {
      expect((await env.call(route.PUT, { method: 'PUT', cookie, body })).status).toBe(400);
    }
    expect((await env.call(route.GET, { cookie })).json).toEqual({ alerts: { desktop: true, sound: false } });
    const { db } = await env.app();
    expect(await getBrowserAlerts(db, bob.id)).toEqual({ desktop: true, sound: true });
    // The email preferences are another thing: unchanged, and they do not list the dashboard's kinds.
    expect(await getNotificationPreferences(db, ann.id)).toEqual({ waiting: 'immediate' });
    expect((await env.call(route.GET, {})).status).toBe(401);
  });
});

describe('the alert of a new message', () => {
  it("announces a visitor's public message only, within the project", async () => {
    const route =
      await import('~/app/api/app/orgs/[orgId]/projects/[projectId]/conversations/[conversationId]/alert/route');
    const { db } = await env.app();
    const owner = await env.createUser();
    const org = await env.createOrg(owner.id);
    const project = await env.createProject(org.id);
    const otherProject = await env.createProject(org.id, 'Other');
    const cookie = await env.sessionCookie(owner.id);
    const visitor = await createVisitor(db, org.id, {
      projectId: project.id,
      tokenHash: sha256(randomToken('vt_', 24)),
    });
    await db.visitor.update({ where: { id: visitor.id }, data: { name: 'Nora Visitor' } });
    const conv = await getOrCreateOpenConversation(db, org.id, { projectId: project.id, visitorId: visitor.id });
    const post = (sender: 'visitor' | 'operator', body: string, visibility: 'public' | 'internal' = 'public') =>
      appendMessage(db, org.id, { conversationId: conv.id, sender, body, source: 'widget', visibility });
    const long = `Hello   there,\nis the blue mug ${'very '.repeat(60)}nice?`;
    const visitorMsg = await post('visitor', long);
    const reply = await post('operator', 'We have it');
    const note = await post('operator', 'internal thought', 'internal');
    const alertOf = (seq: number, projectId = project.id) =>
      env.call(route.GET, {
        cookie,
        path: `/api/app/test?seq=${seq}`,
        params: { orgId: org.id, projectId, conversationId: conv.id },
      });

    const ok = await alertOf(visitorMsg.message.seq);
    expect(ok.status).toBe(200);
    expect(ok.json.alert.title).toBe('Nora Visitor');
    expect(ok.json.alert.body.startsWith('Hello there, is the blue mug very')).toBe(true);
    expect(ok.json.alert.body.length).toBeLessThanOrEqual(ALERT_PREVIEW_MAX);
    for (const seq of [reply.message.seq, note.message.seq, 999]) expect((await alertOf(seq)).status).toBe(404);
    expect((await alertOf(visitorMsg.message.seq, otherProject.id)).status).toBe(404);
    expect(
      (
        await env.call(route.GET, {
          cookie,
          path: '/api/app/test?seq=abc',
          params: { orgId: org.id, projectId: project.id, conversationId: conv.id },
        })
      ).status,
    ).toBe(400);
  });
});
