import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startFakeSmtp, type TFakeSmtp, type TCapturedMail } from '@pocketping/testkit';
import { setupWebTestEnv, TEST_AUTH_SECRET, TEST_WEB_URL, type TWebTestEnv } from '~/server/testing/web-test-env';
import { getSessionUserFromCookies } from '~/server/auth/session';
import { verifyPassword } from '~/server/auth/password';
import { afterAnswerSettled } from '~/server/accounts/accounts';
import { POST as signup } from './signup/route';
import { POST as verifyEmail } from './verify-email/route';
import { POST as resend } from './resend-verification/route';
import { POST as forgot } from './forgot-password/route';
import { POST as reset } from './reset-password/route';
import * as invitationsRoute from '../orgs/[orgId]/invitations/route';

// The public account routes against real Postgres + Redis, with every mail going over SMTP to the fake server.
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

let n = 0;
const freshEmail = () => `acct${++n}-${randomBytes(4).toString('hex')}@example.test`;
/** Each test calls from its own address, so the per-IP limits of one test do not leak into another. */
const freshIp = () => `10.${n % 250}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
const from = (ip: string) => ({ 'x-forwarded-for': ip });

function tokenOf(mail: TCapturedMail, path: string): string {
  const link = mail.links.find((l) => new URL(l).pathname === path);
  expect(link, `a ${path} link in "${mail.subject}"`).toBeDefined();
  const url = new URL(link!);
  expect(url.origin).toBe(TEST_WEB_URL);
  return url.searchParams.get('token')!;
}

function cookieFrom(headers: Headers): string {
  const set = headers.getSetCookie().find((c) => c.startsWith('authjs.session-token='));
  expect(set, 'a session cookie').toBeDefined();
  expect(set).toMatch(/HttpOnly/i);
  expect(set).toMatch(/SameSite=lax/i);
  return set!.split(';')[0]!;
}

async function sessionUser(cookie: string) {
  const { db } = await env.app();
  return getSessionUserFromCookies(db, cookie, TEST_AUTH_SECRET);
}

describe('sign up and confirm the email', () => {
  it('creates an unconfirmed account, mails a link that signs the user in once', async () => {
    const email = freshEmail();
    const ip = freshIp();
    const res = await env.call(signup, {
      body: { email: email.toUpperCase(), password: 'correct horse battery', name: 'Ada' },
      headers: from(ip),
    });
    expect(res.json).toEqual({ ok: true });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true });
    const mail = await smtp.waitForMail(email, (m) => m.subject.includes('Confirm'));
    const token = tokenOf(mail, '/verify-email');
    const { db } = await env.app();
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(user.emailVerified).toBeNull();
    expect(user.name).toBe('Ada');
    // The password waits on the link: the account has none until the link is used.
    expect(user.passwordHash).toBeNull();
    // Only the hash is stored, valid ~24 h.
    const row = await db.userToken.findFirstOrThrow({ where: { userId: user.id, purpose: 'verify_email' } });
    expect(await verifyPassword('correct horse battery', row.passwordHash!)).toBe(true);
    expect(row.tokenHash).not.toContain(token);
    expect(row.expiresAt.getTime() - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    expect(row.expiresAt.getTime() - Date.now()).toBeLessThan(24.1 * 3600_000);

    const ok = await env.call(verifyEmail, { body: { token }, headers: from(ip) });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ ok: true, next: '/app' });
    const signedIn = await sessionUser(cookieFrom(ok.headers));
    expect(signedIn).toMatchObject({ id: user.id, email, emailVerified: true });
    const confirmed = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(confirmed.emailVerified).not.toBeNull();
    expect(await verifyPassword('correct horse battery', confirmed.passwordHash!)).toBe(true);

    // The link works once: a second click says "already confirmed", and signs nobody in.
    const again = await env.call(verifyEmail, { body: { token }, headers: from(ip) });
    expect(again.status).toBe(409);
    expect(again.json.error.details.reason).toBe('already_verified');
    expect(again.headers.getSetCookie()).toEqual([]);
  });

  it('carries a same-site `next` through the mail and drops a foreign one', async () => {
    const email = freshEmail();
    await env.call(signup, {
      body: { email, password: 'correct horse battery', next: '/invite/abc?x=1' },
      headers: from(freshIp()),
    });
    const mail = await smtp.waitForMail(email);
    const link = new URL(mail.links.find((l) => l.includes('/verify-email'))!);
    expect(link.searchParams.get('next')).toBe('/invite/abc?x=1');
    const res = await env.call(verifyEmail, {
      body: { token: link.searchParams.get('token'), next: 'https://evil.example/x' },
    });
    expect(res.json.next).toBe('/app');

    const other = freshEmail();
    await env.call(signup, {
      body: { email: other, password: 'correct horse battery', next: '//evil.example' },
      headers: from(freshIp()),
    });
    const otherLink = new URL((await smtp.waitForMail(other)).links[0]!);
    expect(otherLink.searchParams.has('next')).toBe(false);
  });

  it('refuses an expired or unknown link', async () => {
    const email = freshEmail();
    await env.call(signup, { body: { email, password: 'correct horse battery' }, headers: from(freshIp()) });
    const token = tokenOf(await smtp.waitForMail(email), '/verify-email');
    const { db } = await env.app();
    await db.userToken.updateMany({ where: { user: { email } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await env.call(verifyEmail, { body: { token } });
    expect(expired.status).toBe(400);
    expect(expired.json.error.details.reason).toBe('expired');
    expect(expired.headers.getSetCookie()).toEqual([]);
    expect((await db.user.findUniqueOrThrow({ where: { email } })).emailVerified).toBeNull();
    const unknown = await env.call(verifyEmail, { body: { token: randomBytes(32).toString('base64url') } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.details.reason).toBe('invalid');
    expect((await env.call(verifyEmail, { body: { token: 'short' } })).status).toBe(400);
  });

  it('validates the input: a short password and a bad address are 400 with the field named', async () => {
    const short = await env.call(signup, {
      body: { email: freshEmail(), password: 'short' },
      headers: from(freshIp()),
    });
    expect(short.status).toBe(400);
    expect(short.json.error.details.issues[0]).toEqual({ path: 'password', message: 'must be at least 10 characters' });
    const bad = await env.call(signup, {
      body: { email: 'not-an-email', password: 'correct horse battery' },
      headers: from(freshIp()),
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.issues[0].path).toBe('email');
    expect(smtp.mails()).toEqual([]);
  });

  it('never reveals a registered address: same answer, and only the owner learns about it by mail', async () => {
    const owner = await env.createUser({ password: 'the real password!' });
    const res = await env.call(signup, {
      body: { email: owner.email, password: 'attacker password', name: 'Mallory' },
      headers: from(freshIp()),
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true });
    const mail = await smtp.waitForMail(owner.email);
    expect(mail.subject).toBe('You already have a PocketPing account');
    expect(mail.links.some((l) => l.includes('/forgot-password'))).toBe(true);
    const { db } = await env.app();
    const row = await db.user.findUniqueOrThrow({ where: { id: owner.id } });
    expect(await verifyPassword('the real password!', row.passwordHash!)).toBe(true);
    expect(row.name).toBeNull();

    // An account that signed up but never confirmed gets a new confirmation mail, carrying the new password: each
    // link sets its own password, and only when used (account-takeover.test.ts has the takeover cases).
    const pending = freshEmail();
    await env.call(signup, { body: { email: pending, password: 'first password 1' }, headers: from(freshIp()) });
    const firstLink = tokenOf(await smtp.waitForMail(pending), '/verify-email');
    const again = await env.call(signup, {
      body: { email: pending, password: 'second password 2' },
      headers: from(freshIp()),
    });
    expect(again.json).toEqual({ ok: true });
    const second = await smtp.waitForMail(pending, (m) => tokenOf(m, '/verify-email') !== firstLink);
    expect(second.subject).toBe('Confirm your email for PocketPing');
    expect((await env.call(verifyEmail, { body: { token: tokenOf(second, '/verify-email') } })).status).toBe(200);
    const pendingRow = await db.user.findUniqueOrThrow({ where: { email: pending } });
    expect(await verifyPassword('second password 2', pendingRow.passwordHash!)).toBe(true);
    expect(await verifyPassword('first password 1', pendingRow.passwordHash!)).toBe(false);
    expect((await env.call(verifyEmail, { body: { token: firstLink } })).status).toBe(409);
  });

  it('limits sign-ups per address: the 11th in an hour is 429 with Retry-After', async () => {
    const ip = freshIp();
    for (let i = 0; i < 10; i++) {
      expect(
        (
          await env.call(signup, {
            body: { email: freshEmail(), password: 'correct horse battery' },
            headers: from(ip),
          })
        ).status,
      ).toBe(200);
    }
    const limited = await env.call(signup, {
      body: { email: freshEmail(), password: 'correct horse battery' },
      headers: from(ip),
    });
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect(
      (
        await env.call(signup, {
          body: { email: freshEmail(), password: 'correct horse battery' },
          headers: from(freshIp()),
        })
      ).status,
    ).toBe(200);
  });
});

describe('sign up from an invitation', () => {
  async function invite(email: string): Promise<string> {
    const owner = await env.createUser();
    const org = await env.createOrg(owner.id, 'Invite Co');
    const cookie = await env.sessionCookie(owner.id);
    const res = await env.call(invitationsRoute.POST, { params: { orgId: org.id }, body: { email }, cookie });
    expect(res.status).toBe(200);
    const mail = await smtp.waitForMail(email, (m) => m.subject.includes('invited you'));
    const link = mail.links.find((l) => new URL(l).pathname.startsWith('/invite/'))!;
    return decodeURIComponent(new URL(link).pathname.slice('/invite/'.length));
  }

  it('the invitation link to that address proves the mailbox: confirmed at once, no second mail', async () => {
    const email = freshEmail();
    const token = await invite(email);
    smtp.clear();
    const res = await env.call(signup, {
      body: { email, password: 'correct horse battery', next: `/invite/${token}`, invitationToken: token },
      headers: from(freshIp()),
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true, verified: true });
    const { db } = await env.app();
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(user.emailVerified).not.toBeNull();
    expect(await verifyPassword('correct horse battery', user.passwordHash!)).toBe(true);
    await afterAnswerSettled();
    expect(smtp.mails().filter((m) => m.to.includes(email))).toEqual([]);
  });

  it('another address, an unknown token, or an account already confirmed: the usual answer and mails', async () => {
    const invited = freshEmail();
    const token = await invite(invited);
    const other = freshEmail();
    smtp.clear();
    const res = await env.call(signup, {
      body: { email: other, password: 'correct horse battery', invitationToken: token },
      headers: from(freshIp()),
    });
    expect(res.json).toEqual({ ok: true });
    await smtp.waitForMail(other, (m) => m.subject.includes('Confirm'));
    const { db } = await env.app();
    expect((await db.user.findUniqueOrThrow({ where: { email: other } })).emailVerified).toBeNull();

    const unknown = await env.call(signup, {
      body: { email: invited, password: 'correct horse battery', invitationToken: 'not-a-real-token' },
      headers: from(freshIp()),
    });
    expect(unknown.json).toEqual({ ok: true });
    await smtp.waitForMail(invited, (m) => m.subject.includes('Confirm'));
    expect((await db.user.findUniqueOrThrow({ where: { email: invited } })).emailVerified).toBeNull();

    // Confirmed meanwhile: the invitation changes nothing of the account (no new password).
    const confirmed = await env.createUser();
    const tokenForConfirmed = await invite(confirmed.email);
    const before = await db.user.findUniqueOrThrow({ where: { id: confirmed.id } });
    const again = await env.call(signup, {
      body: { email: confirmed.email, password: 'another password here', invitationToken: tokenForConfirmed },
      headers: from(freshIp()),
    });
    expect(again.json).toEqual({ ok: true });
    expect((await db.user.findUniqueOrThrow({ where: { id: confirmed.id } })).passwordHash).toBe(before.passwordHash);
  });
});

describe('resend the confirmation mail', () => {
  it('mails an unconfirmed account, answers the same for unknown and confirmed ones, and is limited per email', async () => {
    const pending = await env.createUser({ verified: false, password: 'first password 1' });
    const ip = freshIp();
    const res = await env.call(resend, { body: { email: pending.email }, headers: from(ip) });
    expect(res.json).toEqual({ ok: true });
    const token = tokenOf(await smtp.waitForMail(pending.email), '/verify-email');
    expect((await env.call(verifyEmail, { body: { token } })).status).toBe(200);

    const confirmed = await env.createUser();
    const unknown = freshEmail();
    expect((await env.call(resend, { body: { email: confirmed.email }, headers: from(ip) })).json).toEqual({
      ok: true,
    });
    expect((await env.call(resend, { body: { email: unknown }, headers: from(ip) })).json).toEqual({ ok: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails().filter((m) => m.to.includes(confirmed.email) || m.to.includes(unknown))).toEqual([]);

    const other = await env.createUser({ verified: false });
    for (let i = 0; i < 3; i++)
      expect((await env.call(resend, { body: { email: other.email }, headers: from(freshIp()) })).status).toBe(200);
    const limited = await env.call(resend, { body: { email: other.email }, headers: from(freshIp()) });
    expect(limited.status).toBe(429);
  });
});

describe('forgot and reset the password', () => {
  it('mails a one-hour link that sets the password once, logs out every old session and signs this one in', async () => {
    const user = await env.createUser({ password: 'old password 123', verified: false });
    const oldCookie = await env.sessionCookie(user.id, 0);
    expect(await sessionUser(oldCookie)).not.toBeNull();

    const res = await env.call(forgot, { body: { email: user.email }, headers: from(freshIp()) });
    expect(res.json).toEqual({ ok: true });
    const mail = await smtp.waitForMail(user.email, (m) => m.subject.includes('Reset'));
    const token = tokenOf(mail, '/reset-password');
    const { db } = await env.app();
    const row = await db.userToken.findFirstOrThrow({ where: { userId: user.id, purpose: 'reset_password' } });
    expect(Math.abs(row.expiresAt.getTime() - Date.now() - 3600_000)).toBeLessThan(60_000);

    const short = await env.call(reset, { body: { token, password: 'short' } });
    expect(short.status).toBe(400);
    const done = await env.call(reset, { body: { token, password: 'brand new password' } });
    expect(done.status).toBe(200);
    const newCookie = cookieFrom(done.headers);
    expect(await sessionUser(newCookie)).toMatchObject({ id: user.id, emailVerified: true });
    // The old cookie (sessionVersion 0) is dead: logged out everywhere.
    expect(await sessionUser(oldCookie)).toBeNull();
    const after = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(after.sessionVersion).toBe(1);
    expect(after.emailVerified).not.toBeNull();
    expect(await verifyPassword('brand new password', after.passwordHash!)).toBe(true);
    expect(await verifyPassword('old password 123', after.passwordHash!)).toBe(false);

    const twice = await env.call(reset, { body: { token, password: 'another password!' } });
    expect(twice.status).toBe(400);
    expect(twice.json.error.details.reason).toBe('used');
    expect(
      await verifyPassword(
        'brand new password',
        (await db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash!,
      ),
    ).toBe(true);
  });

  it('a reset kills the other pending reset links; an expired link is refused', async () => {
    const user = await env.createUser({ password: 'old password 123' });
    await env.call(forgot, { body: { email: user.email }, headers: from(freshIp()) });
    await env.call(forgot, { body: { email: user.email }, headers: from(freshIp()) });
    await smtp.waitForMail(user.email, () => smtp.mails().filter((m) => m.to.includes(user.email)).length === 2);
    const [first, second] = smtp
      .mails()
      .filter((m) => m.to.includes(user.email))
      .map((m) => tokenOf(m, '/reset-password'));
    expect((await env.call(reset, { body: { token: second, password: 'brand new password' } })).status).toBe(200);
    expect(
      (await env.call(reset, { body: { token: first, password: 'sneaky password!' } })).json.error.details.reason,
    ).toBe('used');

    await env.call(forgot, { body: { email: user.email }, headers: from(freshIp()) });
    const mine = () => smtp.mails().filter((m) => m.to.includes(user.email));
    await smtp.waitForMail(user.email, () => mine().length === 3);
    const third = tokenOf(mine()[2]!, '/reset-password');
    const { db } = await env.app();
    await db.userToken.updateMany({
      where: { userId: user.id, usedAt: null },
      data: { expiresAt: new Date(Date.now() - 1) },
    });
    const expired = await env.call(reset, { body: { token: third, password: 'brand new password 2' } });
    expect(expired.status).toBe(400);
    expect(expired.json.error.details.reason).toBe('expired');
  });

  it('answers the same for an unknown address, mails nothing, and limits per email and per client', async () => {
    const unknown = freshEmail();
    const res = await env.call(forgot, { body: { email: unknown }, headers: from(freshIp()) });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails()).toEqual([]);

    const user = await env.createUser({ password: 'old password 123' });
    for (let i = 0; i < 3; i++)
      expect((await env.call(forgot, { body: { email: user.email }, headers: from(freshIp()) })).status).toBe(200);
    expect((await env.call(forgot, { body: { email: user.email }, headers: from(freshIp()) })).status).toBe(429);

    const ip = freshIp();
    for (let i = 0; i < 10; i++)
      expect((await env.call(forgot, { body: { email: freshEmail() }, headers: from(ip) })).status).toBe(200);
    expect((await env.call(forgot, { body: { email: freshEmail() }, headers: from(ip) })).status).toBe(429);
  });
});

describe('mail bombing: every mail sent on request is limited per target address', () => {
  it('sign-up mails one address at most 3 times in 15 minutes, whatever the client address says', async () => {
    const email = freshEmail();
    for (let i = 0; i < 3; i++)
      expect(
        (await env.call(signup, { body: { email, password: 'correct horse battery' }, headers: from(freshIp()) }))
          .status,
      ).toBe(200);
    const limited = await env.call(signup, {
      body: { email, password: 'correct horse battery' },
      headers: from(freshIp()),
    });
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('rate_limited');
    // The same answer for an address that has an account.
    const owner = await env.createUser();
    for (let i = 0; i < 3; i++)
      expect(
        (
          await env.call(signup, {
            body: { email: owner.email, password: 'correct horse battery' },
            headers: from(freshIp()),
          })
        ).status,
      ).toBe(200);
    expect(
      (
        await env.call(signup, {
          body: { email: owner.email, password: 'correct horse battery' },
          headers: from(freshIp()),
        })
      ).status,
    ).toBe(429);
  });

  it('all kinds together (sign-up, resend, reset, invitation) stop at 10 mails an hour to one address', async () => {
    const email = freshEmail();
    for (let i = 0; i < 3; i++)
      expect(
        (await env.call(signup, { body: { email, password: 'correct horse battery' }, headers: from(freshIp()) }))
          .status,
      ).toBe(200);
    for (let i = 0; i < 3; i++)
      expect((await env.call(resend, { body: { email }, headers: from(freshIp()) })).status).toBe(200);
    for (let i = 0; i < 3; i++)
      expect((await env.call(forgot, { body: { email }, headers: from(freshIp()) })).status).toBe(200);
    const owner = await env.createUser();
    const org = await env.createOrg(owner.id, 'Bomb Co');
    const cookie = await env.sessionCookie(owner.id);
    expect((await env.call(invitationsRoute.POST, { params: { orgId: org.id }, body: { email }, cookie })).status).toBe(
      200,
    );
    const eleventh = await env.call(invitationsRoute.POST, { params: { orgId: org.id }, body: { email }, cookie });
    expect(eleventh.status).toBe(429);
    expect((await env.call(forgot, { body: { email: freshEmail() }, headers: from(freshIp()) })).status).toBe(200);
  });
});

describe('login CSRF through the confirmation page', () => {
  it('a browser signed in to another account is not switched without asking; the link stays usable', async () => {
    const victim = await env.createUser();
    const victimCookie = await env.sessionCookie(victim.id);
    const attacker = freshEmail();
    await env.call(signup, { body: { email: attacker, password: 'attacker password' }, headers: from(freshIp()) });
    const token = tokenOf(await smtp.waitForMail(attacker), '/verify-email');

    const asked = await env.call(verifyEmail, { body: { token }, cookie: victimCookie });
    expect(asked.status).toBe(409);
    expect(asked.json.error.details).toEqual({
      reason: 'signed_in_as_other',
      signedInAs: victim.email,
      linkFor: attacker,
    });
    expect(asked.headers.getSetCookie()).toEqual([]);
    const { db } = await env.app();
    expect((await db.user.findUniqueOrThrow({ where: { email: attacker } })).emailVerified).toBeNull();

    // The person says yes (it is their other account): switched.
    const switched = await env.call(verifyEmail, { body: { token, switchAccount: true }, cookie: victimCookie });
    expect(switched.status).toBe(200);
    expect(await sessionUser(cookieFrom(switched.headers))).toMatchObject({ email: attacker });
  });

  it('the same account, or no session, confirms at once', async () => {
    const email = freshEmail();
    await env.call(signup, { body: { email, password: 'correct horse battery' }, headers: from(freshIp()) });
    const token = tokenOf(await smtp.waitForMail(email), '/verify-email');
    const { db } = await env.app();
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    // Unconfirmed accounts have no session in practice; a cookie naming the same user must not be asked anything.
    const same = await env.call(verifyEmail, { body: { token }, cookie: await env.sessionCookie(user.id) });
    expect(same.status).toBe(200);
    const dead = await env.call(verifyEmail, {
      body: { token: randomBytes(32).toString('base64url') },
      cookie: await env.sessionCookie((await env.createUser()).id),
    });
    expect(dead.status).toBe(400);
  });
});
