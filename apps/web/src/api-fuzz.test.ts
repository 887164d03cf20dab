// Property-based test of the dashboard API's JSON bodies: every route module under app/api/app/**/route.ts is
// found on disk (like the tenancy suite) and each method that takes a body is called as the organization's owner,
// with its own valid ids, and a hostile body: malformed JSON, wrong types, near-valid bodies with one spot made
// hostile, oversize, prototype keys. The answer is never 5xx, and a refused body leaves every table as it was.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken, sha256 } from '@pocketping/core';
import {
  appendMessage,
  createApiKey,
  createConnection,
  createVisitor,
  getOrCreateOpenConversation,
} from '@pocketping/db';
import { freePort, startFakeSmtp, type TFakeSmtp } from '@pocketping/testkit';
import { fc, fuzzParams, hostileJson, hostileString, mutationsOf, oversizeString } from '@pocketping/testkit/fuzz';
import { CHAT_APPS } from '@pocketping/bridges';
import { setupWebTestEnv, type TWebTestEnv } from './server/testing/web-test-env';
import { afterAnswerSettled } from './server/accounts/accounts';

const RUNS = 25;
const API_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'app', 'api', 'app');
const BODY_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Methods that take no body (nothing to fuzz) and would act on every call; "METHOD route". */
const NO_BODY = new Set([
  'DELETE orgs/[orgId]/api-keys/[keyId]',
  'DELETE orgs/[orgId]/invitations/[invitationId]',
  'DELETE orgs/[orgId]/members/[memberId]',
  'POST orgs/[orgId]/members/[memberId]/transfer-ownership',
  'DELETE orgs/[orgId]/projects/[projectId]/bridges/[connectionId]',
  'POST orgs/[orgId]/projects/[projectId]/bridges/[connectionId]/test',
  'POST orgs/[orgId]/projects/[projectId]/identity-secret',
  'DELETE orgs/[orgId]/projects/[projectId]/identity-secret',
]);

