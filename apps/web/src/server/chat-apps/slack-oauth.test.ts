import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, decryptSecret, generateEncryptionKey, parseKeyRing, sha256 } from '@pocketping/core';
import { entitlementsFor } from '@pocketping/billing';
import {
  bootstrapTenant,
  createApiKey,
  createProject,
  createDb,
  getConnection,
  loadBillingState,
  recordConnectionFailure,
  type TDb,
} from '@pocketping/db';
// apps/web does not depend on the testkit package; the fake is a plain module with no workspace imports.
import { startFakeSlack, type TFakeSlack } from '../../../../../packages/testkit/src/fake-slack.js';
import { Redis } from 'ioredis';
import {
  finishSlackInstall,
  signInstallState,
  SLACK_INSTALL_COOKIE,
  startSlackInstall,
  verifyInstallState,
  type TSetupPorts,
} from '@pocketping/bridges';
import { createSetupPorts, type TSetupPortsDeps } from './setup-ports';

const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const PG_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const suffix = randomBytes(5).toString('hex');
const dbName = `pp_test_slackoauth_${suffix}`;
const AUTH_SECRET = randomBytes(32).toString('hex');

let db: TDb;
let slack: TFakeSlack;
let deps: TSetupPorts;
let portDeps: TSetupPortsDeps;
let ring: ReturnType<typeof parseKeyRing>;
let redis: Redis;
let tenant: { organizationId: string; projectId: string; apiKey: string };
let other: { organizationId: string; projectId: string; apiKey: string };
let teamId: string;
let supportChannel: string;
let generalChannel: string;

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const url = `postgresql://postgres@127.0.0.1:5432/${dbName}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const dir = path.join(REPO_ROOT, 'prisma/migrations');
  for (const m of readdirSync(dir)
    .filter((d) => /^\d+_/.test(d))
    .sort())
    await client.query(readFileSync(path.join(dir, m, 'migration.sql'), 'utf8'));
  await client.end();
  db = createDb(url, { poolSize: 3 });
  ring = parseKeyRing(generateEncryptionKey());
  const a = await bootstrapTenant(db, ring, {
    email: `a-${suffix}@example.test`,
    orgName: 'A',
    allowedOrigins: ['http://localhost:3000'],
  });
  const b = await bootstrapTenant(db, ring, {
    email: `b-${suffix}@example.test`,
    orgName: 'B',
    allowedOrigins: ['http://localhost:3000'],
  });
  tenant = { organizationId: a.organization.id, projectId: a.project.id, apiKey: a.apiKey.key };
  other = { organizationId: b.organization.id, projectId: b.project.id, apiKey: b.apiKey.key };

  slack = await startFakeSlack();
  teamId = slack.addTeam({ name: 'Acme' }).id;
  generalChannel = slack.addChannel({ teamId, name: 'general' }).id;
  supportChannel = slack.addChannel({ teamId, name: 'support' }).id;
  // The API-key install keeps nothing pending: Redis is never reached (lazy connection).
  redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
  portDeps = {
    db,
    origin: { ip: '203.0.113.7', userAgent: 'slack-oauth-test' },
    keyRing: ring,
    log: createLogger('web-test', 'silent'),
    limits: { entitlements: async (org: string) => entitlementsFor((await loadBillingState(db, org))!, new Date()) },
    redis,
    redisPrefix: `pp-test-${suffix}`,
    config: {
      telegram: { apiRoot: 'http://127.0.0.1:9' },
      slack: { apiUrl: slack.apiUrl, clientId: slack.clientId, clientSecret: slack.clientSecret },
    },
    webPublicUrl: 'http://127.0.0.1:3999',
    authSecret: AUTH_SECRET,
  };
  deps = createSetupPorts(portDeps);
}, 60_000);

afterAll(async () => {
  redis?.disconnect();
  await slack?.close();
  await db?.$disconnect();
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.end();
});

/** Follows the install as a browser would: our redirect → Slack's consent screen → our callback's query. */
async function install(apiKey: string, query: Record<string, string>) {
  const start = await startSlackInstall(deps, { authorization: `Bearer ${apiKey}`, query });
  expect(start.status).toBe(302);
  const consent = await fetch(start.location!, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const back = new URL(consent.headers.get('location')!);
  expect(back.pathname).toBe('/api/integrations/slack/callback');
  return finishSlackInstall(deps, {
    query: Object.fromEntries(back.searchParams),
    cookie: `${start.cookie!.name}=${start.cookie!.value}`,
  });
}

/** A state bound to a client, and that client's cookie (what startSlackInstall hands out). */
function boundState(fields: { organizationId: string; projectId: string; channelId: string | null }) {
  const binding = randomBytes(32).toString('hex');
  return {
    state: signInstallState(deps, { ...fields, browserHash: sha256(binding) }),
    cookie: `other=1; ${SLACK_INSTALL_COOKIE}=${binding}`,
  };
}

describe('install state', () => {
  it('round-trips, refuses tampering, another secret and expiry', () => {
    const s = signInstallState(deps, { organizationId: 'org1', projectId: 'p1', channelId: 'C1' });
    expect(verifyInstallState(deps, s)).toEqual({ organizationId: 'org1', projectId: 'p1', channelId: 'C1' });
    expect(verifyInstallState(createSetupPorts({ ...portDeps, authSecret: 'x'.repeat(40) }), s)).toBeNull();
    const [payload, sig] = s.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), o: 'org2' }),
    ).toString('base64url');
    expect(verifyInstallState(deps, `${forged}.${sig}`)).toBeNull();
    expect(verifyInstallState(deps, s, Date.now() + 11 * 60_000)).toBeNull();
    expect(verifyInstallState(deps, 'garbage')).toBeNull();
  });
});

describe('Slack OAuth install', () => {
  it('start: redirects to the consent screen with client id, scopes, redirect URI and a signed state', async () => {
    const res = await startSlackInstall(deps, {
      authorization: `Bearer ${tenant.apiKey}`,
      query: { projectId: tenant.projectId },
    });
    expect(res.status).toBe(302);
    const url = new URL(res.location!);
    expect(`${url.origin}${url.pathname}`).toBe(slack.authorizeUrl);
    expect(url.searchParams.get('client_id')).toBe(slack.clientId);
    expect(url.searchParams.get('scope')).toBe(
      'chat:write,channels:read,channels:join,users:read,files:write,files:read,channels:history,groups:history',
    );
    expect(url.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:3999/api/integrations/slack/callback');
    const state = verifyInstallState(deps, url.searchParams.get('state')!);
    expect(state).toEqual({
      organizationId: tenant.organizationId,
      projectId: tenant.projectId,
      channelId: null,
      browserHash: sha256(res.cookie!.value),
    });
    // The binding cookie: random, HttpOnly, sent back only to the callback, for as long as the state lives.
    expect(res.cookie).toMatchObject({
      name: SLACK_INSTALL_COOKIE,
      options: { httpOnly: true, sameSite: 'lax', path: '/api/integrations/slack/callback', maxAge: 600 },
    });
    expect(url.toString()).not.toContain(res.cookie!.value);
  });

  it("start: a read-only key is refused (403); a key limited to another project doesn't find this one (404)", async () => {
    const readOnly = await createApiKey(db, tenant.organizationId, { name: 'ro', scopes: ['read'] });
    expect(
      (
        await startSlackInstall(deps, {
          authorization: `Bearer ${readOnly.key}`,
          query: { projectId: tenant.projectId },
        })
      ).status,
    ).toBe(403);
    const elsewhere = await createProject(db, tenant.organizationId, { name: 'Second', allowedOrigins: [] });
    const limited = await createApiKey(db, tenant.organizationId, { name: 'one', projectId: elsewhere.id });
    expect(
      (
        await startSlackInstall(deps, {
          authorization: `Bearer ${limited.key}`,
          query: { projectId: tenant.projectId },
        })
      ).status,
    ).toBe(404);
    expect(
      (await startSlackInstall(deps, { authorization: `Bearer ${limited.key}`, query: { projectId: elsewhere.id } }))
        .status,
    ).toBe(302);
  });

  it("start: refuses a missing/wrong API key (401), another tenant's project (404), a bad query (400)", async () => {
    expect(
      (await startSlackInstall(deps, { authorization: null, query: { projectId: tenant.projectId } })).status,
    ).toBe(401);
    expect(
      (await startSlackInstall(deps, { authorization: 'Bearer ppk_nope', query: { projectId: tenant.projectId } }))
        .status,
    ).toBe(401);
    expect(
      (
        await startSlackInstall(deps, {
          authorization: `Bearer ${other.apiKey}`,
          query: { projectId: tenant.projectId },
        })
      ).status,
    ).toBe(404);
    expect((await startSlackInstall(deps, { authorization: `Bearer ${tenant.apiKey}`, query: {} })).status).toBe(400);
    expect(
      (
        await startSlackInstall(deps, {
          authorization: `Bearer ${tenant.apiKey}`,
          query: { projectId: tenant.projectId, channel: '<!channel>' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await startSlackInstall(
          { ...deps, config: { ...deps.config, slack: { ...deps.config.slack!, clientId: undefined } } },
          { authorization: `Bearer ${tenant.apiKey}`, query: { projectId: tenant.projectId } },
        )
      ).status,
    ).toBe(503);
  });

  it('callback: exchanges the code, joins the chosen channel and stores a connection with sealed credentials', async () => {
    const res = await install(tenant.apiKey, { projectId: tenant.projectId, channel: supportChannel });
    expect(res.status).toBe(200);
    const body = res.body as { connection: { id: string; channelId: string; teamId: string; reinstalled: boolean } };
    expect(body.connection).toMatchObject({ channelId: supportChannel, teamId, reinstalled: false });
    expect(JSON.stringify(body)).not.toContain('xoxb-');

    const conn = await getConnection(db, tenant.organizationId, body.connection.id);
    expect(conn).toMatchObject({
      kind: 'slack',
      targetId: supportChannel,
      targetScope: teamId,
      projectId: tenant.projectId,
      status: 'active',
    });
    expect(conn!.sealedCredentials).not.toContain('xoxb-');
    const creds = JSON.parse(decryptSecret(ring, conn!.sealedCredentials)) as {
      botToken: string;
      teamId: string;
      botUserId: string;
    };
    expect(creds.botToken).toMatch(/^xoxb-/);
    expect(creds.teamId).toBe(teamId);

    const access = slack.callsOf('oauth.v2.access');
    expect(access.at(-1)!.params).toMatchObject({
      client_id: slack.clientId,
      redirect_uri: 'http://127.0.0.1:3999/api/integrations/slack/callback',
    });
    expect(slack.callsOf('conversations.join').at(-1)!.params.channel).toBe(supportChannel);
  });

  it('callback: without a channel, picks the first public channel', async () => {
    const res = await install(other.apiKey, { projectId: other.projectId });
    expect(res.status).toBe(200);
    expect((res.body as { connection: { channelId: string } }).connection.channelId).toBe(generalChannel);
  });

  it('a reinstall into the same channel repairs the existing (broken) connection instead of adding one', async () => {
    const first = await install(tenant.apiKey, { projectId: tenant.projectId, channel: supportChannel });
    const id = (first.body as { connection: { id: string } }).connection.id;
    await recordConnectionFailure(db, tenant.organizationId, id, { error: 'token revoked', broken: true });
    const again = await install(tenant.apiKey, { projectId: tenant.projectId, channel: supportChannel });
    expect((again.body as { connection: { id: string; reinstalled: boolean } }).connection).toMatchObject({
      id,
      reinstalled: true,
    });
    expect((await getConnection(db, tenant.organizationId, id))!.status).toBe('active');
    expect(await db.bridgeConnection.count({ where: { organizationId: tenant.organizationId, kind: 'slack' } })).toBe(
      1,
    );
  });

  it('callback: refuses a forged or missing state (401), a reused code (422), a denied install (400)', async () => {
    const code = slack.issueOAuthCode({ teamId });
    expect((await finishSlackInstall(deps, { query: { code, state: 'forged.state' }, cookie: null })).status).toBe(401);
    expect((await finishSlackInstall(deps, { query: { code }, cookie: null })).status).toBe(401);
    expect(
      (await finishSlackInstall(deps, { query: { error: 'access_denied', state: 'x' }, cookie: null })).status,
    ).toBe(400);

    const { state, cookie } = boundState({
      organizationId: tenant.organizationId,
      projectId: tenant.projectId,
      channelId: supportChannel,
    });
    const used = slack.issueOAuthCode({ teamId, redirectUri: 'http://127.0.0.1:3999/api/integrations/slack/callback' });
    expect((await finishSlackInstall(deps, { query: { code: used, state }, cookie })).status).toBe(200);
    const reuse = await finishSlackInstall(deps, { query: { code: used, state }, cookie });
    expect(reuse.status).toBe(422);
    expect(reuse.body).toMatchObject({ error: { code: 'unprocessable' } });
  });

  it("callback: a state naming a project that is not the organization's is refused", async () => {
    const { state, cookie } = boundState({
      organizationId: other.organizationId,
      projectId: tenant.projectId,
      channelId: null,
    });
    expect(
      (await finishSlackInstall(deps, { query: { code: slack.issueOAuthCode({ teamId }), state }, cookie })).status,
    ).toBe(404);
  });

  it('a consent link sent to someone else is refused: the install finishes only in the client that started it', async () => {
    // The API-key holder starts an install for their project and sends the consent link to a victim, whose Slack
    // admin approves it: the victim's browser comes back without the starter's cookie.
    const start = await startSlackInstall(deps, {
      authorization: `Bearer ${other.apiKey}`,
      query: { projectId: other.projectId },
    });
    const consent = await fetch(start.location!, { redirect: 'manual' });
    const back = Object.fromEntries(new URL(consent.headers.get('location')!).searchParams);
    const before = await db.bridgeConnection.count({ where: { organizationId: other.organizationId } });
    const stranger = await finishSlackInstall(deps, { query: back, cookie: 'authjs.session-token=whatever' });
    expect(stranger.status).toBe(403);
    expect(stranger.body).toMatchObject({ error: { code: 'forbidden' } });
    // Another install's cookie does not fit either, nor does a state minted without a binding.
    const another = await startSlackInstall(deps, {
      authorization: `Bearer ${other.apiKey}`,
      query: { projectId: other.projectId },
    });
    expect(
      (await finishSlackInstall(deps, { query: back, cookie: `${SLACK_INSTALL_COOKIE}=${another.cookie!.value}` }))
        .status,
    ).toBe(403);
    const unbound = signInstallState(deps, {
      organizationId: other.organizationId,
      projectId: other.projectId,
      channelId: null,
    });
    expect(
      (
        await finishSlackInstall(deps, {
          query: { ...back, state: unbound },
          cookie: `${SLACK_INSTALL_COOKIE}=${start.cookie!.value}`,
        })
      ).status,
    ).toBe(403);
    expect(await db.bridgeConnection.count({ where: { organizationId: other.organizationId } })).toBe(before);
    // The starter's own client finishes it.
    expect(
      (await finishSlackInstall(deps, { query: back, cookie: `${SLACK_INSTALL_COOKIE}=${start.cookie!.value}` }))
        .status,
    ).toBe(200);
  });
});
