// The cross-tenant and role suite: every exported method of every route module under app/api/app/**/route.ts is
// found on disk (nothing to register — a route added tomorrow is checked tomorrow) and called
//   - with no session                                   → 401
//   - by the owner of ANOTHER organization, with the victim's real ids in every path param → 404, nothing leaked
//   - by that stranger with their own orgId and the victim's other ids (handler scoping)    → never 2xx, nothing leaked
//   - by a victim member one role below the declared one → 403
// and at the end the victim's rows must be exactly as they were. Routes that are not org-scoped must be on the
// allowlists below, so adding a user-level or public route is a decision someone made; routes that touch API keys,
// bridges, billing, invitations or project settings must declare at least the role of ROLE_FLOORS. Two static
// checks cover what the calls cannot: no server actions exist, and every organization page calls a page guard.
// Bodies are `{}`: the wrapper checks tenancy before validating, so strangers get 404/403 before any 400.
import { readdirSync, readFileSync } from 'node:fs';
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
  type Role,
} from '@pocketping/db';
import { setupWebTestEnv, type TWebTestEnv } from './server/testing/web-test-env';
import { orgRoute, publicRoute, ROLE_RANK, userRoute, type TTenancyMeta } from './server/tenancy';

const API_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'app', 'api', 'app');
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Routes any signed-in user may call (no organization in the URL). "METHOD path" relative to /api/app. */
const USER_ROUTES = new Set<string>([
  'GET me',
  'GET me/notifications',
  'PUT me/notifications',
  'GET me/notifications/browser',
  'PUT me/notifications/browser',
  'GET me/profile',
  'PATCH me/profile',
  'POST me/avatar',
  'DELETE me/avatar',
  'POST me/password',
  'POST me/email',
  'GET avatars/[userId]',
  'GET orgs',
  'POST orgs',
  'POST invitations/accept',
]);

/** Routes anyone may call, signed in or not. Each one must rate-limit what it does. */
const PUBLIC_ROUTES = new Set<string>([
  'POST auth/signup',
  'POST auth/verify-email',
  'POST auth/resend-verification',
  'POST auth/forgot-password',
  'POST auth/reset-password',
  'POST auth/confirm-email-change',
]);

/**
 * The least role a route may declare, by what it touches (issue 5: an agent cannot touch billing, bridges, API keys,
 * project settings or deletion). Matched against "METHOD route"; a route declaring less fails the suite.
 */
const ROLE_FLOORS: { match: RegExp; role: Role; why: string }[] = [
  { match: /^(POST|PUT|PATCH|DELETE) orgs\/\[orgId\]\/.*\bknowledge\b/, role: 'admin', why: "the AI's knowledge" },
  { match: /^\w+ orgs\/\[orgId\]\/.*\bapi-keys\b/, role: 'admin', why: 'API keys' },
  { match: /^\w+ orgs\/\[orgId\]\/.*\bbridges\b/, role: 'admin', why: 'bridges (chat apps)' },
  { match: /^\w+ orgs\/\[orgId\]\/.*\bbilling\b/, role: 'owner', why: 'billing' },
  { match: /^\w+ orgs\/\[orgId\]\/invitations\b/, role: 'admin', why: 'invitations' },
  { match: /^\w+ orgs\/\[orgId\]\/.*\btransfer-ownership\b/, role: 'owner', why: 'ownership' },
  {
    match: /^(POST|PUT|PATCH|DELETE) orgs\/\[orgId\]\/projects(\/\[projectId\])?$/,
    role: 'admin',
    why: 'creating, changing or deleting a project',
  },
  {
    match: /^(POST|PUT|PATCH|DELETE) orgs\/\[orgId\]\/.*\b(settings|identity-secret)\b/,
    role: 'admin',
    why: 'project settings',
  },
];

/**
 * Valid bodies for the "own orgId + victim's ids" call, so the handler itself runs (with `{}` most mutations stop at
 * validation, which proves nothing about scoping). Optional: a route without one gets `{}`. Given one, the answer
 * must be 404; a 400 means the sample went stale.
 */
