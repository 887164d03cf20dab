import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { sha256 } from '@pocketping/core';
import { startFakeSmtp, type TFakeSmtp, type TCapturedMail } from '@pocketping/testkit';
import { setupWebTestEnv, TEST_AUTH_SECRET, type TWebTestEnv } from '~/server/testing/web-test-env';
import { getSessionUserFromCookies } from '~/server/auth/session';
import { verifyPassword } from '~/server/auth/password';
import * as profileRoute from './profile/route';
import * as avatarRoute from './avatar/route';
import { POST as changePassword } from './password/route';
import { POST as requestEmailChange } from './email/route';
import { GET as avatarOf } from '../avatars/[userId]/route';
import { POST as confirmEmailChange } from '../auth/confirm-email-change/route';

// The profile page's routes against real Postgres + Redis, mails over SMTP to the fake server.
let env: TWebTestEnv;
let smtp: TFakeSmtp;
beforeAll(async () => {
  smtp = await startFakeSmtp({ viewerPort: false });
  env = await setupWebTestEnv({ SMTP_URL: smtp.url });
});
afterAll(async () => {
  await env?.close();
  await smtp?.close();
});
beforeEach(() => smtp.clear());

const PASSWORD = 'correct horse battery';
const fresh = () => `me-${randomBytes(5).toString('hex')}@example.test`;

/** A confirmed user with a password, member of an organization (audit entries land there), and their cookie. */
async function member() {
  const user = await env.createUser({ email: fresh(), password: PASSWORD, name: 'Ada' });
  const org = await env.createOrg(user.id);
  return { ...user, orgId: org.id, cookie: await env.sessionCookie(user.id) };
}

async function auditActions(orgId: string): Promise<string[]> {
  const { db } = await env.app();
  const rows = await db.auditLog.findMany({ where: { organizationId: orgId }, orderBy: { createdAt: 'asc' } });
  return rows.map((r) => r.action);
}

function tokenOf(mail: TCapturedMail): string {
  const link = mail.links.find((l) => new URL(l).pathname === '/confirm-email-change');
  expect(link, 'a /confirm-email-change link').toBeDefined();
  return new URL(link!).searchParams.get('token')!;
}

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(64)]);

describe('profile: name', () => {
  it('saves a trimmed name of 1–80 characters and refuses empty or longer ones with the field named', async () => {
    const me = await member();
    const ok = await env.call(profileRoute.PATCH, {
      method: 'PATCH',
      body: { name: '  Grace Hopper ' },
      cookie: me.cookie,
    });
    expect(ok.status).toBe(200);
    expect(ok.json.profile).toMatchObject({
      name: 'Grace Hopper',
      email: me.email,
      hasPassword: true,
      avatarUrl: null,
    });

    for (const name of ['   ', 'x'.repeat(81)]) {
      const bad = await env.call(profileRoute.PATCH, { method: 'PATCH', body: { name }, cookie: me.cookie });
      expect(bad.status).toBe(400);
      expect(bad.json.error.details.issues[0].path).toBe('name');
    }
    const extra = await env.call(profileRoute.PATCH, {
      method: 'PATCH',
      body: { name: 'Ok', email: 'x@example.test' },
      cookie: me.cookie,
    });
    expect(extra.status).toBe(400);
    const { db } = await env.app();
    expect((await db.user.findUniqueOrThrow({ where: { id: me.id } })).name).toBe('Grace Hopper');
    expect(await auditActions(me.orgId)).toEqual(['account.name_changed']);

    const anonymous = await env.call(profileRoute.PATCH, { method: 'PATCH', body: { name: 'Mallory' } });
    expect(anonymous.status).toBe(401);
  });
});