/** A valid body per route, so the mutations reach past the first type check. Routes not listed start from `{}`. */
const SAMPLES: Record<string, unknown> = {
  'POST auth/signup': { email: 'fuzz@example.test', password: 'correct horse battery staple', name: 'Fuzz' },
  'POST auth/forgot-password': { email: 'fuzz@example.test' },
  'POST auth/resend-verification': { email: 'fuzz@example.test' },
  'POST auth/reset-password': { token: 'x'.repeat(43), password: 'correct horse battery staple' },
  'POST auth/verify-email': { token: 'x'.repeat(43) },
  'POST invitations/accept': { token: 'x'.repeat(43) },
  'POST orgs': { name: 'Fuzz org' },
  'POST orgs/[orgId]/api-keys': { name: 'ci key' },
  'POST orgs/[orgId]/invitations': { email: 'new@example.test', role: 'agent' },
  'PATCH orgs/[orgId]/members/[memberId]': { role: 'agent' },
  'POST orgs/[orgId]/projects': { name: 'Shop', siteUrl: 'https://shop.test', allowedOrigins: ['https://shop.test'] },
  'PATCH orgs/[orgId]/projects/[projectId]': {
    name: 'Shop',
    allowedOrigins: ['https://shop.test'],
    settings: {
      color: '#112233',
      greeting: 'Hi',
      officeHours: { timezone: 'UTC', days: [{ day: 1, from: '09:00', to: '17:00' }] },
    },
  },
  'DELETE orgs/[orgId]/projects/[projectId]': { confirmName: 'not the name' },
  'POST orgs/[orgId]/projects/[projectId]/conversations/[conversationId]/messages': { body: 'Hello', internal: false },
  'POST orgs/[orgId]/projects/[projectId]/conversations/[conversationId]/status': { status: 'open' },
  'POST orgs/[orgId]/projects/[projectId]/conversations/[conversationId]/read': { seq: 1 },
  'POST orgs/[orgId]/projects/[projectId]/bridges/setup/telegram': {
    botToken: '123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  },
  'POST orgs/[orgId]/projects/[projectId]/bridges/setup/telegram/status': { setupId: 'x'.repeat(20) },
  'POST orgs/[orgId]/projects/[projectId]/bridges/setup/slack/token': { botToken: 'xoxb-0000000000-abcdefghij' },
  'POST orgs/[orgId]/projects/[projectId]/bridges/setup/slack/connect': {
    setupId: 'x'.repeat(20),
    channelId: 'C0CHAN01',
  },
  'POST orgs/[orgId]/projects/[projectId]/bridges/setup/discord/connect': {
    guildId: '111111111111111111',
    channelId: '222222222222222222',
  },
};

const TABLES = [
  'User',
  'UserToken',
  'Organization',
  'Membership',
  'Invitation',
  'Project',
  'BridgeConnection',
  'Visitor',
  'Conversation',
  'Message',
  'OutboxEvent',
  'Attachment',
  'ApiKey',
  'AuditLog',
];

let env: TWebTestEnv;
let smtp: TFakeSmtp;
let cookie: string;
let ids: Record<string, string>;

beforeAll(async () => {
  // Every platform API points at a closed local port: a body valid enough to reach one fails fast.
  const closed = `http://127.0.0.1:${await freePort()}`;
  smtp = await startFakeSmtp({ viewerPort: false });
  env = await setupWebTestEnv({
    SMTP_URL: smtp.url,
    TELEGRAM_API_ROOT: closed,
    SLACK_API_URL: `${closed}/api/`,
    DISCORD_API_URL: `${closed}/api`,
  });
  const { db } = await env.app();
  const owner = await env.createUser({ name: 'Owner' });
  const agent = await env.createUser({ name: 'Agent' });
  const org = await env.createOrg(owner.id, 'Fuzz');
  await env.addMember(org.id, agent.id, 'agent');
  const project = await env.createProject(org.id, 'Fuzz site');
  const visitor = await createVisitor(db, org.id, { projectId: project.id, tokenHash: sha256(randomToken('vt_')) });
  const conversation = await getOrCreateOpenConversation(db, org.id, { projectId: project.id, visitorId: visitor.id });
  const { message } = await appendMessage(db, org.id, {
    conversationId: conversation.id,
    sender: 'visitor',
    body: 'hello',
    source: 'widget',
    deliver: false,
  });
  const connection = await createConnection(db, org.id, {
    projectId: project.id,
    kind: 'telegram',
    sealedCredentials: 'v1:fake:fuzz',
    targetId: '-1001',
  });
  const attachment = await db.attachment.create({
    data: {
      organizationId: org.id,
      conversationId: conversation.id,
      messageId: message.id,
      uploadedBy: 'visitor',
      name: 'f.pdf',
      contentType: 'application/pdf',
      size: 1,
      sha256: sha256('f'),
      storageKey: `${org.id}/f`,
    },
  });
  const invitation = await db.invitation.create({
    data: {
      organizationId: org.id,
      email: 'invitee@example.test',
      role: 'agent',
      tokenHash: sha256(randomToken()),
      invitedById: owner.id,
      expiresAt: new Date(Date.now() + 86_400_000),
    },
  });
  const { apiKey } = await createApiKey(db, org.id, { name: 'key', createdById: owner.id });
  const membership = await db.membership.findUniqueOrThrow({
    where: { organizationId_userId: { organizationId: org.id, userId: agent.id } },
  });
  ids = {
    orgId: org.id,
    projectId: project.id,
    conversationId: conversation.id,
    connectionId: connection.id,
    attachmentId: attachment.id,
    invitationId: invitation.id,
    keyId: apiKey.id,
    memberId: membership.id,
  };
  cookie = await env.sessionCookie(owner.id);
}, 180_000);

afterAll(async () => {
  await env?.close();
  await smtp?.close();
});

async function rowCounts(): Promise<Record<string, number>> {
  const { db } = await env.app();
  const rows = await db.$queryRawUnsafe<{ t: string; n: bigint }[]>(
    TABLES.map((t) => `SELECT '${t}' AS t, count(*) AS n FROM "${t}"`).join(' UNION ALL '),
  );
  return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
}

/** The chat apps' setup steps' catch-all, expanded into its steps by discoverMethods. */
const SETUP_ROUTE = '[kind]/[[...step]]';

type THandler = (req: Request, segment: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

/** Every exported method that takes a body, from every route module on disk. */
async function discoverMethods(): Promise<{ route: string; method: string; handler: THandler }[]> {
  const files = readdirSync(API_ROOT, { recursive: true, encoding: 'utf8' })
    .map((rel) => rel.split(path.sep).join('/'))
    .filter((rel) => /(^|\/)route\.ts$/.test(rel))
    .sort();
  const found: { route: string; method: string; handler: THandler }[] = [];
  for (const file of files) {
    const route = path.posix.dirname(file) === '.' ? '' : path.posix.dirname(file);
    const mod = (await import(/* @vite-ignore */ path.join(API_ROOT, file))) as Record<string, unknown>;
    if (route.endsWith(SETUP_ROUTE)) {
      // The chat apps' setup catch-all: one entry per step that takes a body, as /bridges/setup/<kind>[/<step>].
      for (const [kind, app] of Object.entries(CHAT_APPS))
        for (const [step, def] of Object.entries(app.setup.steps)) {
          if (def.method !== 'POST') continue;
          const handler = mod.POST as THandler;
          found.push({
            route: `${route.slice(0, -SETUP_ROUTE.length)}${kind}${step ? `/${step}` : ''}`,
            method: 'POST',
            handler: (req, segment) =>
              handler(req, { params: segment.params.then((p) => ({ ...p, kind, ...(step ? { step: [step] } : {}) })) }),
          });
        }
      continue;
    }
    for (const method of BODY_METHODS) {
      if (typeof mod[method] === 'function' && !NO_BODY.has(`${method} ${route}`))
        found.push({ route, method, handler: mod[method] as THandler });
    }
  }
  return found;
}

/** Raw request bodies: JSON of hostile or near-valid values, or bytes that are not JSON, or far too many. */
function bodies(sample: unknown): fc.Arbitrary<string> {
  const json = fc
    .oneof(hostileJson(), mutationsOf(sample), mutationsOf(sample))
    .map((v) => JSON.stringify(v) ?? 'null');
  return fc.oneof(
    { arbitrary: json, weight: 6 },
    { arbitrary: hostileString(100), weight: 1 },
    {
      arbitrary: fc.constantFrom('{', '{"a":', '\u0000', '{"__proto__":{"polluted":true}}', '[]', 'null', '1e999'),
      weight: 1,
    },
    { arbitrary: oversizeString([70_000]).map((s) => JSON.stringify({ name: s })), weight: 1 },
  );
}

const METHODS = await discoverMethods();

/**
 * A body valid enough to reach a chat platform meets a closed port here: the route answers 503 `unavailable` naming
 * the platform ("did not answer, try again") — an answer about the platform, not a crash of ours.
 */
function isPlatformUnavailable(res: {
  status: number;
  json: { error?: { code?: string; details?: { platform?: string } } } | null;
}): boolean {
  return (
    res.status === 503 &&
    res.json?.error?.code === 'unavailable' &&
    typeof res.json.error.details?.platform === 'string'
  );
}

describe('dashboard API bodies under hostile input', () => {
  it('finds the route modules', () => {
    expect(METHODS.length).toBeGreaterThan(0);
  });

  it.each(METHODS)('$method /api/app/$route', async ({ route, method, handler }) => {
    const params = Object.fromEntries(
      [...route.matchAll(/\[([^\]]+)\]/g)].map((m) => [m[1]!, ids[m[1]!] ?? 'unknown']),
    );
    const url = `/api/app/${route.replace(/\[([^\]]+)\]/g, (_, name: string) => params[name] ?? '')}`;
    await fc.assert(
      fc.asyncProperty(bodies(SAMPLES[`${method} ${route}`] ?? {}), async (body) => {
        // Sign-up and the mail routes finish their work after answering: an earlier run's must not land in between.
        await afterAnswerSettled();
        const before = await rowCounts();
        const res = await env.call(handler, {
          method,
          path: url,
          params,
          body,
          cookie,
          headers: { 'content-type': 'application/json' },
        });
        if (!isPlatformUnavailable(res))
          expect(
            res.status,
            `${method} ${url} answered ${res.status}: ${JSON.stringify(res.json).slice(0, 300)}`,
          ).toBeLessThan(500);
        await afterAnswerSettled();
        if (res.status >= 400)
          expect(await rowCounts(), `${method} ${url} refused (${res.status}) but stored something`).toEqual(before);
        expect(Object.prototype).not.toHaveProperty('polluted');
      }),
      fuzzParams(RUNS),
    );
  });
});

// Counterexamples the fuzzer found, kept as plain regression tests.
describe('regressions found by fuzzing', () => {
  it('a reply whose text holds NUL is a 400 naming the field, not a 500, and stores nothing', async () => {
    const mod =
      (await import('./app/api/app/orgs/[orgId]/projects/[projectId]/conversations/[conversationId]/messages/route')) as {
        POST: THandler;
      };
    const params = { orgId: ids.orgId!, projectId: ids.projectId!, conversationId: ids.conversationId! };
    const before = await rowCounts();
    const res = await env.call(mod.POST, {
      method: 'POST',
      path: '/api/app/x',
      params,
      body: JSON.stringify({ body: 'a\u0000b' }),
      cookie,
    });
    expect(res.status).toBe(400);
    expect(res.json.error.details.issues[0].path).toBe('body');
    const lone = await env.call(mod.POST, {
      method: 'POST',
      path: '/api/app/x',
      params,
      body: JSON.stringify({ body: 'x\uD800' }),
      cookie,
    });
    expect(lone.status).toBe(400);
    expect(await rowCounts()).toEqual(before);
  });

  it('a NUL in a query string or a path param is a 400, not a 500', async () => {
    const mod = (await import('./app/api/app/orgs/[orgId]/projects/[projectId]/conversations/route')) as {
      GET: THandler;
    };
    const search = await env.call(mod.GET, {
      path: '/api/app/x?q=%00',
      params: { orgId: ids.orgId!, projectId: ids.projectId! },
      cookie,
    });
    expect(search.status).toBe(400);
    const conv =
      (await import('./app/api/app/orgs/[orgId]/projects/[projectId]/conversations/[conversationId]/route')) as {
        GET: THandler;
      };
    const byId = await env.call(conv.GET, {
      path: '/api/app/x',
      params: { orgId: ids.orgId!, projectId: ids.projectId!, conversationId: 'c\u0000' },
      cookie,
    });
    expect(byId.status).toBe(400);
  });
});
