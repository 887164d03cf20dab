import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptSecret } from '@pocketping/core';
import { setupWebTestEnv, TEST_WEB_URL, type TWebTestEnv } from '../testing/web-test-env';
import * as orgsRoute from '../../app/api/app/orgs/route';
import * as projectsRoute from '../../app/api/app/orgs/[orgId]/projects/route';
import * as projectRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/route';
import * as installationRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/installation/route';
import * as secretRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/identity-secret/route';

// Organizations, projects, installation status and project settings through the real route handlers.
let env: TWebTestEnv;
beforeAll(async () => {
  env = await setupWebTestEnv();
});
afterAll(async () => env?.close());

async function ownerWithProject() {
  const owner = await env.createUser();
  const cookie = await env.sessionCookie(owner.id);
  const org = await env.call(orgsRoute.POST, { body: { name: 'Acme Inc' }, cookie });
  const orgId = org.json.organization.id as string;
  const created = await env.call(projectsRoute.POST, {
    params: { orgId },
    body: { name: 'Shop', siteUrl: 'https://shop.example.com/home' },
    cookie,
  });
  expect(created.status).toBe(200);
  return { owner, cookie, orgId, project: created.json.project as { id: string; publicKey: string; name: string } };
}

describe('organizations', () => {
  it('creates an organization whose creator is the owner, and lists it', async () => {
    const user = await env.createUser();
    const cookie = await env.sessionCookie(user.id);
    const res = await env.call(orgsRoute.POST, { body: { name: '  Acme  ' }, cookie });
    expect(res.status).toBe(200);
    expect(res.json.organization).toMatchObject({ name: 'Acme', role: 'owner' });
    const { db } = await env.app();
    const m = await db.membership.findUnique({
      where: { organizationId_userId: { organizationId: res.json.organization.id, userId: user.id } },
    });
    expect(m?.role).toBe('owner');
    const list = await env.call(orgsRoute.GET, { cookie });
    expect(list.json.organizations.map((o: { id: string }) => o.id)).toEqual([res.json.organization.id]);
    expect((await env.call(orgsRoute.POST, { body: { name: '' }, cookie })).status).toBe(400);
    expect((await env.call(orgsRoute.POST, { body: { name: 'X' } })).status).toBe(401);
  });
});

describe('projects', () => {
  it('creates a project: origins default to the site URL origin plus the dashboard (test page)', async () => {
    const { orgId, project, cookie } = await ownerWithProject();
    expect(project.publicKey).toMatch(/^pk_/);
    const got = await env.call(projectRoute.GET, { params: { orgId, projectId: project.id }, cookie });
    expect(got.json.project.allowedOrigins).toEqual(['https://shop.example.com', new URL(TEST_WEB_URL).origin]);
    expect(got.json.project.siteUrl).toBe('https://shop.example.com/home');
    const noTest = await env.call(projectsRoute.POST, {
      params: { orgId },
      body: {
        name: 'Blog',
        siteUrl: 'https://blog.example.com',
        allowedOrigins: ['https://blog.example.com', 'https://*.example.com'],
        allowTestPage: false,
      },
      cookie,
    });
    expect(noTest.json.project.allowedOrigins).toEqual(['https://blog.example.com', 'https://*.example.com']);
    const list = await env.call(projectsRoute.GET, { params: { orgId }, cookie });
    expect(list.json.projects).toHaveLength(2);
  });

  it('validates origins strictly and names the bad entry', async () => {
    const { orgId, cookie } = await ownerWithProject();
    const withPath = await env.call(projectsRoute.POST, {
      params: { orgId },
      body: { name: 'X', siteUrl: 'https://x.test', allowedOrigins: ['https://x.test/shop'] },
      cookie,
    });
    expect(withPath.status).toBe(400);
    expect(withPath.json.error.details.issues[0].path).toBe('allowedOrigins.0');
    const star = await env.call(projectsRoute.POST, {
      params: { orgId },
      body: { name: 'X', siteUrl: 'https://x.test', allowedOrigins: ['*'] },
      cookie,
    });
    expect(star.status).toBe(400);
    const tooMany = Array.from({ length: 21 }, (_, i) => `https://s${i}.test`);
    expect(
      (
        await env.call(projectsRoute.POST, {
          params: { orgId },
          body: { name: 'X', siteUrl: 'https://x.test', allowedOrigins: tooMany },
          cookie,
        })
      ).status,
    ).toBe(400);
    // 20 of the customer's own plus the test page is one too many, said clearly.
    const twenty = tooMany.slice(0, 20);
    const over = await env.call(projectsRoute.POST, {
      params: { orgId },
      body: { name: 'X', siteUrl: 'https://x.test', allowedOrigins: twenty },
      cookie,
    });
    expect(over.status).toBe(400);
    expect(over.json.error.message).toContain('test page');
    expect(
      (await env.call(projectsRoute.POST, { params: { orgId }, body: { name: 'X', siteUrl: 'ftp://x.test' }, cookie }))
        .status,
    ).toBe(400);
  });

  it('refuses project creation to agents (403) and strangers (404)', async () => {
    const { orgId } = await ownerWithProject();
    const agent = await env.createUser();
    await env.addMember(orgId, agent.id, 'agent');
    const stranger = await env.createUser();
    const body = { name: 'X', siteUrl: 'https://x.test' };
    expect(
      (await env.call(projectsRoute.POST, { params: { orgId }, body, cookie: await env.sessionCookie(agent.id) }))
        .status,
    ).toBe(403);
    expect(
      (await env.call(projectsRoute.POST, { params: { orgId }, body, cookie: await env.sessionCookie(stranger.id) }))
        .status,
    ).toBe(404);
    expect(
      (await env.call(projectsRoute.GET, { params: { orgId }, cookie: await env.sessionCookie(stranger.id) })).status,
    ).toBe(404);
  });
});

