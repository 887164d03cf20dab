// Shared set-up of the realtime protocol tests: a fresh database, a private Redis prefix, the realtime server
// in-process (the real one: Socket.IO, Redis adapter, HTTP routes), and visitors on the OFFICIAL socket.io-client.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { createLogger, encryptSecret, parseKeyRing, type TKeyRing } from '@pocketping/core';
import { bootstrapTenant, createDb, setProjectIdentitySecret, type TDb } from '@pocketping/db';
import { createRedis, type TRedisConfig } from '@pocketping/jobs';
import type { TMessage, TSessionEvent } from '@pocketping/protocol';
import { createLocalStorage } from '@pocketping/storage';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  freePort,
  testEncryptionKey,
  uniqueRedisPrefix,
  type TTestDatabase,
} from '@pocketping/testkit';
import { startRealtimeServer, type TRealtimeDeps, type TRealtimeServer } from '../../apps/realtime/src/server.js';
import { createWidgetSignals, type TWidgetSignals } from '../../apps/worker/src/visitor/widget-signals.js';
import type { Redis } from 'ioredis';
import { DASHBOARD_NAMESPACE, createDashboardPush, createProducer, socketIoKey } from '@pocketping/jobs';
import { Emitter } from '@socket.io/redis-emitter';
import { createConversationPorts, type TConversationPorts } from '@pocketping/conversations';

export interface TTenant {
  organizationId: string;
  projectId: string;
  projectKey: string;
  origin: string;
  connectionId: string | null;
}

export interface THarness {
  database: TTestDatabase;
  db: TDb;
  redisConfig: TRedisConfig;
  redis: Redis;
  encryptionKey: string;
  keyRing: TKeyRing;
  server: TRealtimeServer;
  url: string;
  storageDir: string;
  /** The conversation actions' ports wired like the worker's (pushes through the Redis adapter). */
  conversations: TConversationPorts;
  signals: TWidgetSignals;
  tenant(opts?: {
    settings?: Record<string, unknown>;
    identitySecret?: string;
    withBridge?: boolean;
  }): Promise<TTenant>;
  close(): Promise<void>;
}

export async function startHarness(
  opts: Partial<
    Pick<
      TRealtimeDeps,
      | 'visitorLeftDelayMs'
      | 'presenceCheckMs'
      | 'uploadMaxBytes'
      | 'trustProxyHops'
      | 'connectionLimits'
      | 'orphanUploads'
      | 'widgetDistDir'
      | 'storageQuotaFor'
    >
  > = {},
): Promise<THarness> {
  const database = await createTestDatabase('pp_rt');
  const db = createDb(database.url, { poolSize: 5 });
  const redisConfig = { url: TEST_REDIS_URL, prefix: uniqueRedisPrefix() };
  const encryptionKey = testEncryptionKey();
  const keyRing = parseKeyRing(encryptionKey);
  const storageDir = await mkdtemp(path.join(tmpdir(), 'pp-rt-files-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startRealtimeServer({
    databaseUrl: database.url,
    redis: redisConfig,
    port,
    host: '127.0.0.1',
    widgetDistDir: storageDir,
    keyRing,
    publicUrl: url,
    storage: createLocalStorage(storageDir),
    projectCacheMs: 0,
    log: createLogger('realtime-test', 'silent'),
    ...opts,
  });
  const redis = createRedis(redisConfig.url, 'worker');
  const signals = createWidgetSignals({ db, redis, redisConfig, log: createLogger('signals-test', 'silent') });
  const producer = createProducer(redisConfig);
  const conversations = createConversationPorts({
    db,
    redis,
    redisPrefix: redisConfig.prefix,
    widget: signals.push,
    producer,
    log: createLogger('conversations-test', 'silent'),
    dashboard: createDashboardPush(new Emitter(redis, { key: socketIoKey(redisConfig) }).of(DASHBOARD_NAMESPACE)),
  });
  let n = 0;
  return {
    database,
    db,
    redisConfig,
    redis,
    encryptionKey,
    keyRing,
    server,
    url,
    storageDir,
    conversations,
    signals,
    async tenant(t = {}) {
      n += 1;
      const origin = `https://site-${n}-${randomBytes(3).toString('hex')}.test`;
      const r = await bootstrapTenant(db, keyRing, {
        email: `owner${n}-${randomBytes(3).toString('hex')}@rt.test`,
        orgName: `Tenant ${n}`,
        allowedOrigins: [origin],
        ...(t.withBridge
          ? { telegram: { botToken: `1${n}:${randomBytes(20).toString('base64url')}`, chatId: '-100123' } }
          : {}),
      });
      if (t.settings)
        await db.project.update({ where: { id: r.project.id }, data: { settings: t.settings as object } });
      if (t.identitySecret)
        await setProjectIdentitySecret(db, r.organization.id, r.project.id, encryptSecret(keyRing, t.identitySecret));
      return {
        organizationId: r.organization.id,
        projectId: r.project.id,
        projectKey: r.project.publicKey,
        origin,
        connectionId: r.telegram?.connection.id ?? null,
      };
    },
    async close() {
      await server.close();
      await producer.close();
      redis.disconnect();
      await db.$disconnect();
      await database.drop();
      await rm(storageDir, { recursive: true, force: true });
    },
  };
}

export interface TWidgetClient {
  socket: Socket;
  session: TSessionEvent;
  /** Every server → widget event, in arrival order. */
  events: { event: string; payload: unknown }[];
  messages(): TMessage[];
  ack<T = unknown>(event: string, payload: unknown): Promise<T>;
  close(): void;
}

/** A visitor tab on the official socket.io-client (websocket only, no automatic reconnection: tests drive it). */
export async function connectWidget(
  url: string,
  opts: {
    projectKey: string;
    origin: string;
    visitorToken?: string;
    headers?: Record<string, string>;
    auth?: Record<string, unknown>;
  },
): Promise<TWidgetClient> {
  const socket = io(`${url}/widget`, {
    auth: {
      projectKey: opts.projectKey,
      ...(opts.visitorToken ? { visitorToken: opts.visitorToken } : {}),
      ...opts.auth,
    },
    extraHeaders: { ...opts.headers, origin: opts.origin },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const events: { event: string; payload: unknown }[] = [];
  socket.onAny((event: string, payload: unknown) => events.push({ event, payload }));
  const session = await new Promise<TSessionEvent>((resolve, reject) => {
    socket.once('session', resolve);
    socket.once('connect_error', (err: Error & { data?: unknown }) =>
      reject(Object.assign(new Error(err.message), { data: err.data })),
    );
  });
  return {
    socket,
    session,
    events,
    messages: () => events.filter((e) => e.event === 'message').map((e) => e.payload as TMessage),
    ack: <T>(event: string, payload: unknown) => socket.timeout(10_000).emitWithAck(event, payload) as Promise<T>,
    close: () => void socket.close(),
  };
}

export const clientId = () => `c_${randomBytes(8).toString('hex')}`;
