// The dashboard namespace against the real realtime server and the OFFICIAL socket.io-client: a member receives the
// inbox events of their organization (from a widget send, from the worker's emitter, from the web app's relay), a
// member of another organization receives none of them, and forged / expired / foreign tokens are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { Emitter } from '@socket.io/redis-emitter';
import { createLogger, parseKeyRing } from '@pocketping/core';
import { appendMessage, bootstrapTenant, createDb, type TDb } from '@pocketping/db';
import {
  DASHBOARD_NAMESPACE,
  createDashboardPush,
  createRedis,
  createRelayEmitter,
  signDashboardToken,
  socketIoKey,
  type TDashboardEvent,
} from '@pocketping/jobs';
import type { TMessage, TSendAck } from '@pocketping/protocol';
import { createLocalStorage } from '@pocketping/storage';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  freePort,
  testEncryptionKey,
  uniqueRedisPrefix,
  waitFor,
  type TTestDatabase,
} from '@pocketping/testkit';
import { startRealtimeServer, type TRealtimeServer } from '../../apps/realtime/src/server.js';
import { clientId, connectWidget } from './realtime-harness.js';

const AUTH_SECRET = `dash-secret-${randomBytes(16).toString('hex')}`;
const redisConfig = { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() };
const keyRing = parseKeyRing(testEncryptionKey());
let database: TTestDatabase;
let db: TDb;
let server: TRealtimeServer;
let url: string;
let dir: string;
const redis = createRedis(TEST_REDIS_URL, 'worker');

