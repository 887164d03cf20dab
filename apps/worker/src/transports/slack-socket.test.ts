import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, encryptSecret, parseKeyRing } from '@pocketping/core';
import { createConnection, createDb, createOrganizationWithOwner, createProject, type TDb } from '@pocketping/db';
import {
  createTestDatabase,
  startFakeSlack,
  testEncryptionKey,
  waitFor,
  type TFakeSlack,
  type TTestDatabase,
} from '@pocketping/testkit';
import { startSlackSocket, type TSlackSocket } from '@pocketping/bridges';
import type { TWorkerContext } from '../context.js';
import { createTransportPorts } from './create-transport-ports.js';

// Real Postgres, the fake Slack speaking Socket Mode, the real @slack/socket-mode client. The producer is a
// recorder: what matters here is which inbound events get stored and handed on, and that envelopes are acked.
let database: TTestDatabase;
let db: TDb;
let slack: TFakeSlack;
let runner: TSlackSocket;
const enqueued: { organizationId: string; inboundEventId: string }[] = [];
let teamId: string;
let channel: string;
let connectionId: string;
let organizationId: string;

beforeAll(async () => {
  database = await createTestDatabase('pp_test_slacksock');
  db = createDb(database.url, { poolSize: 3 });
  slack = await startFakeSlack();
  teamId = slack.addTeam({ name: 'Acme' }).id;
  const bot = slack.addBot({ teamId });
  channel = slack.addChannel({ teamId, name: 'support', members: [bot.botUserId] }).id;
  const { organization } = await createOrganizationWithOwner(db, { email: 'sock@example.test', orgName: 'Sock' });
  organizationId = organization.id;
  const project = await createProject(db, organization.id, { name: 'p', allowedOrigins: [] });
  const ring = parseKeyRing(testEncryptionKey());
  connectionId = (
    await createConnection(db, organization.id, {
      projectId: project.id,
      kind: 'slack',
      sealedCredentials: encryptSecret(ring, JSON.stringify({ botToken: bot.token, teamId, botUserId: bot.botUserId })),
      targetId: channel,
      targetScope: teamId,
    })
  ).id;
  const appToken = slack.enableSocketMode();
  const log = createLogger('worker-test', 'silent');
  const ctx = {
    db,
    producer: { enqueueInbound: async (job: (typeof enqueued)[number]) => void enqueued.push(job) },
    log,
  } as unknown as TWorkerContext;
  runner = startSlackSocket({
    ports: createTransportPorts(ctx, 'unused'),
    log,
    appToken,
    apiUrl: slack.apiUrl,
  });
  await waitFor(() => runner.isConnected() && slack.socketConnections() === 1, {
    what: 'socket mode connected',
    timeoutMs: 10_000,
  });
}, 60_000);

afterAll(async () => {
  await runner?.close();
  await slack?.close();
  await db?.$disconnect();
  await database?.drop();
});

describe('Slack Socket Mode runner', () => {
  it('stores an events_api envelope for the connection of its channel, enqueues it, and acks it', async () => {
    const { deliveries, eventId } = await slack.operatorWrites({
      channel,
      thread_ts: '1764000000.000100',
      text: 'hello over the socket',
      user: slack.addUser({ teamId, name: 'sarah' }).id,
    });
    // The fake resolves a socket delivery once the client acked its envelope_id.
    expect(deliveries[0]).toMatchObject({ status: 'socket', body: '' });
    const row = await db.inboundEvent.findFirstOrThrow({
      where: { organizationId, connectionId, externalId: eventId },
    });
    expect(row.payload).toMatchObject({ type: 'event_callback', event: { text: 'hello over the socket', channel } });
    expect(enqueued).toContainEqual({ organizationId, inboundEventId: row.id });
    expect(slack.callsOf('apps.connections.open')).toHaveLength(1);
  });

  it('a redelivered envelope (same event_id, retry_attempt > 0) stores nothing new', async () => {
    const user = slack.addUser({ teamId, name: 'olivia' }).id;
    const { eventId } = await slack.operatorWrites({
      channel,
      thread_ts: '1764000000.000100',
      text: 'twice',
      user,
      retries: 2,
    });
    await runner.idle();
    expect(await db.inboundEvent.count({ where: { connectionId, externalId: eventId } })).toBe(1);
    expect(runner.stats.duplicates).toBeGreaterThanOrEqual(2);
  });

  it('acknowledges events of channels nobody connected without storing them', async () => {
    const other = slack.addChannel({ teamId, name: 'random' }).id;
    const before = await db.inboundEvent.count();
    const { deliveries } = await slack.operatorWrites({
      channel: other,
      thread_ts: '1.000001',
      text: 'not ours',
      user: 'U0NOBODY',
    });
    expect(deliveries[0]).toMatchObject({ status: 'socket', body: '' });
    expect(await db.inboundEvent.count()).toBe(before);
  });

  it('app_uninstalled / tokens_revoked (no channel) are stored for the connections of the team', async () => {
    const deliveries = await slack.uninstallApp(teamId);
    expect(deliveries.map((d) => d.status)).toEqual(['socket', 'socket']);
    await runner.idle();
    const rows = await db.inboundEvent.findMany({
      where: { organizationId, connectionId, externalId: { in: deliveries.map((d) => d.eventId) } },
    });
    expect(rows.map((r) => (r.payload as { event: { type: string } }).event.type).sort()).toEqual([
      'app_uninstalled',
      'tokens_revoked',
    ]);
    for (const r of rows) expect(enqueued).toContainEqual({ organizationId, inboundEventId: r.id });
  });
});
