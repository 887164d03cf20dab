import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TPlanId, TSubscriptionStatus } from '@pocketping/billing';
import { startFakeDiscord, startFakeSmtp, type TFakeDiscord, type TFakeSmtp } from '@pocketping/testkit';
import { setupWebTestEnv, type TWebTestEnv } from '../testing/web-test-env';
import * as orgsRoute from '../../app/api/app/orgs/route';
import * as projectsRoute from '../../app/api/app/orgs/[orgId]/projects/route';
import * as invitationsRoute from '../../app/api/app/orgs/[orgId]/invitations/route';
import * as invitationRoute from '../../app/api/app/orgs/[orgId]/invitations/[invitationId]/route';
import * as acceptRoute from '../../app/api/app/invitations/accept/route';
import * as usageRoute from '../../app/api/app/orgs/[orgId]/usage/route';
import * as keepRoute from '../../app/api/app/orgs/[orgId]/usage/keep/route';
import { setupRoute } from '../testing/setup-route';
import { GET as integrationRoute } from '../../app/api/integrations/[kind]/[...action]/route';

const discordRoute = setupRoute('discord');
const discordConnectRoute = setupRoute('discord', 'connect');
const telegramStartRoute = setupRoute('telegram');
const slackTokenRoute = setupRoute('slack', 'token');
const slackInstallRoute = setupRoute('slack', 'install');

const discordCallback = (req: Parameters<typeof integrationRoute>[0]) =>
  integrationRoute(req, { params: Promise.resolve({ kind: 'discord', action: ['callback'] }) });

// Each plan limit the dashboard enforces, at its boundary, through the real route handlers (real Postgres, Redis,
// fake Discord and SMTP): the last place is given, the next one is refused with a clear 403 naming the limit, and
// the server refuses whatever the UI shows.
let env: TWebTestEnv;
let discord: TFakeDiscord;
let smtp: TFakeSmtp;
beforeAll(async () => {
  discord = await startFakeDiscord();
  smtp = await startFakeSmtp({ viewerPort: false });
  env = await setupWebTestEnv({
    SMTP_URL: smtp.url,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_BOT_TOKEN: discord.token,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_CLIENT_SECRET: discord.clientSecret,
  });
});
afterAll(async () => {
  await env?.close();
  await Promise.all([discord?.close(), smtp?.close()]);
});

async function setPlan(organizationId: string, plan: TPlanId, status: TSubscriptionStatus = 'active') {
  const { db, limits } = await env.app();
  await db.organizationBilling.upsert({
    where: { organizationId },
    create: { organizationId, plan, status },
    update: { plan, status },
  });
  await limits.invalidate(organizationId);
}

async function ownerOrg() {
  const owner = await env.createUser();
  const cookie = await env.sessionCookie(owner.id);
  const org = await env.call(orgsRoute.POST, { body: { name: 'Limits Co' }, cookie });
  return { owner, cookie, orgId: org.json.organization.id as string };
}

const newProject = (orgId: string, cookie: string, name: string) =>
  env.call(projectsRoute.POST, { params: { orgId }, body: { name, siteUrl: `https://${name}.example.com` }, cookie });