describe('installation status', () => {
  it('flips once the widget handshake has recorded the project', async () => {
    const { orgId, project, cookie } = await ownerWithProject();
    const before = await env.call(installationRoute.GET, { params: { orgId, projectId: project.id }, cookie });
    expect(before.json).toEqual({ installed: false, widgetFirstSeenAt: null, widgetLastSeenAt: null });
    // Exactly what apps/realtime/src/widget/record-installation.ts runs on a handshake.
    const { db } = await env.app();
    await db.$executeRaw`UPDATE "Project" SET "widgetFirstSeenAt" = COALESCE("widgetFirstSeenAt", now()), "widgetLastSeenAt" = now() WHERE "organizationId" = ${orgId} AND id = ${project.id}`;
    const after = await env.call(installationRoute.GET, { params: { orgId, projectId: project.id }, cookie });
    expect(after.json.installed).toBe(true);
    expect(Date.parse(after.json.widgetFirstSeenAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(after.json.widgetLastSeenAt).toBe(after.json.widgetFirstSeenAt);
    // Agents may read it; another organization's member may not, even with a valid project id.
    const agent = await env.createUser();
    await env.addMember(orgId, agent.id, 'agent');
    expect(
      (
        await env.call(installationRoute.GET, {
          params: { orgId, projectId: project.id },
          cookie: await env.sessionCookie(agent.id),
        })
      ).status,
    ).toBe(200);
    const other = await ownerWithProject();
    const cross = await env.call(installationRoute.GET, {
      params: { orgId: other.orgId, projectId: project.id },
      cookie: other.cookie,
    });
    expect(cross.status).toBe(404);
  });
});

describe('project settings', () => {
  it('PATCH merges validated settings and keeps the untouched keys', async () => {
    const { orgId, project, cookie } = await ownerWithProject();
    const params = { orgId, projectId: project.id };
    const res = await env.call(projectRoute.PATCH, {
      method: 'PATCH',
      params,
      cookie,
      body: {
        settings: {
          color: '#ff0066',
          position: 'left',
          greeting: 'Bonjour',
          operatorName: 'Ann',
          avatarUrl: 'https://cdn.example.com/ann.png',
          language: 'fr',
          preChat: { enabled: true, mode: 'after', fields: [{ name: 'company', label: 'Company' }] },
          csatEnabled: true,
          officeHours: { timezone: 'Europe/Paris', days: [{ day: 1, from: '09:00', to: '17:30' }] },
          awayMessage: 'Back tomorrow',
        },
        allowedOrigins: ['https://shop.example.com', 'http://localhost:3000'],
      },
    });
    expect(res.status).toBe(200);
    expect(res.json.project.settings).toMatchObject({
      color: '#ff0066',
      position: 'left',
      language: 'fr',
      csatEnabled: true,
      awayMessage: 'Back tomorrow',
    });
    expect(res.json.project.settings.preChat).toMatchObject({
      enabled: true,
      mode: 'after',
      fields: [{ name: 'company', label: 'Company', type: 'text', required: false }],
    });
    expect(res.json.project.allowedOrigins).toEqual(['https://shop.example.com', 'http://localhost:3000']);
    const second = await env.call(projectRoute.PATCH, {
      method: 'PATCH',
      params,
      cookie,
      body: { settings: { greeting: 'Salut' } },
    });
    expect(second.json.project.settings).toMatchObject({ greeting: 'Salut', color: '#ff0066', operatorName: 'Ann' });
    const { db } = await env.app();
    const stored = await db.project.findUniqueOrThrow({ where: { id: project.id } });
    expect(stored.settings).toMatchObject({
      greeting: 'Salut',
      color: '#ff0066',
      officeHours: { timezone: 'Europe/Paris' },
    });
  });

  it('PATCH refuses bad values with the field path instead of silently defaulting them', async () => {
    const { orgId, project, cookie } = await ownerWithProject();
    const params = { orgId, projectId: project.id };
    const cases: [unknown, string][] = [
      [{ settings: { color: 'red' } }, 'settings.color'],
      [{ settings: { officeHours: { timezone: 'Mars/Olympus', days: [] } } }, 'settings.officeHours.timezone'],
      [
        { settings: { officeHours: { timezone: 'UTC', days: [{ day: 1, from: '18:00', to: '09:00' }] } } },
        'settings.officeHours.days.0.to',
      ],
      [{ settings: { avatarUrl: 'javascript:alert(1)' } }, 'settings.avatarUrl'],
      [
        {
          settings: {
            preChat: {
              fields: [
                { name: 'a', label: 'A' },
                { name: 'a', label: 'B' },
              ],
            },
          },
        },
        'settings.preChat.fields',
      ],
      [{ settings: { unknownKey: 1 } }, 'settings'],
      [{ allowedOrigins: ['https://x.test/path'] }, 'allowedOrigins.0'],
      [{ publicKey: 'pk_stolen_key_value' }, ''],
    ];
    for (const [body, path] of cases) {
      const res = await env.call(projectRoute.PATCH, { method: 'PATCH', params, cookie, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(
        res.json.error.details.issues.map((i: { path: string }) => i.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    const { db } = await env.app();
    expect((await db.project.findUniqueOrThrow({ where: { id: project.id } })).settings).toEqual({});
  });

  it('agents get 403, members of another organization 404, and a project of another org is 404 even for its id', async () => {
    const { orgId, project } = await ownerWithProject();
    const agent = await env.createUser();
    await env.addMember(orgId, agent.id, 'agent');
    const admin = await env.createUser();
    await env.addMember(orgId, admin.id, 'admin');
    const params = { orgId, projectId: project.id };
    const body = { settings: { greeting: 'hacked' } };
    expect(
      (await env.call(projectRoute.PATCH, { method: 'PATCH', params, body, cookie: await env.sessionCookie(agent.id) }))
        .status,
    ).toBe(403);
    expect(
      (
        await env.call(projectRoute.PATCH, {
          method: 'PATCH',
          params,
          body: { settings: { greeting: 'ok' } },
          cookie: await env.sessionCookie(admin.id),
        })
      ).status,
    ).toBe(200);
    const other = await ownerWithProject();
    expect((await env.call(projectRoute.PATCH, { method: 'PATCH', params, body, cookie: other.cookie })).status).toBe(
      404,
    );
    // Their own org in the URL, our project id: still 404, and nothing changed.
    const cross = await env.call(projectRoute.PATCH, {
      method: 'PATCH',
      params: { orgId: other.orgId, projectId: project.id },
      body,
      cookie: other.cookie,
    });
    expect(cross.status).toBe(404);
    expect(
      (
        await env.call(projectRoute.GET, {
          params: { orgId: other.orgId, projectId: project.id },
          cookie: other.cookie,
        })
      ).status,
    ).toBe(404);
    const { db } = await env.app();
    expect((await db.project.findUniqueOrThrow({ where: { id: project.id } })).settings).toMatchObject({
      greeting: 'ok',
    });
  });
});

describe('identity secret', () => {
  it('is shown once, stored encrypted, never returned again, and rotates', async () => {
    const { orgId, project, cookie } = await ownerWithProject();
    const params = { orgId, projectId: project.id };
    const { db, keyRing } = await env.app();
    // Enforcing without a secret would lock every visitor out.
    const early = await env.call(projectRoute.PATCH, {
      method: 'PATCH',
      params,
      cookie,
      body: { settings: { identity: 'enforce' } },
    });
    expect(early.status).toBe(409);

    const first = await env.call(secretRoute.POST, { params, body: {}, cookie });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const secret = first.json.secret as string;
    expect(secret).toMatch(/^is_[A-Za-z0-9_-]{40,}$/);
    const stored = (await db.project.findUniqueOrThrow({ where: { id: project.id } })).identitySecret!;
    expect(stored).not.toContain(secret);
    expect(decryptSecret(keyRing, stored)).toBe(secret);

    const got = await env.call(projectRoute.GET, { params, cookie });
    expect(got.json.project.identitySecret).toEqual({ isSet: true, setAt: first.json.setAt });
    const patched = await env.call(projectRoute.PATCH, {
      method: 'PATCH',
      params,
      cookie,
      body: { settings: { identity: 'enforce' } },
    });
    expect(patched.status).toBe(200);
    for (const body of [
      got.json,
      patched.json,
      (await env.call(projectsRoute.GET, { params: { orgId }, cookie })).json,
    ]) {
      expect(JSON.stringify(body)).not.toContain(secret);
      expect(JSON.stringify(body)).not.toContain(stored);
    }

    const second = await env.call(secretRoute.POST, { params, body: {}, cookie });
    expect(second.json.secret).not.toBe(secret);
    expect(
      decryptSecret(keyRing, (await db.project.findUniqueOrThrow({ where: { id: project.id } })).identitySecret!),
    ).toBe(second.json.secret);

    // Removing it is refused while enforced, allowed once relaxed.
    expect((await env.call(secretRoute.DELETE, { method: 'DELETE', params, body: {}, cookie })).status).toBe(409);
    await env.call(projectRoute.PATCH, {
      method: 'PATCH',
      params,
      cookie,
      body: { settings: { identity: 'optional' } },
    });
    expect((await env.call(secretRoute.DELETE, { method: 'DELETE', params, body: {}, cookie })).status).toBe(200);
    expect((await env.call(projectRoute.GET, { params, cookie })).json.project.identitySecret).toEqual({
      isSet: false,
      setAt: null,
    });
  });

  it('agents cannot generate it (403) and another organization cannot touch ours (404)', async () => {
    const { orgId, project } = await ownerWithProject();
    const agent = await env.createUser();
    await env.addMember(orgId, agent.id, 'agent');
    const params = { orgId, projectId: project.id };
    expect(
      (await env.call(secretRoute.POST, { params, body: {}, cookie: await env.sessionCookie(agent.id) })).status,
    ).toBe(403);
    const other = await ownerWithProject();
    expect(
      (
        await env.call(secretRoute.POST, {
          params: { orgId: other.orgId, projectId: project.id },
          body: {},
          cookie: other.cookie,
        })
      ).status,
    ).toBe(404);
    const { db } = await env.app();
    expect((await db.project.findUniqueOrThrow({ where: { id: project.id } })).identitySecret).toBeNull();
  });
});

describe('delete project', () => {
  it('only the owner, and only with the exact name', async () => {
    const { orgId, project, cookie } = await ownerWithProject();
    const admin = await env.createUser();
    await env.addMember(orgId, admin.id, 'admin');
    const params = { orgId, projectId: project.id };
    expect(
      (
        await env.call(projectRoute.DELETE, {
          method: 'DELETE',
          params,
          body: { confirmName: 'Shop' },
          cookie: await env.sessionCookie(admin.id),
        })
      ).status,
    ).toBe(403);
    expect(
      (await env.call(projectRoute.DELETE, { method: 'DELETE', params, body: { confirmName: 'shop' }, cookie })).status,
    ).toBe(400);
    const other = await ownerWithProject();
    expect(
      (
        await env.call(projectRoute.DELETE, {
          method: 'DELETE',
          params: { orgId: other.orgId, projectId: project.id },
          body: { confirmName: 'Shop' },
          cookie: other.cookie,
        })
      ).status,
    ).toBe(404);
    const { db } = await env.app();
    expect(await db.project.count({ where: { id: project.id } })).toBe(1);
    expect(
      (await env.call(projectRoute.DELETE, { method: 'DELETE', params, body: { confirmName: 'Shop' }, cookie })).status,
    ).toBe(200);
    expect(await db.project.count({ where: { id: project.id } })).toBe(0);
  });
});
