import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSmtp, type TFakeSmtp } from '@pocketping/testkit';
import { resolveApiKey } from '@pocketping/db';
import { setupWebTestEnv, TEST_WEB_URL, type TWebTestEnv } from '../testing/web-test-env';
import * as membersRoute from '../../app/api/app/orgs/[orgId]/members/route';
import * as memberRoute from '../../app/api/app/orgs/[orgId]/members/[memberId]/route';
import * as transferRoute from '../../app/api/app/orgs/[orgId]/members/[memberId]/transfer-ownership/route';
import * as invitationsRoute from '../../app/api/app/orgs/[orgId]/invitations/route';
import * as invitationRoute from '../../app/api/app/orgs/[orgId]/invitations/[invitationId]/route';
import * as acceptRoute from '../../app/api/app/invitations/accept/route';
import * as apiKeysRoute from '../../app/api/app/orgs/[orgId]/api-keys/route';
import * as apiKeyRoute from '../../app/api/app/orgs/[orgId]/api-keys/[keyId]/route';
import * as meRoute from '../../app/api/app/me/route';
import { getInvitationByToken, INVITATIONS_PER_HOUR } from './invitations';

// Team, invitations and API keys through their routes, with the real database, Redis and a real SMTP capture.
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

async function team() {
  const owner = await env.createUser({ name: 'Olive Owner' });
  const org = await env.createOrg(owner.id, 'Team Co');
  const admin = await env.createUser();
  const agent = await env.createUser();
  await env.addMember(org.id, admin.id, 'admin');
  await env.addMember(org.id, agent.id, 'agent');
  const { db } = await env.app();
  const ms = await db.membership.findMany({ where: { organizationId: org.id } });
  const mid = (userId: string) => ms.find((m) => m.userId === userId)!.id;
  return {
    org,
    owner: { ...owner, mid: mid(owner.id), cookie: await env.sessionCookie(owner.id) },
    admin: { ...admin, mid: mid(admin.id), cookie: await env.sessionCookie(admin.id) },
    agent: { ...agent, mid: mid(agent.id), cookie: await env.sessionCookie(agent.id) },
  };
}

async function roleOf(orgId: string, userId: string) {
  const { db } = await env.app();
  return (
    (await db.membership.findUnique({ where: { organizationId_userId: { organizationId: orgId, userId } } }))?.role ??
    null
  );
}

async function invite(orgId: string, cookie: string, email: string, role: 'agent' | 'admin' = 'agent') {
  const res = await env.call(invitationsRoute.POST, { params: { orgId }, body: { email, role }, cookie });
  if (res.status !== 200) return { res, token: null };
  const mail = await smtp.waitForMail(
    email.toLowerCase(),
    (m) => m.links.some((l) => l.includes('/invite/')) && !seenMailIds.has(m.id),
  );
  seenMailIds.add(mail.id);
  const link = mail.links.find((l) => l.includes('/invite/'))!;
  return { res, token: decodeURIComponent(link.split('/invite/')[1]!), mail };
}
const seenMailIds = new Set<string>();