describe('projects', () => {
  it('a new organization is on the Pro trial; on Free the second project is refused with the limit named', async () => {
    const { orgId, cookie } = await ownerOrg();
    const { limits } = await env.app();
    expect(await limits.entitlements(orgId)).toMatchObject({ plan: 'pro', reason: 'trialing' });

    await setPlan(orgId, 'free');
    expect((await newProject(orgId, cookie, 'one')).status).toBe(200);
    const refused = await newProject(orgId, cookie, 'two');
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toBe('Your Free plan allows 1 project. Upgrade your plan to add more.');
    expect(refused.json.error.details).toEqual({
      reason: 'plan_limit',
      limit: 'projects',
      used: 1,
      max: 1,
      plan: 'free',
    });
    const list = await env.call(projectsRoute.GET, { params: { orgId }, cookie });
    expect(list.json.projects).toHaveLength(1);

    // Upgrading takes effect at once (the cached state is dropped on a billing change).
    await setPlan(orgId, 'starter');
    expect((await newProject(orgId, cookie, 'two')).status).toBe(200);
    expect((await newProject(orgId, cookie, 'three')).status).toBe(200);
    expect((await newProject(orgId, cookie, 'four')).status).toBe(403);
  });

  it('parallel creations cannot both take the last place', async () => {
    const { orgId, cookie } = await ownerOrg();
    await setPlan(orgId, 'free');
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((n) => newProject(orgId, cookie, n)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 403, 403, 403]);
    const { db } = await env.app();
    expect(await db.project.count({ where: { organizationId: orgId } })).toBe(1);
  });

  it('a lapsed payment past its grace falls back to Free limits', async () => {
    const { orgId, cookie } = await ownerOrg();
    const { db, limits } = await env.app();
    await db.organizationBilling.create({
      data: {
        organizationId: orgId,
        plan: 'business',
        status: 'past_due',
        pastDueSince: new Date(Date.now() - 8 * 864e5),
      },
    });
    await limits.invalidate(orgId);
    expect((await newProject(orgId, cookie, 'one')).status).toBe(200);
    expect((await newProject(orgId, cookie, 'two')).json.error.details.plan).toBe('free');
  });
});

describe('seats', () => {
  it('members plus pending invitations; a re-invite takes no extra seat, a revoked one frees its seat', async () => {
    const { orgId, cookie } = await ownerOrg();
    await setPlan(orgId, 'free'); // 2 seats: the owner + one
    const invite = (email: string) =>
      env.call(invitationsRoute.POST, { params: { orgId }, body: { email, role: 'agent' }, cookie });
    const first = await invite('first@example.test');
    expect(first.status).toBe(200);
    expect((await invite('first@example.test')).status).toBe(200);
    const second = await invite('second@example.test');
    expect(second.status).toBe(403);
    expect(second.json.error.details).toMatchObject({ reason: 'plan_limit', limit: 'seats', used: 2, max: 2 });
    expect(second.json.error.message).toContain('2 seats (members and pending invitations)');

    const pending = await env.call(invitationsRoute.GET, { params: { orgId }, cookie });
    const id = pending.json.invitations[0].id as string;
    expect(
      (
        await env.call(invitationRoute.DELETE, {
          method: 'DELETE',
          params: { orgId, invitationId: id },
          body: {},
          cookie,
        })
      ).status,
    ).toBe(200);
    expect((await invite('second@example.test')).status).toBe(200);
    // A member added another way still counts.
    const extra = await env.createUser();
    await env.addMember(orgId, extra.id, 'agent');
    expect((await invite('third@example.test')).status).toBe(403);
  });
});

