// Each chat app's setup, run the way its folder declares it, with in-memory ports (no database, Redis or web app):
// the contract the web app's catch-all routes rely on, and proof that the ports are all the setup needs.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@pocketping/core';
import type { ZodType } from 'zod';
// The bridges package does not depend on the testkit; the fakes are plain modules with no workspace imports.
import { startFakeSlack, type TFakeSlack } from '../../testkit/src/fake-slack.js';
import { startFakeTelegram, type TFakeTelegram } from '../../testkit/src/fake-telegram.js';
import { CHAT_APPS } from './registry.js';
import type { TNewConnection, TSetupAuditEntry, TSetupPorts, TSetupScope } from './setup-ports.js';

let telegram: TFakeTelegram;
let slack: TFakeSlack;
beforeAll(async () => {
  [telegram, slack] = await Promise.all([startFakeTelegram(), startFakeSlack()]);
});
afterAll(async () => {
  await Promise.all([telegram?.close(), slack?.close()]);
});

type TStored = TNewConnection & { id: string; organizationId: string; status: string };

/** Ports over plain maps: "sealing" is a reversible marker, so a test sees what would be sealed. */
function memoryPorts() {
  const pending = new Map<string, unknown>();
  const connections: TStored[] = [];
  const audit: (TSetupAuditEntry & { organizationId: string })[] = [];
  const replaced: string[] = [];
  const ports: TSetupPorts = {
    log: createLogger('setup-test', 'silent'),
    config: {
      telegram: { apiRoot: telegram.apiRoot },
      slack: { apiUrl: slack.apiUrl, clientId: slack.clientId, clientSecret: slack.clientSecret },
    },
    webPublicUrl: 'http://127.0.0.1:3999',
    pending: {
      save: async (kind, id, value) => void pending.set(`${kind}:${id}`, value),
      update: async (kind, id, value) => void pending.set(`${kind}:${id}`, value),
      load: async <T>(kind: string, id: string, schema: ZodType<T>) => {
        const parsed = schema.safeParse(pending.get(`${kind}:${id}`));
        return parsed.success ? { value: parsed.data, ttlSeconds: 60 } : null;
      },
      delete: async (kind, id) => void pending.delete(`${kind}:${id}`),
      withLock: async (_kind, _id, _ms, fn) => fn(),
    },
    seal: (plain) => `sealed:${plain}`,
    unseal: (sealed) => sealed.replace(/^sealed:/, ''),
    signState: (purpose, fields) => `${purpose}:${JSON.stringify(fields)}`,
    verifyState: (purpose, state, schema) => {
      if (!state.startsWith(`${purpose}:`)) return null;
      const parsed = schema.safeParse(JSON.parse(state.slice(purpose.length + 1)));
      return parsed.success ? parsed.data : null;
    },
    checkInstaller: async () => 'ok',
    apiKey: async () => null,
    project: async (_org, projectId) => ({ id: projectId, name: 'Shop' }),
    connections: {
      byTarget: async (q) =>
        connections.filter((c) => c.kind === q.kind && c.targetScope === q.targetScope && c.targetId === q.targetId),
      byScope: async (q) => connections.filter((c) => c.kind === q.kind && c.targetScope === q.targetScope),
      idInProject: async (scope, kind, targetId) =>
        connections.find(
          (c) =>
            c.organizationId === scope.organizationId &&
            c.projectId === scope.projectId &&
            c.kind === kind &&
            c.targetId === targetId,
        )?.id ?? null,
      telegramWithoutBotId: async () => [],
      create: async (organizationId, input) => {
        const row = { ...input, id: `conn${connections.length + 1}`, organizationId, status: 'active' };
        connections.push(row);
        return { id: row.id };
      },
      replaceCredentials: async (_org, id, sealed) => {
        replaced.push(id);
        const row = connections.find((c) => c.id === id)!;
        row.sealedCredentials = sealed;
      },
      card: async (_org, _project, id) => {
        const row = connections.find((c) => c.id === id);
        return row ? { id: row.id, kind: row.kind, targetId: row.targetId, targetName: row.targetName ?? null } : null;
      },
      recordFailure: async () => undefined,
    },
    audit: async (organizationId, entry) => void audit.push({ ...entry, organizationId }),
  };
  return { ports, pending, connections, audit, replaced };
}

const scope: TSetupScope = { organizationId: 'org1', projectId: 'proj1', userId: 'user1' };
const step = (kind: keyof typeof CHAT_APPS, name: string) => CHAT_APPS[kind].setup.steps[name]!;
const json = async (kind: keyof typeof CHAT_APPS, name: string, ports: TSetupPorts, input: unknown, as = scope) => {
  const s = step(kind, name);
  const answer = await s.run(ports, as, s.input ? s.input.parse(input) : undefined);
  if (!('json' in answer)) throw new Error('expected JSON');
  return answer.json as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
};