beforeAll(async () => {
  database = await createTestDatabase('pp_rtdash');
  db = createDb(database.url, { poolSize: 3 });
  dir = await mkdtemp(path.join(tmpdir(), 'pp-rtdash-'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  server = await startRealtimeServer({
    databaseUrl: database.url,
    redis: redisConfig,
    port,
    host: '127.0.0.1',
    widgetDistDir: dir,
    keyRing,
    publicUrl: url,
    storage: createLocalStorage(dir),
    projectCacheMs: 0,
    authSecret: AUTH_SECRET,
    log: createLogger('realtime-dashboard-test', 'silent'),
  });
});
afterAll(async () => {
  await server?.close();
  redis.disconnect();
  await db?.$disconnect();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function tenant() {
  n += 1;
  const origin = `https://dash-${n}-${randomBytes(3).toString('hex')}.test`;
  const t = await bootstrapTenant(db, keyRing, {
    email: `owner${n}-${randomBytes(3).toString('hex')}@dash.test`,
    orgName: `Dash ${n}`,
    allowedOrigins: [origin],
  });
  return {
    userId: t.userId,
    organizationId: t.organization.id,
    projectId: t.project.id,
    projectKey: t.project.publicKey,
    origin,
  };
}

interface TDashClient {
  socket: Socket;
  events: TDashboardEvent[];
  close(): void;
}

function connectDashboard(token: string): Promise<TDashClient> {
  const socket = io(`${url}${DASHBOARD_NAMESPACE}`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const events: TDashboardEvent[] = [];
  socket.on('inbox', (e: TDashboardEvent) => events.push(e));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve({ socket, events, close: () => void socket.close() }));
    socket.once('connect_error', (err: Error & { data?: { code?: string } }) => {
      socket.close();
      reject(Object.assign(new Error(err.message), { code: err.data?.code }));
    });
  });
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'connected',
    (err: { code?: string }) => err.code ?? 'no code',
  );

describe('realtime /dashboard namespace', () => {
  it("typing both ways: the visitor's reaches their organization's dashboards, an operator's reaches the widget only for a conversation of their organization", async () => {
    const a = await tenant();
    const b = await tenant();
    const memberA = await connectDashboard(
      signDashboardToken(AUTH_SECRET, { userId: a.userId, organizationId: a.organizationId }).token,
    );
    const memberB = await connectDashboard(
      signDashboardToken(AUTH_SECRET, { userId: b.userId, organizationId: b.organizationId }).token,
    );
    try {
      const visitor = await connectWidget(url, { projectKey: a.projectKey, origin: a.origin });
      const sent = await visitor.ack<TSendAck>('message:send', { clientId: clientId(), body: 'typing test' });
      if (!sent.ok) throw new Error('send failed');
      const conversationId = sent.message.conversationId;
      expect(await visitor.ack('typing:update', { isTyping: true })).toEqual({ ok: true });
      const typingEvent = await waitFor(() => memberA.events.find((e) => e.type === 'typing'), {
        what: 'visitor typing at the dashboard',
        timeoutMs: 5_000,
      });
      expect(typingEvent).toEqual({
        type: 'typing',
        organizationId: a.organizationId,
        projectId: a.projectId,
        conversationId,
        isTyping: true,
      });

      const typingAck = (client: TDashClient, payload: unknown) =>
        client.socket.timeout(5_000).emitWithAck('typing', payload) as Promise<{
          ok: boolean;
          error?: { code: string };
        }>;
      expect(await typingAck(memberA, { conversationId, isTyping: true })).toEqual({ ok: true });
      await waitFor(() => visitor.events.find((e) => e.event === 'typing'), {
        what: 'operator typing',
        timeoutMs: 5_000,
      });
      expect(visitor.events.find((e) => e.event === 'typing')?.payload).toMatchObject({
        sender: 'operator',
        isTyping: true,
      });
      // Another organization's member names A's conversation: refused like an unknown id, nothing reaches the widget.
      const before = visitor.events.filter((e) => e.event === 'typing').length;
      expect(await typingAck(memberB, { conversationId, isTyping: true })).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });
      expect(await typingAck(memberA, { conversationId, isTyping: 'yes', extra: 1 })).toMatchObject({
        ok: false,
        error: { code: 'bad_request' },
      });
      // A's next event arrives alone: the refused ones (emitted earlier, had they been) never came.
      expect(await typingAck(memberA, { conversationId, isTyping: false })).toEqual({ ok: true });
      await waitFor(() => visitor.events.filter((e) => e.event === 'typing').length > before, {
        what: 'operator stopped typing',
        timeoutMs: 5_000,
      });
      expect(visitor.events.filter((e) => e.event === 'typing').slice(before)).toEqual([
        { event: 'typing', payload: { sender: 'operator', authorName: expect.any(String), isTyping: false } },
      ]);
      expect(memberB.events.some((e) => e.type === 'typing')).toBe(false);
      visitor.socket.close();
    } finally {
      memberA.close();
      memberB.close();
    }
  });

  it("delivers an organization's events to its members only, from realtime, the worker and the web relay", async () => {
    const a = await tenant();
    const b = await tenant();
    const memberA = await connectDashboard(
      signDashboardToken(AUTH_SECRET, { userId: a.userId, organizationId: a.organizationId }).token,
    );
    const memberB = await connectDashboard(
      signDashboardToken(AUTH_SECRET, { userId: b.userId, organizationId: b.organizationId }).token,
    );
    try {
      // 1. A visitor of A writes through the widget: realtime pushes to A's room.
      const visitor = await connectWidget(url, { projectKey: a.projectKey, origin: a.origin });
      const sent = await visitor.ack<TSendAck>('message:send', { clientId: clientId(), body: 'hello team' });
      if (!sent.ok) throw new Error('send failed');
      const conversationId = sent.message.conversationId;
      await waitFor(
        () =>
          memberA.events.find(
            (e) => e.type === 'message' && e.conversationId === conversationId && e.sender === 'visitor',
          ),
        { what: 'widget message event', timeoutMs: 5_000 },
      );
      expect(memberA.events.filter((e) => e.type !== 'visitor').slice(0, 2)).toEqual([
        {
          type: 'conversation',
          organizationId: a.organizationId,
          projectId: a.projectId,
          conversationId,
          change: 'opened',
        },
        {
          type: 'message',
          organizationId: a.organizationId,
          projectId: a.projectId,
          conversationId,
          seq: 1,
          change: 'created',
          sender: 'visitor',
        },
      ]);

      // 2. The worker's emitter (bridge reply / command), internal notes included.
      createDashboardPush(new Emitter(redis, { key: socketIoKey(redisConfig) }).of(DASHBOARD_NAMESPACE)).event({
        type: 'message',
        organizationId: a.organizationId,
        projectId: a.projectId,
        conversationId,
        seq: 2,
        change: 'created',
        sender: 'operator',
        visibility: 'internal',
      });
      await waitFor(
        () => memberA.events.find((e) => e.type === 'message' && e.seq === 2 && e.visibility === 'internal'),
        { what: 'worker event', timeoutMs: 5_000 },
      );

      // 3. The web app's relay: a dashboard event and a widget message, each delivered once.
      createDashboardPush(createRelayEmitter(redis, socketIoKey(redisConfig), DASHBOARD_NAMESPACE)).event({
        type: 'conversation',
        organizationId: a.organizationId,
        projectId: a.projectId,
        conversationId,
        change: 'closed',
      });
      await waitFor(() => memberA.events.find((e) => e.type === 'conversation' && e.change === 'closed'), {
        what: 'relayed event',
        timeoutMs: 5_000,
      });
      const reply = await appendMessage(db, a.organizationId, {
        conversationId,
        sender: 'operator',
        authorName: 'Web op',
        body: 'from the dashboard',
        source: 'web',
      });
      createRelayEmitter(redis, socketIoKey(redisConfig), '/widget')
        .to(`conv:${conversationId}`)
        .emit('message', reply.message);
      await waitFor(() => visitor.messages().find((m: TMessage) => m.body === 'from the dashboard'), {
        what: 'relayed widget message',
        timeoutMs: 5_000,
      });

      await new Promise((r) => setTimeout(r, 300));
      expect(memberA.events.filter((e) => e.type === 'conversation' && e.change === 'closed')).toHaveLength(1);
      expect(visitor.messages().filter((m) => m.body === 'from the dashboard')).toHaveLength(1);
      // B saw nothing of A.
      expect(memberB.events).toEqual([]);
      visitor.close();
    } finally {
      memberA.close();
      memberB.close();
    }
  });

  it("a member with the dashboard open shows the team online to their organization's widgets, not to another's", async () => {
    const a = await tenant();
    const b = await tenant();
    const visitorA = await connectWidget(url, { projectKey: a.projectKey, origin: a.origin });
    const visitorB = await connectWidget(url, { projectKey: b.projectKey, origin: b.origin });
    const presence = (c: typeof visitorA) =>
      c.events.filter((e) => e.event === 'presence').map((e) => (e.payload as { status: string }).status);
    await waitFor(() => presence(visitorA).length > 0 && presence(visitorB).length > 0, { what: 'first presence' });
    expect(presence(visitorA)).toEqual(['away']);
    const member = await connectDashboard(
      signDashboardToken(AUTH_SECRET, { userId: a.userId, organizationId: a.organizationId }).token,
    );
    try {
      await waitFor(() => presence(visitorA).at(-1) === 'online', { what: 'online after the dashboard opened' });
      // A tab opened now sees it at once; the other organization's widget stays away.
      const later = await connectWidget(url, { projectKey: a.projectKey, origin: a.origin });
      await waitFor(() => presence(later).length > 0, { what: 'presence of a new tab' });
      expect(presence(later)).toEqual(['online']);
      expect(presence(visitorB)).toEqual(['away']);
      later.close();
    } finally {
      member.close();
      visitorA.close();
      visitorB.close();
    }
  });

  it("tells the organization's dashboards when a visitor comes online and when their last tab closes", async () => {
    const a = await tenant();
    const b = await tenant();
    const memberA = await connectDashboard(
      signDashboardToken(AUTH_SECRET, { userId: a.userId, organizationId: a.organizationId }).token,
    );
    const memberB = await connectDashboard(
      signDashboardToken(AUTH_SECRET, { userId: b.userId, organizationId: b.organizationId }).token,
    );
    try {
      const first = await connectWidget(url, { projectKey: a.projectKey, origin: a.origin });
      const online = await waitFor(() => memberA.events.find((e) => e.type === 'visitor' && e.online), {
        what: 'visitor online event',
        timeoutMs: 5_000,
      });
      expect(online).toMatchObject({
        type: 'visitor',
        organizationId: a.organizationId,
        projectId: a.projectId,
        online: true,
      });
      const visitorId = (online as { visitorId: string }).visitorId;
      // A second tab of the same visitor, then the first closes: still online, so no offline event.
      const second = await connectWidget(url, {
        projectKey: a.projectKey,
        origin: a.origin,
        visitorToken: first.session.visitorToken!,
      });
      first.close();
      await new Promise((r) => setTimeout(r, 400));
      expect(memberA.events.filter((e) => e.type === 'visitor' && !e.online)).toEqual([]);
      second.close();
      await waitFor(() => memberA.events.find((e) => e.type === 'visitor' && !e.online), {
        what: 'visitor offline event',
        timeoutMs: 5_000,
      });
      expect(memberA.events.filter((e) => e.type === 'visitor' && !e.online)).toEqual([
        { type: 'visitor', organizationId: a.organizationId, projectId: a.projectId, visitorId, online: false },
      ]);
      expect(memberB.events).toEqual([]);
    } finally {
      memberA.close();
      memberB.close();
    }
  });

  it('refuses forged, tampered, expired and foreign tokens, and non-members', async () => {
    const a = await tenant();
    const b = await tenant();
    const good = signDashboardToken(AUTH_SECRET, { userId: a.userId, organizationId: a.organizationId }).token;
    expect(await refusal(connectDashboard('not-a-token'))).toBe('unauthorized');
    expect(
      await refusal(
        connectDashboard(
          signDashboardToken('another-secret-0123456789abcdef0123456789', {
            userId: a.userId,
            organizationId: a.organizationId,
          }).token,
        ),
      ),
    ).toBe('unauthorized');
    // Same signature, another organization in the payload.
    const [, sig] = good.split('.');
    const tampered = `${Buffer.from(JSON.stringify({ u: a.userId, o: b.organizationId, exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url')}.${sig}`;
    expect(await refusal(connectDashboard(tampered))).toBe('unauthorized');
    expect(
      await refusal(
        connectDashboard(
          signDashboardToken(
            AUTH_SECRET,
            { userId: a.userId, organizationId: a.organizationId },
            { nowMs: Date.now() - 10 * 60_000 },
          ).token,
        ),
      ),
    ).toBe('unauthorized');
    // A correctly signed token for an organization the user is not (or no longer) a member of.
    expect(
      await refusal(
        connectDashboard(signDashboardToken(AUTH_SECRET, { userId: a.userId, organizationId: b.organizationId }).token),
      ),
    ).toBe('forbidden');
    expect(await refusal(connectDashboard(good))).toBe('connected');
  });
});