describe('seats after a downgrade', () => {
  it('an invitation sent before the downgrade is refused while the members fill the plan; nothing is written', async () => {
    const { orgId, cookie } = await ownerOrg();
    await setPlan(orgId, 'starter'); // 5 seats
    const invited = await Promise.all(
      ['early', 'late'].map(async (name) => {
        const user = await env.createUser({ email: `${name}-${Math.random().toString(36).slice(2)}@example.test` });
        const res = await env.call(invitationsRoute.POST, {
          params: { orgId },
          body: { email: user.email, role: 'agent' },
          cookie,
        });
        expect(res.status).toBe(200);
        const mail = await smtp.waitForMail(user.email.toLowerCase(), (m) =>
          m.links.some((l) => l.includes('/invite/')),
        );
        const link = mail.links.find((l) => l.includes('/invite/'))!;
        return {
          user,
          token: decodeURIComponent(link.split('/invite/')[1]!),
          cookie: await env.sessionCookie(user.id),
        };
      }),
    );
    await setPlan(orgId, 'free'); // 2 seats: the owner + one
    const accept = (i: (typeof invited)[number]) =>
      env.call(acceptRoute.POST, { body: { token: i.token }, cookie: i.cookie });
    const [early, late] = invited as [(typeof invited)[number], (typeof invited)[number]];

    expect((await accept(early)).status).toBe(200);
    const { db } = await env.app();
    const before = await db.auditLog.count({ where: { organizationId: orgId } });
    const refused = await accept(late);
    expect(refused.status).toBe(403);
    expect(refused.json.error.details).toEqual({ reason: 'plan_limit', limit: 'seats', used: 2, max: 2, plan: 'free' });
    expect(refused.json.error.message).toBe(
      'Limits Co is on the Free plan, which allows 2 seats (members and pending invitations), and they are all taken. Ask an owner of Limits Co to upgrade the plan or free a seat, then open this invitation again.',
    );
    // Nothing written: no membership, the invitation still pending, no audit entry.
    expect(await db.membership.count({ where: { organizationId: orgId, userId: late.user.id } })).toBe(0);
    const row = await db.invitation.findFirstOrThrow({ where: { organizationId: orgId, email: late.user.email } });
    expect(row.acceptedAt).toBeNull();
    expect(row.revokedAt).toBeNull();
    expect(await db.auditLog.count({ where: { organizationId: orgId } })).toBe(before);

    // Once the plan has room again the same link works.
    await setPlan(orgId, 'starter');
    expect((await accept(late)).status).toBe(200);
    expect(await db.membership.count({ where: { organizationId: orgId } })).toBe(3);
  });
});

describe('chat apps', () => {
  async function grantDiscordGuild(params: Record<string, string>, cookie: string, guildId: string) {
    const link = new URL((await env.call(discordRoute.GET, { params, cookie })).json.installUrl);
    const redirectUri = link.searchParams.get('redirect_uri')!;
    const { code } = discord.consentBotInstall({ guildId, redirectUri });
    const { NextRequest } = await import('next/server');
    await discordCallback(
      new NextRequest(`${redirectUri}?code=${code}&state=${encodeURIComponent(link.searchParams.get('state')!)}`, {
        headers: { cookie },
      }),
    );
  }

  it('per project: the second chat app on Free is refused, reconnecting the same channel is not a new one', async () => {
    const { orgId, cookie } = await ownerOrg();
    const project = await env.createProject(orgId, 'Shop');
    const other = await env.createProject(orgId, 'Blog');
    await setPlan(orgId, 'free');
    const params = { orgId, projectId: project.id };
    const guild = discord.addGuild({ name: 'Acme', botInGuild: false });
    const support = discord.addTextChannel(guild.id, { name: 'support' });
    const sales = discord.addTextChannel(guild.id, { name: 'sales' });
    await grantDiscordGuild(params, cookie, guild.id);
    const connect = (p: Record<string, string>, channelId: string) =>
      env.call(discordConnectRoute.POST, { params: p, cookie, body: { guildId: guild.id, channelId } });

    expect((await connect(params, support.id)).status).toBe(200);
    expect((await connect(params, support.id)).status).toBe(200);
    const refused = await connect(params, sales.id);
    expect(refused.status).toBe(403);
    expect(refused.json.error.details).toMatchObject({ limit: 'chatAppsPerProject', used: 1, max: 1, plan: 'free' });
    expect(refused.json.error.message).toBe(
      'Your Free plan allows 1 chat app per project. Upgrade your plan to add more.',
    );

    // A full project refuses a new setup when it STARTS, before any platform is asked, with the way out.
    const full =
      'Your Free plan allows 1 chat app per project, and this project has 1. Upgrade your plan, or disconnect one first, to connect another.';
    const callsBefore = discord.calls.length;
    const starts = [
      await env.call(discordRoute.GET, { params, cookie }),
      await env.call(telegramStartRoute.POST, {
        params,
        cookie,
        body: { botToken: '123456:AAbbccddeeffgghhiijjkkllmmnnooppqq' },
      }),
      await env.call(slackTokenRoute.POST, { params, cookie, body: { botToken: 'xoxb-1-2-abc' } }),
    ];
    for (const res of starts) {
      expect(res.status).toBe(403);
      expect(res.json.error.message).toBe(full);
      expect(res.json.error.details).toMatchObject({
        reason: 'plan_limit',
        limit: 'chatAppsPerProject',
        used: 1,
        max: 1,
      });
    }
    expect(discord.calls.length).toBe(callsBefore);
    const install = await env.call(slackInstallRoute.GET, { params, cookie });
    expect(install.status).toBe(302);
    const back = new URL(install.headers.get('location')!);
    expect(back.pathname).toBe(`/app/o/${orgId}/p/${project.id}/bridges`);
    expect(back.searchParams.get('slackError')).toBe(full);

    // The limit is per project: the other project has its own place.
    const otherParams = { orgId, projectId: other.id };
    await grantDiscordGuild(otherParams, cookie, guild.id);
    expect((await connect(otherParams, sales.id)).status).toBe(200);
    const { db } = await env.app();
    expect(await db.bridgeConnection.count({ where: { organizationId: orgId } })).toBe(2);
  });
});