const SAMPLE_BODIES: Record<string, (victim: { projectName: string }) => unknown> = {
  'POST orgs/[orgId]/projects/[projectId]/conversations/[conversationId]/messages': () => ({
    body: 'written by the tenancy suite',
  }),
  'POST orgs/[orgId]/projects/[projectId]/conversations/[conversationId]/status': () => ({ status: 'closed' }),
  'POST orgs/[orgId]/projects/[projectId]/conversations/[conversationId]/read': () => ({ seq: 1 }),
  'PATCH orgs/[orgId]/projects/[projectId]': () => ({ name: 'Renamed by the tenancy suite' }),
  'DELETE orgs/[orgId]/projects/[projectId]': (v) => ({ confirmName: v.projectName }),
  'PATCH orgs/[orgId]/members/[memberId]': () => ({ role: 'admin' }),
};

function discoverRouteFiles(): string[] {
  let entries: string[];
  try {
    entries = readdirSync(API_ROOT, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return (
    entries
      .map((rel) => rel.split(path.sep).join('/'))
      // private folders (_lib/…) are not routes in the App Router
      .filter(
        (rel) =>
          /^route\.(ts|tsx|js|mjs)$/.test(path.posix.basename(rel)) &&
          !rel.split('/').some((seg) => seg.startsWith('_')),
      )
      .sort()
  );
}

const ROUTE_FILES = discoverRouteFiles();

/** 'orgs/[orgId]/members/[memberId]/route.ts' → 'orgs/[orgId]/members/[memberId]' and its params. */
function describeRoute(file: string): { route: string; params: { name: string; catchAll: boolean }[] } {
  // route groups, (name)/, are not part of the URL
  const route =
    path.posix.dirname(file) === '.'
      ? ''
      : path.posix
          .dirname(file)
          .split('/')
          .filter((seg) => !/^\(.*\)$/.test(seg))
          .join('/');
  // [name], [...name] and the optional catch-all [[...name]]
  const params = [...route.matchAll(/\[\[?(\.\.\.)?([^\]]+)\]\]?/g)].map((m) => ({
    name: m[2]!,
    catchAll: Boolean(m[1]),
  }));
  return { route, params };
}

type TRouteFn = ((
  req: Request,
  segment: { params: Promise<Record<string, string | string[]>> },
) => Promise<Response>) & {
  tenancy?: TTenancyMeta;
};

interface TSide {
  orgId: string;
  ids: Record<string, string>;
  projectName: string;
}

let env: TWebTestEnv;
let victim: TSide;
let attacker: TSide;
let cookies: { attackerOwner: string; victimAdmin: string; victimAgent: string };
/** Everything of the victim that must never show up in an answer to someone else. */
let victimSecrets: string[];
let snapshotBefore: string;

async function snapshotVictim(): Promise<string> {
  const { db } = await env.app();
  const where = { organizationId: victim.orgId };
  const [org, memberships, projects, connections, invitations, apiKeys, conversations, messages, visitors, knowledge] =
    await Promise.all([
      db.organization.findUnique({ where: { id: victim.orgId } }),
      db.membership.findMany({ where, orderBy: { id: 'asc' } }),
      db.project.findMany({ where, orderBy: { id: 'asc' } }),
      db.bridgeConnection.findMany({ where, orderBy: { id: 'asc' } }),
      db.invitation.findMany({ where, orderBy: { id: 'asc' } }),
      db.apiKey.findMany({ where, orderBy: { id: 'asc' } }),
      db.conversation.findMany({ where, orderBy: { id: 'asc' } }),
      db.message.findMany({ where, orderBy: { id: 'asc' } }),
      db.visitor.findMany({ where, orderBy: { id: 'asc' } }),
      db.knowledgeSource.findMany({ where, orderBy: { id: 'asc' } }),
    ]);
  return JSON.stringify({
    org,
    memberships,
    projects,
    connections,
    invitations,
    apiKeys,
    knowledge,
    conversations,
    messages,
    visitors,
  });
}

/** One tenant with a row of every kind a path param can name. */
async function buildTenant(
  label: string,
): Promise<{ side: TSide; secrets: string[]; users: Record<'owner' | 'admin' | 'agent', string> }> {
  const { db } = await env.app();
  const tag = `${label}${Math.random().toString(36).slice(2, 8)}`;
  const owner = await env.createUser({ email: `${tag}-owner@${label}.test`, name: `${tag} Owner` });
  const admin = await env.createUser({ email: `${tag}-admin@${label}.test`, name: `${tag} Admin` });
  const agent = await env.createUser({ email: `${tag}-agent@${label}.test`, name: `${tag} Agent` });
  const orgName = `${tag} Org`;
  const org = await env.createOrg(owner.id, orgName);
  await env.addMember(org.id, admin.id, 'admin');
  await env.addMember(org.id, agent.id, 'agent');
  const project = await env.createProject(org.id, `${tag} Site`);
  const visitor = await createVisitor(db, org.id, { projectId: project.id, tokenHash: sha256(randomToken('vt_')) });
  await db.visitor.update({
    where: { id: visitor.id },
    data: { email: `${tag}-visitor@${label}.test`, name: `${tag} Visitor` },
  });
  const conversation = await getOrCreateOpenConversation(db, org.id, { projectId: project.id, visitorId: visitor.id });
  const { message } = await appendMessage(db, org.id, {
    conversationId: conversation.id,
    sender: 'visitor',
    body: `${tag} secret message`,
    source: 'widget',
    deliver: false,
  });
  const connection = await createConnection(db, org.id, {
    projectId: project.id,
    kind: 'telegram',
    sealedCredentials: `v1:fake:${tag}`,
    targetId: `-100${Date.now()}`,
  });
  // A file of that message (the row is enough: every refusal happens before the bytes are read).
  const attachment = await db.attachment.create({
    data: {
      organizationId: org.id,
      conversationId: conversation.id,
      messageId: message.id,
      uploadedBy: 'visitor',
      name: `${tag}-file.pdf`,
      contentType: 'application/pdf',
      size: 10,
      sha256: sha256(tag),
      storageKey: `${org.id}/${tag}`,
    },
  });
  const invitation = await db.invitation.create({
    data: {
      organizationId: org.id,
      email: `${tag}-invitee@${label}.test`,
      role: 'agent',
      tokenHash: sha256(randomToken()),
      invitedById: owner.id,
      expiresAt: new Date(Date.now() + 86_400_000),
    },
  });
  const { apiKey } = await createApiKey(db, org.id, { name: `${tag} key`, createdById: owner.id });
  const knowledgeSource = await db.knowledgeSource.create({
    data: {
      organizationId: org.id,
      projectId: project.id,
      kind: 'text',
      title: `${tag} knowledge`,
      content: `${tag} secret knowledge`,
    },
  });
  const webhookEndpoint = await db.webhookEndpoint.create({
    data: {
      organizationId: org.id,
      projectId: project.id,
      url: `https://${tag}.example/hook`,
      events: ['message.created'],
      secret: `v1:fake:${tag}`,
    },
  });
  const webhookDelivery = await db.webhookDelivery.create({
    data: {
      organizationId: org.id,
      projectId: project.id,
      endpointId: webhookEndpoint.id,
      eventId: `msg_${tag}`,
      eventType: 'message.created',
      groupKey: conversation.id,
      payload: { type: 'message.created', timestamp: new Date().toISOString(), data: { tag } },
    },
  });
  const savedReply = await db.savedReply.create({
    data: {
      organizationId: org.id,
      projectId: project.id,
      title: `${tag} saved`,
      shortcut: 'secret',
      body: `${tag} secret saved reply`,
    },
  });
  const agentMembership = await db.membership.findUniqueOrThrow({
    where: { organizationId_userId: { organizationId: org.id, userId: agent.id } },
  });
  const ids: Record<string, string> = {
    orgId: org.id,
    organizationId: org.id,
    projectId: project.id,
    conversationId: conversation.id,
    visitorId: visitor.id,
    messageId: message.id,
    connectionId: connection.id,
    bridgeId: connection.id,
    memberId: agentMembership.id,
    membershipId: agentMembership.id,
    userId: agent.id,
    invitationId: invitation.id,
    keyId: apiKey.id,
    apiKeyId: apiKey.id,
    attachmentId: attachment.id,
    sourceId: knowledgeSource.id,
    // The chat apps' setup catch-all (/bridges/setup/<kind>[/<step>]): a real chat app and one of its steps.
    kind: 'slack',
    step: 'channels',
    endpointId: webhookEndpoint.id,
    deliveryId: webhookDelivery.id,
    replyId: savedReply.id,
  };
  const secrets = [
    // Path values that name no row (a chat app, a setup step) are not the tenant's secrets.
    ...new Set(Object.entries(ids).flatMap(([k, v]) => (k === 'kind' || k === 'step' ? [] : [v]))),
    orgName,
    `${tag} Site`,
    project.publicKey,
    `${tag}-visitor@${label}.test`,
    `${tag} Visitor`,
    `${tag} secret message`,
    `${tag} secret knowledge`,
    connection.targetId,
    attachment.name,
    invitation.email,
    apiKey.prefix,
    owner.email,
    admin.email,
    agent.email,
    owner.id,
    admin.id,
  ];
  return {
    side: { orgId: org.id, ids, projectName: `${tag} Site` },
    secrets,
    users: { owner: owner.id, admin: admin.id, agent: agent.id },
  };
}

beforeAll(async () => {
  env = await setupWebTestEnv();
  const v = await buildTenant('victim');
  const a = await buildTenant('attacker');
  victim = v.side;
  attacker = a.side;
  victimSecrets = v.secrets;
  cookies = {
    attackerOwner: await env.sessionCookie(a.users.owner),
    victimAdmin: await env.sessionCookie(v.users.admin),
    victimAgent: await env.sessionCookie(v.users.agent),
  };
  snapshotBefore = await snapshotVictim();
});
afterAll(async () => env?.close());

const LOWER_ROLE: Record<Role, 'victimAdmin' | 'victimAgent' | null> = {
  owner: 'victimAdmin',
  admin: 'victimAgent',
  agent: null,
};

function leaks(body: unknown): string[] {
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
  return victimSecrets.filter((s) => s && text.includes(s));
}

type TParam = { name: string; catchAll: boolean };

/** Everything the suite checks about one exported method; returns what is wrong, one sentence each. */
async function checkMethod(route: string, params: TParam[], method: string, handler: TRouteFn): Promise<string[]> {
  const failures: string[] = [];
  const id = `${method} /api/app/${route}`;
  const valueFor = (side: TSide, p: TParam): string | string[] => {
    const v = p.name === 'orgId' ? side.orgId : side.ids[p.name];
    if (v === undefined) {
      failures.push(`${id}: no fixture for path param [${p.name}] — add a row of that kind to buildTenant()`);
      return p.catchAll ? ['unknown'] : 'unknown';
    }
    return p.catchAll ? [v] : v;
  };
  const paramsOf = (pick: (p: TParam) => string | string[]) =>
    Object.fromEntries(params.map((p) => [p.name, pick(p)])) as Record<string, string | string[]>;
  const urlOf = (values: Record<string, string | string[]>) =>
    `/api/app/${route.replace(/\[\[?(\.\.\.)?([^\]]+)\]\]?/g, (_, __, name: string) => [values[name] ?? ''].flat().join('/'))}`;
  const body = method === 'GET' || method === 'HEAD' ? undefined : {};
  const call = async (
    cookie: string | undefined,
    values: Record<string, string | string[]>,
    withBody: unknown = body,
  ) =>
    env.call(handler, {
      method,
      path: urlOf(values),
      params: values as Record<string, string>,
      body: withBody,
      cookie,
    });

  const meta = handler.tenancy;
  if (!meta) return [`${id}: not wrapped (no .tenancy) — use orgRoute/userRoute/publicRoute from server/tenancy.ts`];
  const hasOrgParam = params.some((p) => p.name === 'orgId');

  if (meta.kind !== 'org') {
    if (hasOrgParam) failures.push(`${id}: has [orgId] in its path but is a '${meta.kind}' route — use orgRoute`);
    const allow = meta.kind === 'user' ? USER_ROUTES : PUBLIC_ROUTES;
    if (!allow.has(`${method} ${route}`))
      failures.push(`${id}: '${meta.kind}' route not on the ${meta.kind} allowlist of tenancy-suite.test.ts`);
    if (meta.kind === 'user') {
      const anon = await call(
        undefined,
        paramsOf((p) => valueFor(victim, p)),
      );
      if (anon.status !== 401) failures.push(`${id}: without a session answered ${anon.status}, expected 401`);
    }
    return failures;
  }
  if (!hasOrgParam) return [`${id}: an org route without [orgId] in its path`];
  for (const floor of ROLE_FLOORS) {
    if (floor.match.test(`${method} ${route}`) && ROLE_RANK[meta.role] < ROLE_RANK[floor.role]) {
      failures.push(`${id}: declares role '${meta.role}' but ${floor.why} need '${floor.role}' or higher`);
    }
  }

  const victimParams = paramsOf((p) => valueFor(victim, p));
  const anon = await call(undefined, victimParams);
  if (anon.status !== 401) failures.push(`${id}: without a session answered ${anon.status}, expected 401`);
  if (leaks(anon.json).length) failures.push(`${id}: without a session leaked ${leaks(anon.json).join(', ')}`);

  const stranger = await call(cookies.attackerOwner, victimParams);
  if (stranger.status !== 404)
    failures.push(`${id}: another organization's owner got ${stranger.status}, expected 404`);
  if (leaks(stranger.json).length)
    failures.push(`${id}: another organization's owner saw ${leaks(stranger.json).join(', ')}`);

  // The stranger in their own organization, naming the victim's rows: only the handler's own scoping stops this.
  if (params.length > 1) {
    const mixed = paramsOf((p) => (p.name === 'orgId' ? attacker.orgId : valueFor(victim, p)));
    const sample = SAMPLE_BODIES[`${method} ${route}`];
    const res = await call(cookies.attackerOwner, mixed, sample ? sample(victim) : body);
    if (res.status >= 200 && res.status < 300)
      failures.push(`${id}: own orgId + victim's ids answered ${res.status} (handler not scoped by organizationId)`);
    else if (sample && res.status !== 404)
      failures.push(
        `${id}: own orgId + victim's ids with the sample body answered ${res.status}, expected 404 (stale sample in SAMPLE_BODIES?)`,
      );
    if (leaks(res.json).length) failures.push(`${id}: own orgId + victim's ids leaked ${leaks(res.json).join(', ')}`);
  }

  const lower = LOWER_ROLE[meta.role];
  if (lower) {
    const res = await call(cookies[lower], victimParams);
    if (res.status !== 403)
      failures.push(
        `${id}: a victim ${lower === 'victimAdmin' ? 'admin' : 'agent'} (below ${meta.role}) got ${res.status}, expected 403`,
      );
  }
  return [...new Set(failures)];
}

describe('tenancy suite: every /api/app route', () => {
  it('finds the route modules on disk', () => {
    expect(ROUTE_FILES.length).toBeGreaterThan(0);
    expect(ROUTE_FILES).toContain('orgs/[orgId]/members/route.ts');
  });

  it.each(ROUTE_FILES)('%s', async (file) => {
    const { route, params } = describeRoute(file);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(/* @vite-ignore */ path.join(API_ROOT, file))) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`${file}: cannot be imported: ${err instanceof Error ? err.message : String(err)}`);
    }
    const methods = METHODS.filter((m) => typeof mod[m] === 'function');
    const failures: string[] = methods.length === 0 ? [`${file}: exports no HTTP method`] : [];
    for (const method of methods) failures.push(...(await checkMethod(route, params, method, mod[method] as TRouteFn)));
    expect(failures).toEqual([]);
  });

  it('has no server actions (the suite cannot reach them: use a route under /api/app)', () => {
    const src = path.dirname(fileURLToPath(import.meta.url));
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter(
      (f) => /\.(ts|tsx)$/.test(f) && !f.includes('node_modules'),
    );
    const actions = files.filter((f) => /^\s*['"]use server['"]/m.test(readFileSync(path.join(src, f), 'utf8')));
    expect(actions).toEqual([]);
  });

  it('guards every page of an organization with requirePageMember / requirePageProject', () => {
    const orgPages = path.join(
      path.dirname(fileURLToPath(import.meta.url)),
      'app',
      '(dashboard)',
      'app',
      'o',
      '[orgId]',
    );
    const pages = readdirSync(orgPages, { recursive: true, encoding: 'utf8' }).filter((f) =>
      /(^|\/)(page|layout)\.tsx$/.test(f.split(path.sep).join('/')),
    );
    expect(pages.length).toBeGreaterThan(0);
    const unguarded = pages.filter(
      (f) =>
        f !== path.join('forbidden', 'page.tsx') &&
        !/requirePage(Member|Project)\(/.test(readFileSync(path.join(orgPages, f), 'utf8')),
    );
    expect(unguarded).toEqual([]);
  });

  it("leaves the victim's rows exactly as they were", async () => {
    expect(await snapshotVictim()).toBe(snapshotBefore);
  });
});

// The suite must fail on the mistakes it exists for: probes with those mistakes, checked the same way.
describe('tenancy suite: catches broken routes', () => {
  const memberParams: TParam[] = [
    { name: 'orgId', catchAll: false },
    { name: 'memberId', catchAll: false },
  ];
  const route = 'orgs/[orgId]/members/[memberId]/probe';

  it('an unwrapped handler', async () => {
    const bare = (async () => Response.json({ ok: true })) as TRouteFn;
    expect(await checkMethod(route, memberParams, 'GET', bare)).toEqual([expect.stringContaining('not wrapped')]);
  });

  it('a handler that forgets to scope by organizationId', async () => {
    const unscoped = orgRoute<undefined, { orgId: string; memberId: string }>(
      { role: 'agent' },
      async ({ app, params }) => {
        const m = await app.db.membership.findUnique({ where: { id: params.memberId }, include: { user: true } });
        return { email: m?.user.email ?? null };
      },
    );
    const failures = await checkMethod(route, memberParams, 'GET', unscoped);
    expect(failures.some((f) => f.includes('handler not scoped'))).toBe(true);
    expect(failures.some((f) => f.includes('leaked'))).toBe(true);
  });

  it('a user-level route under [orgId], and user/public routes nobody allowlisted', async () => {
    const me = userRoute({}, async ({ user }) => ({ id: user.id }));
    expect(await checkMethod(route, memberParams, 'GET', me)).toEqual(
      expect.arrayContaining([expect.stringContaining('use orgRoute')]),
    );
    const open = publicRoute({}, async () => ({ ok: true }));
    expect(await checkMethod('probe/public', [], 'POST', open)).toEqual([
      expect.stringContaining('not on the public allowlist'),
    ]);
  });

  it('an agent-level route that touches bridges or API keys', async () => {
    const lax = orgRoute({ role: 'agent' }, async () => ({ ok: true }));
    const failures = await checkMethod(
      'orgs/[orgId]/projects/[projectId]/bridges/probe',
      [
        { name: 'orgId', catchAll: false },
        { name: 'projectId', catchAll: false },
      ],
      'POST',
      lax,
    );
    expect(failures).toEqual(expect.arrayContaining([expect.stringContaining("bridges (chat apps) need 'admin'")]));
  });

  it('a well-scoped probe passes', async () => {
    const scoped = orgRoute<undefined, { orgId: string; memberId: string }>(
      { role: 'admin' },
      async ({ app, organizationId, params }) => {
        const m = await app.db.membership.findUnique({
          where: { organizationId_id: { organizationId, id: params.memberId } },
        });
        return m
          ? { id: m.id }
          : Response.json({ error: { code: 'not_found', message: 'Not found.' } }, { status: 404 });
      },
    );
    expect(await checkMethod(route, memberParams, 'GET', scoped)).toEqual([]);
  });
});