describe('profile: avatar', () => {
  it('stores a PNG found by its bytes, serves it to teammates only, replaces and removes it', async () => {
    const me = await member();
    const teammate = await env.createUser({ email: fresh() });
    await env.addMember(me.orgId, teammate.id, 'agent');
    const stranger = await env.createUser({ email: fresh() });
    await env.createOrg(stranger.id);
    const upload = (body: Buffer, cookie = me.cookie) =>
      env.call(avatarRoute.POST, {
        body: new Uint8Array(body),
        cookie,
        headers: { origin: 'http://127.0.0.1:3999', 'content-type': 'image/png' },
      });

    // An SVG (script-capable) and a GIF declared as PNG are refused: the bytes decide.
    const svg = await upload(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'));
    expect(svg.status).toBe(400);
    const gif = await upload(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'));
    expect(gif.status).toBe(400);
    const big = await upload(Buffer.concat([PNG, Buffer.alloc(1024 * 1024)]));
    expect(big.status).toBe(413);
    const crossSite = await env.call(avatarRoute.POST, {
      body: new Uint8Array(PNG),
      cookie: me.cookie,
      headers: { origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);

    expect((await upload(PNG)).status).toBe(200);
    const { db, storage } = await env.app();
    const first = (await db.user.findUniqueOrThrow({ where: { id: me.id } })).avatarKey!;
    expect(first).toMatch(new RegExp(`^avatars/${me.id}/`));
    const shown = await env.call(profileRoute.GET, { cookie: me.cookie });
    expect(shown.json.profile.avatarUrl).toMatch(new RegExp(`^/api/app/avatars/${me.id}\\?v=`));
    expect(JSON.stringify(shown.json)).not.toContain(first);

    const byTeammate = await avatarOf(
      new Request(`http://127.0.0.1:3999/api/app/avatars/${me.id}`, {
        headers: { cookie: await env.sessionCookie(teammate.id) },
      }),
      { params: Promise.resolve({ userId: me.id }) },
    );
    expect(byTeammate.status).toBe(200);
    expect(byTeammate.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await byTeammate.arrayBuffer()).equals(PNG)).toBe(true);
    const byStranger = await env.call(avatarOf, {
      params: { userId: me.id },
      cookie: await env.sessionCookie(stranger.id),
    });
    expect(byStranger.status).toBe(404);

    // A new upload replaces the file; removing deletes it.
    expect((await upload(PNG)).status).toBe(200);
    const second = (await db.user.findUniqueOrThrow({ where: { id: me.id } })).avatarKey!;
    expect(second).not.toBe(first);
    expect(await storage.get(first)).toBeNull();
    const removed = await env.call(avatarRoute.DELETE, { method: 'DELETE', body: {}, cookie: me.cookie });
    expect(removed.status).toBe(200);
    expect(await storage.get(second)).toBeNull();
    expect((await env.call(avatarOf, { params: { userId: me.id }, cookie: me.cookie })).status).toBe(404);
    expect(await auditActions(me.orgId)).toEqual([
      'account.avatar_changed',
      'account.avatar_changed',
      'account.avatar_removed',
    ]);
  });
});

describe('profile: password', () => {
  it('refuses a wrong current password and keeps the old one', async () => {
    const me = await member();
    const res = await env.call(changePassword, {
      body: { currentPassword: 'not my password', newPassword: 'a brand new passphrase' },
      cookie: me.cookie,
    });
    expect(res.status).toBe(400);
    expect(res.json.error.details.issues).toEqual([
      { path: 'currentPassword', message: 'is not your current password' },
    ]);
    expect(res.headers.getSetCookie()).toEqual([]);
    const { db } = await env.app();
    const row = await db.user.findUniqueOrThrow({ where: { id: me.id } });
    expect(await verifyPassword(PASSWORD, row.passwordHash!)).toBe(true);
    expect(row.sessionVersion).toBe(0);
    const short = await env.call(changePassword, {
      body: { currentPassword: PASSWORD, newPassword: 'short' },
      cookie: me.cookie,
    });
    expect(short.status).toBe(400);
    expect(short.json.error.details.issues[0].path).toBe('newPassword');
  });

  it('sets the new password, signs every other session out and keeps this browser signed in', async () => {
    const me = await member();
    const otherDevice = await env.sessionCookie(me.id);
    const res = await env.call(changePassword, {
      body: { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' },
      cookie: me.cookie,
    });
    expect(res.status).toBe(200);
    const { db } = await env.app();
    const row = await db.user.findUniqueOrThrow({ where: { id: me.id } });
    expect(await verifyPassword('a brand new passphrase', row.passwordHash!)).toBe(true);
    expect(await getSessionUserFromCookies(db, otherDevice, TEST_AUTH_SECRET)).toBeNull();
    const fresh = res.headers
      .getSetCookie()
      .find((c) => c.startsWith('authjs.session-token='))!
      .split(';')[0]!;
    expect(await getSessionUserFromCookies(db, fresh, TEST_AUTH_SECRET)).toMatchObject({ id: me.id });
    expect(await auditActions(me.orgId)).toEqual(['account.password_changed']);
  });
});

describe('profile: email change', () => {
  it('mails the new address, notices the old one, changes only when the link is used, once', async () => {
    const me = await member();
    const to = fresh();
    const asked = await env.call(requestEmailChange, {
      body: { email: to.toUpperCase(), currentPassword: PASSWORD },
      cookie: me.cookie,
    });
    expect(asked.status).toBe(200);
    expect(asked.json).toEqual({ pendingEmail: to });
    const token = tokenOf(await smtp.waitForMail(to, (m) => m.subject.includes('Confirm')));
    const notice = await smtp.waitForMail(me.email, (m) => m.subject.includes('about to change'));
    expect(notice.text).toContain(to);
    const { db } = await env.app();
    // Nothing changed yet; the profile shows what waits.
    expect((await db.user.findUniqueOrThrow({ where: { id: me.id } })).email).toBe(me.email);
    expect((await env.call(profileRoute.GET, { cookie: me.cookie })).json.profile.pendingEmail).toBe(to);
    const row = await db.userToken.findFirstOrThrow({ where: { userId: me.id, purpose: 'change_email' } });
    expect(row.tokenHash).toBe(sha256(token));
    expect(row.newEmail).toBe(to);

    const used = await env.call(confirmEmailChange, { body: { token }, cookie: me.cookie });
    expect(used.status).toBe(200);
    expect(used.json).toEqual({ ok: true, email: to });
    const after = await db.user.findUniqueOrThrow({ where: { id: me.id } });
    expect(after.email).toBe(to);
    // The session still works and now names the new address.
    expect(await getSessionUserFromCookies(db, me.cookie, TEST_AUTH_SECRET)).toMatchObject({ email: to });

    const reused = await env.call(confirmEmailChange, { body: { token } });
    expect(reused.status).toBe(400);
    expect(reused.json.error.details.reason).toBe('used');
    expect(await auditActions(me.orgId)).toEqual(['account.email_change_requested', 'account.email_changed']);
  });

  it('refuses an expired link, and one opened in another account’s session without using it', async () => {
    const me = await member();
    const to = fresh();
    await env.call(requestEmailChange, { body: { email: to, currentPassword: PASSWORD }, cookie: me.cookie });
    const token = tokenOf(await smtp.waitForMail(to));

    const other = await member();
    const wrongUser = await env.call(confirmEmailChange, { body: { token }, cookie: other.cookie });
    expect(wrongUser.status).toBe(403);
    expect(wrongUser.json.error.details.reason).toBe('signed_in_as_other');
    const { db } = await env.app();
    expect((await db.user.findUniqueOrThrow({ where: { id: other.id } })).email).toBe(other.email);

    await db.userToken.updateMany({
      where: { tokenHash: sha256(token) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const expired = await env.call(confirmEmailChange, { body: { token } });
    expect(expired.status).toBe(400);
    expect(expired.json.error.details.reason).toBe('expired');
    expect((await db.user.findUniqueOrThrow({ where: { id: me.id } })).email).toBe(me.email);

    const garbage = await env.call(confirmEmailChange, { body: { token: 'x'.repeat(43) } });
    expect(garbage.status).toBe(400);
    expect(garbage.json.error.details.reason).toBe('invalid');
  });

  it('refuses an address of another account, at the request and when the link is used', async () => {
    const me = await member();
    const taken = await env.createUser({ email: fresh() });
    const refused = await env.call(requestEmailChange, {
      body: { email: taken.email, currentPassword: PASSWORD },
      cookie: me.cookie,
    });
    expect(refused.status).toBe(409);
    expect(refused.json.error.details.issues[0]).toEqual({ path: 'email', message: 'is used by another account' });

    // Taken between the request and the link: the link changes nothing.
    const to = fresh();
    await env.call(requestEmailChange, { body: { email: to, currentPassword: PASSWORD }, cookie: me.cookie });
    const token = tokenOf(await smtp.waitForMail(to));
    await env.createUser({ email: to });
    const late = await env.call(confirmEmailChange, { body: { token } });
    expect(late.status).toBe(409);
    expect(late.json.error.details.reason).toBe('taken');
    const { db } = await env.app();
    expect((await db.user.findUniqueOrThrow({ where: { id: me.id } })).email).toBe(me.email);
  });

  it('needs the current password of an account that has one', async () => {
    const me = await member();
    for (const currentPassword of [undefined, 'wrong password']) {
      const res = await env.call(requestEmailChange, {
        body: { email: fresh(), ...(currentPassword ? { currentPassword } : {}) },
        cookie: me.cookie,
      });
      expect(res.status).toBe(400);
      expect(res.json.error.details.issues[0].path).toBe('currentPassword');
    }
    const { db } = await env.app();
    expect(await db.userToken.count({ where: { userId: me.id, purpose: 'change_email' } })).toBe(0);
  });
});