describe('invitations', () => {
  it('mails a 7-day link; the invited address joins with the role; the link then stops being pending', async () => {
    const t = await team();
    const email = `New.Person-${Date.now()}@Example.test`;
    const { res, token, mail } = await invite(t.org.id, t.owner.cookie, email, 'admin');
    expect(res.status).toBe(200);
    expect(res.json.invitation).toMatchObject({ email: email.toLowerCase(), role: 'admin', expired: false });
    expect(JSON.stringify(res.json)).not.toContain(token!);
    const days = (Date.parse(res.json.invitation.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    expect(mail!.subject).toContain('Olive Owner invited you to Team Co');
    expect(mail!.links[0]).toBe(`${TEST_WEB_URL}/invite/${token}`);

    const { db } = await env.app();
    const stored = await db.invitation.findUniqueOrThrow({ where: { id: res.json.invitation.id } });
    expect(stored.tokenHash).not.toContain(token!);
    expect(stored.tokenHash).toMatch(/^[0-9a-f]{64}$/);

    const view = await getInvitationByToken(db, token!);
    expect(view).toMatchObject({
      status: 'valid',
      organization: { id: t.org.id, name: 'Team Co' },
      inviter: { name: 'Olive Owner' },
    });

    const pending = await env.call(invitationsRoute.GET, { params: { orgId: t.org.id }, cookie: t.admin.cookie });
    expect(pending.json.invitations.map((i: { email: string }) => i.email)).toContain(email.toLowerCase());

    const invitee = await env.createUser({ email: email.toLowerCase() });
    const cookie = await env.sessionCookie(invitee.id);
    const accepted = await env.call(acceptRoute.POST, { body: { token }, cookie });
    expect(accepted.status).toBe(200);
    expect(accepted.json).toEqual({ organizationId: t.org.id, role: 'admin' });
    expect(await roleOf(t.org.id, invitee.id)).toBe('admin');
    // a double click is harmless
    expect((await env.call(acceptRoute.POST, { body: { token }, cookie })).status).toBe(200);
    const after = await env.call(invitationsRoute.GET, { params: { orgId: t.org.id }, cookie: t.admin.cookie });
    expect(after.json.invitations.map((i: { email: string }) => i.email)).not.toContain(email.toLowerCase());
    // and now that address is a member: inviting it again is a conflict
    expect(
      (await env.call(invitationsRoute.POST, { params: { orgId: t.org.id }, body: { email }, cookie: t.owner.cookie }))
        .status,
    ).toBe(409);

    const me = await env.call(meRoute.GET, { cookie });
    expect(me.json.organizations).toEqual([{ id: t.org.id, name: 'Team Co', role: 'admin' }]);
  });

  it('refuses another address, an unconfirmed email, no session, a bad token, an expired, revoked or used link', async () => {
    const t = await team();
    const email = `invitee-${Date.now()}@example.test`;
    const { token } = await invite(t.org.id, t.admin.cookie, email);
    const someoneElse = await env.createUser();
    const wrong = await env.call(acceptRoute.POST, {
      body: { token },
      cookie: await env.sessionCookie(someoneElse.id),
    });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error.message).toContain(email);
    expect(await roleOf(t.org.id, someoneElse.id)).toBeNull();

    const unverified = await env.createUser({ email, verified: false });
    expect(
      (await env.call(acceptRoute.POST, { body: { token }, cookie: await env.sessionCookie(unverified.id) })).status,
    ).toBe(403);
    expect((await env.call(acceptRoute.POST, { body: { token } })).status).toBe(401);
    const { db } = await env.app();
    await db.user.update({ where: { id: unverified.id }, data: { emailVerified: new Date() } });
    const cookie = await env.sessionCookie(unverified.id);

    const bogus = await env.call(acceptRoute.POST, { body: { token: 'not-a-real-token' }, cookie });
    expect(bogus.status).toBe(404);

    await db.invitation.updateMany({
      where: { organizationId: t.org.id, email },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const expired = await env.call(acceptRoute.POST, { body: { token }, cookie });
    expect(expired.status).toBe(409);
    expect(expired.json.error.details.reason).toBe('expired');
    expect(expired.json.error.message).toMatch(/expired/);
    expect(await roleOf(t.org.id, unverified.id)).toBeNull();

    // re-inviting replaces: the old link is dead, the new one works once
    const second = await invite(t.org.id, t.admin.cookie, email);
    const third = await invite(t.org.id, t.admin.cookie, email);
    const pending = await db.invitation.findMany({
      where: { organizationId: t.org.id, email, acceptedAt: null, revokedAt: null },
    });
    expect(pending).toHaveLength(1);
    const replaced = await env.call(acceptRoute.POST, { body: { token: second.token }, cookie });
    expect(replaced.status).toBe(409);
    expect(replaced.json.error.details.reason).toBe('revoked');

    // revoked by an admin
    const revoke = await env.call(invitationRoute.DELETE, {
      params: { orgId: t.org.id, invitationId: third.res.json.invitation.id },
      body: {},
      cookie: t.admin.cookie,
    });
    expect(revoke.status).toBe(200);
    const revoked = await env.call(acceptRoute.POST, { body: { token: third.token }, cookie });
    expect(revoked.status).toBe(409);
    expect(revoked.json.error.details.reason).toBe('revoked');

    const fourth = await invite(t.org.id, t.admin.cookie, email);
    expect((await env.call(acceptRoute.POST, { body: { token: fourth.token }, cookie })).status).toBe(200);
    expect(await roleOf(t.org.id, unverified.id)).toBe('agent');
    // a used link cannot bring in anyone else (same address or not)
    const used = await env.call(acceptRoute.POST, {
      body: { token: fourth.token },
      cookie: await env.sessionCookie(someoneElse.id),
    });
    expect(used.status).toBe(403);
    const view = await getInvitationByToken(db, fourth.token!);
    expect(view?.status).toBe('accepted');
  });

  it('lets admins invite agents and admins, never owners; agents cannot invite; an organization is rate-limited', async () => {
    const t = await team();
    const asAgent = await env.call(invitationsRoute.POST, {
      params: { orgId: t.org.id },
      body: { email: 'x@example.test' },
      cookie: t.agent.cookie,
    });
    expect(asAgent.status).toBe(403);
    const asOwnerRole = await env.call(invitationsRoute.POST, {
      params: { orgId: t.org.id },
      body: { email: 'x@example.test', role: 'owner' },
      cookie: t.owner.cookie,
    });
    expect(asOwnerRole.status).toBe(400);
    expect(
      (
        await env.call(invitationsRoute.POST, {
          params: { orgId: t.org.id },
          body: { email: 'not-an-email' },
          cookie: t.owner.cookie,
        })
      ).status,
    ).toBe(400);
    const adminInvite = await invite(t.org.id, t.admin.cookie, `adm-${Date.now()}@example.test`, 'admin');
    expect(adminInvite.res.status).toBe(200);
    expect(adminInvite.res.json.invitation.role).toBe('admin');
    expect((await env.call(invitationsRoute.GET, { params: { orgId: t.org.id }, cookie: t.agent.cookie })).status).toBe(
      403,
    );

    // Past the trial's 15 seats the plan would refuse first: on Business (unlimited seats) the hourly limit shows.
    const { db, limits } = await env.app();
    await db.organizationBilling.create({ data: { organizationId: t.org.id, plan: 'business', status: 'active' } });
    await limits.invalidate(t.org.id);
    let limited: { status: number; headers: Headers } | null = null;
    for (let i = 1; i <= INVITATIONS_PER_HOUR + 1 && !limited; i++) {
      const res = await env.call(invitationsRoute.POST, {
        params: { orgId: t.org.id },
        body: { email: `bulk${i}-${Date.now()}@example.test` },
        cookie: t.owner.cookie,
      });
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(200);
    }
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('revoking needs admin, and an invitation of another organization is not found', async () => {
    const t = await team();
    const other = await team();
    const { res } = await invite(other.org.id, other.owner.cookie, `o-${Date.now()}@example.test`);
    const id = res.json.invitation.id as string;
    const cross = await env.call(invitationRoute.DELETE, {
      params: { orgId: t.org.id, invitationId: id },
      body: {},
      cookie: t.owner.cookie,
    });
    expect(cross.status).toBe(404);
    const byAgent = await env.call(invitationRoute.DELETE, {
      params: { orgId: other.org.id, invitationId: id },
      body: {},
      cookie: other.agent.cookie,
    });
    expect(byAgent.status).toBe(403);
    const { db } = await env.app();
    expect((await db.invitation.findUniqueOrThrow({ where: { id } })).revokedAt).toBeNull();
  });
});

describe('members and roles', () => {
  it('lists the team with name, email, role and join date', async () => {
    const t = await team();
    const res = await env.call(membersRoute.GET, { params: { orgId: t.org.id }, cookie: t.agent.cookie });
    expect(res.status).toBe(200);
    expect(res.json.members).toHaveLength(3);
    expect(res.json.members[0]).toMatchObject({
      id: t.owner.mid,
      name: 'Olive Owner',
      email: t.owner.email,
      role: 'owner',
    });
    expect(Date.parse(res.json.members[0].joinedAt)).not.toBeNaN();
  });

  it('admins promote agents but only an owner demotes an admin; nobody becomes owner by PATCH; the last owner stays owner', async () => {
    const t = await team();
    const patch = (cookie: string, memberId: string, role: string) =>
      env.call(memberRoute.PATCH, { method: 'PATCH', params: { orgId: t.org.id, memberId }, body: { role }, cookie });
    expect((await patch(t.agent.cookie, t.agent.mid, 'admin')).status).toBe(403);
    expect((await patch(t.admin.cookie, t.agent.mid, 'owner')).status).toBe(400);
    const promoted = await patch(t.admin.cookie, t.agent.mid, 'admin');
    expect(promoted.status).toBe(200);
    expect(promoted.json.member).toMatchObject({ id: t.agent.mid, role: 'admin' });
    // the two are now admins: one cannot demote the other
    expect((await patch(t.admin.cookie, t.agent.mid, 'agent')).status).toBe(403);
    expect(await roleOf(t.org.id, t.agent.id)).toBe('admin');
    expect((await patch(t.admin.cookie, t.owner.mid, 'agent')).status).toBe(403);
    expect((await patch(t.owner.cookie, t.agent.mid, 'agent')).status).toBe(200);
    expect(await roleOf(t.org.id, t.agent.id)).toBe('agent');
    // an admin may step down themselves
    expect((await patch(t.admin.cookie, t.admin.mid, 'agent')).status).toBe(200);
    const last = await patch(t.owner.cookie, t.owner.mid, 'admin');
    expect(last.status).toBe(409);
    expect(last.json.error.message).toMatch(/last owner/);
    expect(await roleOf(t.org.id, t.owner.id)).toBe('owner');
  });

  it('admins remove agents, only owners remove admins, anyone leaves except the last owner', async () => {
    const t = await team();
    const del = (cookie: string, memberId: string) =>
      env.call(memberRoute.DELETE, { method: 'DELETE', params: { orgId: t.org.id, memberId }, body: {}, cookie });
    const agent2 = await env.createUser();
    await env.addMember(t.org.id, agent2.id, 'agent');
    const { db } = await env.app();
    const agent2Mid = (
      await db.membership.findUniqueOrThrow({
        where: { organizationId_userId: { organizationId: t.org.id, userId: agent2.id } },
      })
    ).id;

    expect((await del(t.agent.cookie, agent2Mid)).status).toBe(403);
    expect((await del(t.agent.cookie, t.admin.mid)).status).toBe(403);
    expect((await del(t.admin.cookie, t.owner.mid)).status).toBe(403);
    expect((await del(t.admin.cookie, agent2Mid)).status).toBe(200);
    expect(await roleOf(t.org.id, agent2.id)).toBeNull();
    const left = await del(t.agent.cookie, t.agent.mid);
    expect(left.status).toBe(200);
    expect(left.json).toEqual({ left: true, apiKeysKept: [] });
    expect(await roleOf(t.org.id, t.agent.id)).toBeNull();
    // the removed agent's session no longer opens the organization
    expect((await env.call(membersRoute.GET, { params: { orgId: t.org.id }, cookie: t.agent.cookie })).status).toBe(
      404,
    );

    const lastOwner = await del(t.owner.cookie, t.owner.mid);
    expect(lastOwner.status).toBe(409);
    expect(lastOwner.json.error.message).toMatch(/transfer ownership/i);
    expect((await del(t.owner.cookie, t.admin.mid)).status).toBe(200);
    expect(await roleOf(t.org.id, t.admin.id)).toBeNull();
    const audit = await db.auditLog.findMany({ where: { organizationId: t.org.id }, orderBy: { createdAt: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['member.removed', 'member.left', 'member.removed']);
  });

  it('an owner transfers ownership: the member becomes owner, the caller admin; nobody else can', async () => {
    const t = await team();
    const transfer = (cookie: string, memberId: string) =>
      env.call(transferRoute.POST, { params: { orgId: t.org.id, memberId }, body: {}, cookie });
    expect((await transfer(t.admin.cookie, t.agent.mid)).status).toBe(403);
    expect((await transfer(t.owner.cookie, t.owner.mid)).status).toBe(400);
    const ok = await transfer(t.owner.cookie, t.agent.mid);
    expect(ok.status).toBe(200);
    expect(await roleOf(t.org.id, t.agent.id)).toBe('owner');
    expect(await roleOf(t.org.id, t.owner.id)).toBe('admin');
    // the former owner is now an ordinary admin: no second transfer, and may leave
    expect((await transfer(t.owner.cookie, t.admin.mid)).status).toBe(403);
    expect(
      (
        await env.call(memberRoute.DELETE, {
          method: 'DELETE',
          params: { orgId: t.org.id, memberId: t.owner.mid },
          body: {},
          cookie: t.owner.cookie,
        })
      ).status,
    ).toBe(200);
    const { db } = await env.app();
    expect(await db.membership.count({ where: { organizationId: t.org.id, role: 'owner' } })).toBe(1);
  });

  it('two owners demoting each other, or both leaving, at the same moment still leave exactly one owner', async () => {
    const t = await team();
    const { db } = await env.app();
    await db.membership.update({ where: { id: t.admin.mid }, data: { role: 'owner' } });
    const demote = (cookie: string, memberId: string) =>
      env.call(memberRoute.PATCH, {
        method: 'PATCH',
        params: { orgId: t.org.id, memberId },
        body: { role: 'admin' },
        cookie,
      });
    const results = await Promise.all([demote(t.owner.cookie, t.admin.mid), demote(t.admin.cookie, t.owner.mid)]);
    // One demotion wins. The other is refused either as "the last owner" (409: both passed the role check, the
    // owner-count lock serialised them) or, when the winner committed before its role check ran, because its caller
    // is no longer an owner (403). Never both 200.
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    expect(await db.membership.count({ where: { organizationId: t.org.id, role: 'owner' } })).toBe(1);

    const [survivor] = await db.membership.findMany({ where: { organizationId: t.org.id, role: 'owner' } });
    const other = survivor!.id === t.owner.mid ? t.admin : t.owner;
    await db.membership.update({ where: { id: other.mid }, data: { role: 'owner' } });
    const leave = (cookie: string, memberId: string) =>
      env.call(memberRoute.DELETE, { method: 'DELETE', params: { orgId: t.org.id, memberId }, body: {}, cookie });
    const leaving = await Promise.all([leave(t.owner.cookie, t.owner.mid), leave(t.admin.cookie, t.admin.mid)]);
    expect(leaving.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await db.membership.count({ where: { organizationId: t.org.id, role: 'owner' } })).toBe(1);
  });

  it("a member id of another organization is not found, even for an owner of one's own", async () => {
    const t = await team();
    const other = await team();
    const res = await env.call(memberRoute.DELETE, {
      method: 'DELETE',
      params: { orgId: t.org.id, memberId: other.agent.mid },
      body: {},
      cookie: t.owner.cookie,
    });
    expect(res.status).toBe(404);
    const tr = await env.call(transferRoute.POST, {
      params: { orgId: t.org.id, memberId: other.agent.mid },
      body: {},
      cookie: t.owner.cookie,
    });
    expect(tr.status).toBe(404);
    expect(await roleOf(other.org.id, other.agent.id)).toBe('agent');
  });
});

describe('API keys', () => {
  it("chooses scopes and one project of the organization; another organization's project is not found", async () => {
    const t = await team();
    const project = await env.createProject(t.org.id, 'Shop');
    const other = await env.createOrg((await env.createUser()).id, 'Elsewhere');
    const foreign = await env.createProject(other.id, 'Theirs');
    const made = await env.call(apiKeysRoute.POST, {
      params: { orgId: t.org.id },
      body: { name: 'Reporting', scopes: ['read'], projectId: project.id },
      cookie: t.admin.cookie,
    });
    expect(made.status).toBe(200);
    expect(made.json.apiKey).toMatchObject({ scopes: ['read'], projectId: project.id });
    const { db } = await env.app();
    expect(await resolveApiKey(db, made.json.key)).toMatchObject({ scopes: ['read'], projectId: project.id });
    const refused = await env.call(apiKeysRoute.POST, {
      params: { orgId: t.org.id },
      body: { name: 'Sneaky', projectId: foreign.id },
      cookie: t.admin.cookie,
    });
    expect(refused.status).toBe(404);
    for (const scopes of [[], ['admin']]) {
      const bad = await env.call(apiKeysRoute.POST, {
        params: { orgId: t.org.id },
        body: { name: 'Bad', scopes },
        cookie: t.admin.cookie,
      });
      expect(bad.status).toBe(400);
    }
    expect(await db.apiKey.count({ where: { organizationId: t.org.id } })).toBe(1);
  });

  it('creates a key shown once, lists prefixes only, revokes it so it no longer resolves', async () => {
    const t = await team();
    const created = await env.call(apiKeysRoute.POST, {
      params: { orgId: t.org.id },
      body: { name: 'Zapier' },
      cookie: t.admin.cookie,
    });
    expect(created.status).toBe(200);
    const key = created.json.key as string;
    expect(key).toMatch(/^ppk_/);
    expect(created.json.apiKey).toMatchObject({ name: 'Zapier', prefix: key.slice(0, 12), revokedAt: null });
    const { db } = await env.app();
    expect(await resolveApiKey(db, key)).toMatchObject({ organizationId: t.org.id });

    const list = await env.call(apiKeysRoute.GET, { params: { orgId: t.org.id }, cookie: t.owner.cookie });
    expect(list.status).toBe(200);
    expect(list.json.apiKeys).toHaveLength(1);
    expect(list.json.apiKeys[0].lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list.json)).not.toContain(key);
    expect(Object.keys(list.json.apiKeys[0]).sort()).toEqual([
      'createdAt',
      'createdBy',
      'id',
      'lastUsedAt',
      'name',
      'prefix',
      'projectId',
      'revokedAt',
      'scopes',
    ]);
    expect(list.json.apiKeys[0]).toMatchObject({ scopes: ['read', 'write'], projectId: null });
    expect(list.json.apiKeys[0].createdBy).toEqual({ name: null, email: t.admin.email, isMember: true });

    expect((await env.call(apiKeysRoute.GET, { params: { orgId: t.org.id }, cookie: t.agent.cookie })).status).toBe(
      403,
    );
    expect(
      (await env.call(apiKeysRoute.POST, { params: { orgId: t.org.id }, body: { name: 'x' }, cookie: t.agent.cookie }))
        .status,
    ).toBe(403);
    expect(
      (await env.call(apiKeysRoute.POST, { params: { orgId: t.org.id }, body: { name: '  ' }, cookie: t.admin.cookie }))
        .status,
    ).toBe(400);

    const other = await team();
    const keyId = created.json.apiKey.id as string;
    const cross = await env.call(apiKeyRoute.DELETE, {
      method: 'DELETE',
      params: { orgId: other.org.id, keyId },
      body: {},
      cookie: other.owner.cookie,
    });
    expect(cross.status).toBe(404);
    expect(await resolveApiKey(db, key)).not.toBeNull();

    const revoked = await env.call(apiKeyRoute.DELETE, {
      method: 'DELETE',
      params: { orgId: t.org.id, keyId },
      body: {},
      cookie: t.admin.cookie,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.json.apiKey.revokedAt).not.toBeNull();
    expect(await resolveApiKey(db, key)).toBeNull();
    const after = await env.call(apiKeysRoute.GET, { params: { orgId: t.org.id }, cookie: t.owner.cookie });
    expect(after.json.apiKeys[0].revokedAt).not.toBeNull();
  });
});

describe('team changes take effect everywhere', () => {
  async function auditOf(orgId: string, action: string) {
    const { db } = await env.app();
    return db.auditLog.findFirstOrThrow({ where: { organizationId: orgId, action }, orderBy: { createdAt: 'desc' } });
  }

  it('removing an admin withdraws their pending invitations: the link no longer lets anyone in', async () => {
    const t = await team();
    const email = `by-removed-${Date.now()}@example.test`;
    const { token, res } = await invite(t.org.id, t.admin.cookie, email, 'admin');
    const ownersInvite = await invite(t.org.id, t.owner.cookie, `by-owner-${Date.now()}@example.test`);
    expect(
      (
        await env.call(memberRoute.DELETE, {
          method: 'DELETE',
          params: { orgId: t.org.id, memberId: t.admin.mid },
          body: {},
          cookie: t.owner.cookie,
        })
      ).status,
    ).toBe(200);

    const invitee = await env.createUser({ email });
    const accepted = await env.call(acceptRoute.POST, { body: { token }, cookie: await env.sessionCookie(invitee.id) });
    expect(accepted.status).toBe(409);
    expect(accepted.json.error.details.reason).toBe('revoked');
    expect(await roleOf(t.org.id, invitee.id)).toBeNull();
    const { db } = await env.app();
    expect((await getInvitationByToken(db, token!))?.status).toBe('revoked');
    // The owner's own invitation is untouched.
    expect((await getInvitationByToken(db, ownersInvite.token!))?.status).toBe('valid');
    expect((await auditOf(t.org.id, 'member.removed')).metadata).toMatchObject({
      invitationsWithdrawn: [res.json.invitation.id],
    });
  });

  it('demoting an admin to agent withdraws their pending invitations', async () => {
    const t = await team();
    const email = `by-demoted-${Date.now()}@example.test`;
    const { token } = await invite(t.org.id, t.admin.cookie, email);
    expect(
      (
        await env.call(memberRoute.PATCH, {
          method: 'PATCH',
          params: { orgId: t.org.id, memberId: t.admin.mid },
          body: { role: 'agent' },
          cookie: t.owner.cookie,
        })
      ).status,
    ).toBe(200);
    const invitee = await env.createUser({ email });
    const accepted = await env.call(acceptRoute.POST, { body: { token }, cookie: await env.sessionCookie(invitee.id) });
    expect(accepted.status).toBe(409);
    expect(await roleOf(t.org.id, invitee.id)).toBeNull();
  });

  it("accepting re-checks the inviter's right at that moment (an invitation that slipped through is refused)", async () => {
    const t = await team();
    const email = `recheck-${Date.now()}@example.test`;
    const { token } = await invite(t.org.id, t.admin.cookie, email, 'admin');
    const { db } = await env.app();
    // The role changes without going through removeMember/changeMemberRole (a concurrent change, an older row).
    await db.membership.update({
      where: { organizationId_id: { organizationId: t.org.id, id: t.admin.mid } },
      data: { role: 'agent' },
    });
    const invitee = await env.createUser({ email });
    const accepted = await env.call(acceptRoute.POST, { body: { token }, cookie: await env.sessionCookie(invitee.id) });
    expect(accepted.status).toBe(409);
    expect(await roleOf(t.org.id, invitee.id)).toBeNull();
    // Back to admin: the same invitation works again (it was never withdrawn).
    await db.membership.update({
      where: { organizationId_id: { organizationId: t.org.id, id: t.admin.mid } },
      data: { role: 'admin' },
    });
    expect(
      (await env.call(acceptRoute.POST, { body: { token }, cookie: await env.sessionCookie(invitee.id) })).status,
    ).toBe(200);
  });

  it("a removed member's API keys keep working; the removal names them, the audit log records them, the list flags them", async () => {
    const t = await team();
    const created = await env.call(apiKeysRoute.POST, {
      params: { orgId: t.org.id },
      body: { name: 'CRM sync' },
      cookie: t.admin.cookie,
    });
    const key = created.json.key as string;
    const removed = await env.call(memberRoute.DELETE, {
      method: 'DELETE',
      params: { orgId: t.org.id, memberId: t.admin.mid },
      body: {},
      cookie: t.owner.cookie,
    });
    expect(removed.status).toBe(200);
    expect(removed.json).toEqual({
      left: false,
      apiKeysKept: [{ id: created.json.apiKey.id, name: 'CRM sync', prefix: key.slice(0, 12) }],
    });
    const { db } = await env.app();
    expect(await resolveApiKey(db, key)).toMatchObject({ organizationId: t.org.id });
    expect((await auditOf(t.org.id, 'member.removed')).metadata).toMatchObject({
      userId: t.admin.id,
      apiKeysKept: [created.json.apiKey.id],
    });
    const list = await env.call(apiKeysRoute.GET, { params: { orgId: t.org.id }, cookie: t.owner.cookie });
    expect(list.json.apiKeys[0].createdBy).toEqual({ name: null, email: t.admin.email, isMember: false });
  });
});

describe('audit entries', () => {
  it('record the client address and User-Agent of every dashboard action that writes one', async () => {
    const t = await team();
    const from = { 'x-forwarded-for': '198.51.100.23', 'user-agent': 'AuditTest/1.0 (dashboard)' };
    const key = await env.call(apiKeysRoute.POST, {
      params: { orgId: t.org.id },
      body: { name: 'Audited' },
      cookie: t.admin.cookie,
      headers: from,
    });
    expect(key.status).toBe(200);
    const revoked = await env.call(apiKeyRoute.DELETE, {
      method: 'DELETE',
      params: { orgId: t.org.id, keyId: key.json.apiKey.id },
      body: {},
      cookie: t.admin.cookie,
      headers: from,
    });
    expect(revoked.status).toBe(200);
    const role = await env.call(memberRoute.PATCH, {
      method: 'PATCH',
      params: { orgId: t.org.id, memberId: t.agent.mid },
      body: { role: 'admin' },
      cookie: t.owner.cookie,
      headers: from,
    });
    expect(role.status).toBe(200);
    const invited = await env.call(invitationsRoute.POST, {
      params: { orgId: t.org.id },
      body: { email: `audited-${Date.now()}@example.test`, role: 'agent' },
      cookie: t.owner.cookie,
      headers: from,
    });
    expect(invited.status).toBe(200);
    const { db } = await env.app();
    const rows = await db.auditLog.findMany({ where: { organizationId: t.org.id }, orderBy: { createdAt: 'asc' } });
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['api_key.created', 'api_key.revoked', 'member.role_changed', 'invitation.created']),
    );
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const r of rows)
      expect({ action: r.action, ip: r.ip, userAgent: r.userAgent }).toEqual({
        action: r.action,
        ip: '198.51.100.23',
        userAgent: 'AuditTest/1.0 (dashboard)',
      });
  });
});