describe('usage', () => {
  it('shows the organization its own meters and reset date; another tenant gets 404; only owners choose what to keep', async () => {
    const a = await ownerOrg();
    const b = await ownerOrg();
    await setPlan(a.orgId, 'free');
    expect((await newProject(a.orgId, a.cookie, 'one')).status).toBe(200);
    const usage = await env.call(usageRoute.GET, { params: { orgId: a.orgId }, cookie: a.cookie });
    expect(usage.status).toBe(200);
    expect(usage.json.usage).toMatchObject({ plan: 'free', planName: 'Free' });
    expect(usage.json.usage.period.resetsAt).toMatch(/-01T00:00:00.000Z$/);
    const meter = (u: { meters: { limit: string }[] }, limit: string) => u.meters.find((m) => m.limit === limit);
    expect(meter(usage.json.usage, 'projects')).toMatchObject({ used: 1, max: 1, state: 'over' });
    expect(meter(usage.json.usage, 'seats')).toMatchObject({ used: 1, max: 2 });

    // b's own numbers, never a's; a's through b's session: 404 like any organization b is not in.
    const mine = await env.call(usageRoute.GET, { params: { orgId: b.orgId }, cookie: b.cookie });
    expect(meter(mine.json.usage, 'projects')).toMatchObject({ used: 0, max: 10 });
    expect((await env.call(usageRoute.GET, { params: { orgId: a.orgId }, cookie: b.cookie })).status).toBe(404);
    const projectId = usage.json.usage.projects[0].id as string;
    expect(
      (
        await env.call(keepRoute.POST, {
          params: { orgId: a.orgId },
          body: { projectIds: [projectId] },
          cookie: b.cookie,
        })
      ).status,
    ).toBe(404);
    // Another tenant's project id is refused, not paused.
    const bProject = await env.createProject(b.orgId, 'theirs');
    expect(
      (
        await env.call(keepRoute.POST, {
          params: { orgId: a.orgId },
          body: { projectIds: [bProject.id] },
          cookie: a.cookie,
        })
      ).status,
    ).toBe(400);
    const { db } = await env.app();
    expect((await db.project.findFirstOrThrow({ where: { id: bProject.id } })).pausedAt).toBeNull();
    const agent = await env.createUser();
    await env.addMember(a.orgId, agent.id, 'agent');
    const agentCookie = await env.sessionCookie(agent.id);
    expect((await env.call(usageRoute.GET, { params: { orgId: a.orgId }, cookie: agentCookie })).status).toBe(200);
    expect(
      (
        await env.call(keepRoute.POST, {
          params: { orgId: a.orgId },
          body: { projectIds: [projectId] },
          cookie: agentCookie,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await env.call(keepRoute.POST, {
          params: { orgId: a.orgId },
          body: { projectIds: [projectId] },
          cookie: a.cookie,
        })
      ).status,
    ).toBe(200);
  });
});