describe('the chat apps declare their setup', () => {
  it('every registered chat app has dashboard steps, a test message, and the OAuth redirect URIs as browser steps', () => {
    for (const app of Object.values(CHAT_APPS)) {
      expect(Object.keys(app.setup.steps).length).toBeGreaterThan(0);
      for (const s of Object.values(app.setup.steps)) expect(['GET', 'POST']).toContain(s.method);
      expect(typeof app.setup.postTestMessage).toBe('function');
    }
    // Registered with the platforms as /api/integrations/<kind>/<action>: these names are public.
    expect(Object.keys(CHAT_APPS.slack.setup.browser ?? {}).sort()).toEqual(['callback', 'install']);
    expect(Object.keys(CHAT_APPS.discord.setup.browser ?? {})).toEqual(['callback']);
    // Steps that call a platform with a pasted token are rate limited per user.
    expect(step('telegram', '').rateLimit).toMatchObject({ bucket: 'bridge-token' });
    expect(step('slack', 'token').rateLimit).toMatchObject({ bucket: 'bridge-token' });
  });
});

describe('telegram setup through its ports', () => {
  it('token → one-time code → /link in a forum group → a connection with sealed credentials and a secret hash', async () => {
    const { ports, pending, connections, audit } = memoryPorts();
    const token = '7100001:AAHsetupportstestabcdefghijklmnopq';
    telegram.addBot(token, { username: 'ports_bot' });
    const chat = telegram.addForumChat({ title: 'Ports support' });

    const started = await json('telegram', '', ports, { botToken: token });
    expect(started.code).toMatch(/^[A-Z2-9]{8}$/);
    expect([...pending.values()][0]).toMatchObject({ sealedToken: `sealed:${token}`, botUsername: 'ports_bot' });
    // Another organization's poll of this setup gets "expired", like a setup that does not exist.
    await expect(
      json('telegram', 'status', ports, { setupId: started.setupId }, { ...scope, organizationId: 'org2' }),
    ).rejects.toMatchObject({ code: 'not_found' });

    await telegram.deliverUpdate(token, {
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        text: `/link ${started.code}`,
        chat: { id: chat.id, type: 'supergroup', title: 'Ports support', is_forum: true },
        from: { id: 42, is_bot: false, first_name: 'Ann' },
      },
    });
    const linked = await json('telegram', 'status', ports, { setupId: started.setupId });
    expect(linked).toMatchObject({ status: 'linked', webhook: 'polling', connection: { kind: 'telegram' } });
    expect(pending.size).toBe(0);
    expect(connections).toHaveLength(1);
    const creds = JSON.parse(ports.unseal(connections[0]!.sealedCredentials)) as { webhookSecret: string };
    expect(connections[0]).toMatchObject({ targetId: String(chat.id), targetName: 'Ports support' });
    expect(connections[0]!.webhookSecretHash).toBe(createHash('sha256').update(creds.webhookSecret).digest('hex'));
    expect(audit).toEqual([expect.objectContaining({ action: 'connection.telegram.link', actorId: 'user1' })]);

    // The same bot for another organization's project is refused: a bot serves one connection.
    await expect(
      json('telegram', '', ports, { botToken: token }, { ...scope, organizationId: 'org2' }),
    ).rejects.toMatchObject({ code: 'conflict' });
  });
});

describe('slack setup through its ports', () => {
  it('pasted token → channel picker → connect; the same channel again gives the connection the new token', async () => {
    const { ports, connections, replaced, audit } = memoryPorts();
    const team = slack.addTeam({ name: 'Ports HQ' });
    const bot = slack.addBot({ teamId: team.id, name: 'pocketping' });
    const support = slack.addChannel({ teamId: team.id, name: 'support' });

    await expect(json('slack', 'token', ports, { botToken: 'xoxp-user' })).rejects.toMatchObject({
      code: 'unprocessable',
    });
    const first = await json('slack', 'token', ports, { botToken: bot.token });
    expect(first.team).toEqual({ id: team.id, name: 'Ports HQ' });
    const picker = await json('slack', 'channels', ports, { setupId: first.setupId });
    expect(picker.channels.map((c: { name: string }) => c.name)).toContain('support');
    const connected = await json('slack', 'connect', ports, { setupId: first.setupId, channelId: support.id });
    expect(connected).toMatchObject({ channel: 'support', reinstalled: false });
    expect(connections).toHaveLength(1);
    expect(connections[0]!.sealedCredentials).toMatch(/^sealed:/);

    const again = await json('slack', 'token', ports, { botToken: bot.token });
    const reconnected = await json('slack', 'connect', ports, { setupId: again.setupId, channelId: support.id });
    expect(reconnected).toMatchObject({ reinstalled: true, connection: { id: connections[0]!.id } });
    expect(connections).toHaveLength(1);
    expect(replaced).toEqual([connections[0]!.id]);
    expect(audit.map((a) => a.action)).toEqual(['connection.slack.install', 'connection.slack.reinstall']);
  });

  it('"Add to Slack" from the dashboard: the consent URL carries a state the callback accepts only for its user', async () => {
    const { ports } = memoryPorts();
    const answer = await step('slack', 'install').run(ports, scope, undefined);
    if (!('redirect' in answer)) throw new Error('expected a redirect');
    const state = new URL(answer.redirect).searchParams.get('state')!;
    const refused = await CHAT_APPS.slack.setup.browser!.callback!(
      { ...ports, checkInstaller: async () => 'not_admin' },
      { query: { state, code: 'x' }, param: (n) => ({ state, code: 'x' })[n], header: () => null },
    );
    expect('redirect' in refused && new URL(refused.redirect).searchParams.get('slackError')).toContain(
      'owner or admin',
    );
  });
});
