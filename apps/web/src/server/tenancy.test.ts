import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { pulledBody } from '@pocketping/testkit';
import { setupWebTestEnv, TEST_WEB_URL, type TWebTestEnv } from './testing/web-test-env';
import { MAX_JSON_BODY_BYTES, orgRoute, publicRoute, userRoute } from './tenancy';

// The wrapper itself, with a probe route: who gets in, who gets 401/403/404, and what reaches the handler.
let env: TWebTestEnv;
beforeAll(async () => {
  env = await setupWebTestEnv();
});
afterAll(async () => env?.close());

const adminProbe = orgRoute(
  { role: 'admin', body: z.object({ n: z.number().int() }) },
  async ({ organizationId, role, body }) => ({ organizationId, role, n: body.n }),
);
const meProbe = userRoute({}, async ({ user }) => ({ email: user.email }));

describe('tenancy wrapper', () => {
  it('lets an admin of the organization in and hands the handler the validated body', async () => {
    const owner = await env.createUser();
    const org = await env.createOrg(owner.id);
    const res = await env.call(adminProbe, {
      params: { orgId: org.id },
      body: { n: 3 },
      cookie: await env.sessionCookie(owner.id),
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ organizationId: org.id, role: 'owner', n: 3 });
  });

  it('answers 404 to a member of another organization and 403 to a lower role', async () => {
    const owner = await env.createUser();
    const org = await env.createOrg(owner.id);
    const stranger = await env.createUser();
    await env.createOrg(stranger.id, 'Other');
    const agent = await env.createUser();
    await env.addMember(org.id, agent.id, 'agent');
    const foreign = await env.call(adminProbe, {
      params: { orgId: org.id },
      body: { n: 1 },
      cookie: await env.sessionCookie(stranger.id),
    });
    expect(foreign.status).toBe(404);
    expect(JSON.stringify(foreign.json)).not.toContain(org.id);
    const low = await env.call(adminProbe, {
      params: { orgId: org.id },
      body: { n: 1 },
      cookie: await env.sessionCookie(agent.id),
    });
    expect(low.status).toBe(403);
    expect(low.json.error.code).toBe('forbidden');
  });

  it('refuses no session, a stale session version, an unverified email, bad JSON, a bad body and a cross-site origin', async () => {
    const owner = await env.createUser();
    const org = await env.createOrg(owner.id);
    const cookie = await env.sessionCookie(owner.id);
    expect((await env.call(adminProbe, { params: { orgId: org.id }, body: { n: 1 } })).status).toBe(401);
    expect(
      (
        await env.call(adminProbe, {
          params: { orgId: org.id },
          body: { n: 1 },
          cookie: await env.sessionCookie(owner.id, 7),
        })
      ).status,
    ).toBe(401);
    expect(
      (await env.call(adminProbe, { params: { orgId: org.id }, body: { n: 1 }, cookie: 'authjs.session-token=forged' }))
        .status,
    ).toBe(401);
    const unverified = await env.createUser({ verified: false });
    expect((await env.call(meProbe, { cookie: await env.sessionCookie(unverified.id) })).status).toBe(403);
    expect((await env.call(adminProbe, { params: { orgId: org.id }, body: '{nope', cookie })).status).toBe(400);
    const bad = await env.call(adminProbe, { params: { orgId: org.id }, body: { n: 'x' }, cookie });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.issues[0].path).toBe('n');
    const cross = await env.call(adminProbe, {
      params: { orgId: org.id },
      body: { n: 1 },
      cookie,
      headers: { origin: 'https://evil.example' },
    });
    expect(cross.status).toBe(403);
    const form = await env.call(adminProbe, {
      params: { orgId: org.id },
      body: 'n=1',
      cookie,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(400);
    const huge = await env.call(adminProbe, {
      params: { orgId: org.id },
      body: { n: 1, pad: 'x'.repeat(70_000) },
      cookie,
    });
    expect(huge.status).toBe(413);
  });

  it('cuts off a chunked body without Content-Length at the limit: 413 before the rest is even produced', async () => {
    const owner = await env.createUser();
    const org = await env.createOrg(owner.id);
    const cookie = await env.sessionCookie(owner.id);
    const publicProbe = publicRoute({ body: z.object({ n: z.number() }) }, async ({ body }) => ({ n: body.n }));
    const cases: [typeof adminProbe, Record<string, string>, Record<string, string>][] = [
      [adminProbe, { orgId: org.id }, { cookie }],
      [publicProbe, {}, {}],
    ];
    for (const [handler, params, headers] of cases) {
      const body = pulledBody(50 * 1024 * 1024);
      const req = new Request(`${TEST_WEB_URL}/api/app/test`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: body.stream,
        duplex: 'half',
      } as RequestInit);
      const res = await handler(req, { params: Promise.resolve(params) });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
      // Read up to the limit and one chunk more, never the 50 MB the client had to send.
      expect(body.pulled()).toBeLessThanOrEqual(MAX_JSON_BODY_BYTES + 64 * 1024);
    }
  });
});
