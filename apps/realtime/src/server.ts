import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { createVisitorPorts } from '@pocketping/conversations';
import { clientIp, rateLimitAddress, type TKeyRing, type TLogger } from '@pocketping/core';
import { answerMetrics, createMetrics } from '@pocketping/core/metrics';
import { Gauge } from 'prom-client';
import {
  checkReadiness,
  createDb,
  createLimitsStore,
  createSqlPool,
  getMedianFirstResponseMinutes,
  wantsVisitorFollowUp,
  listProjectNames,
} from '@pocketping/db';
import { createLimits } from '@pocketping/billing';
import {
  DASHBOARD_NAMESPACE,
  createProducer,
  createRedis,
  createVisitorConnections,
  createTranscriptJobs,
  createVisitorJobs,
  createWidgetPush,
  socketIoKey,
  type TRedisConfig,
} from '@pocketping/jobs';
import { UPLOAD_LIMITS, WIDGET_BOOT_PATH, WIDGET_NAMESPACE } from '@pocketping/protocol';
import { createFileUrlSigner, type TStorage, type TStorageQuotaFor } from '@pocketping/storage';
import type { TRealtimeContext } from './context.js';
import { createBootRoute } from './http/boot-route.js';
import { createFilesRoute } from './http/files-route.js';
import { sendJson } from './http/respond.js';
import { createUploadRoute } from './http/upload-route.js';
import { createInFlight } from './in-flight.js';
import { createPresenceWatcher } from './presence/presence-watcher.js';
import { createRateLimiter } from './rate-limit.js';
import { createWidgetStatic } from './static-widget.js';
import { startOrphanUploadSweeper } from './uploads/orphan-uploads.js';
import { authenticateWidget, createProjectCache, refuse } from './widget/authenticate.js';
import { createVisitorFollowUp, createFollowUpGate } from './widget/visitor-follow-up.js';
import { createInstallationRecorder } from './widget/record-installation.js';
import type { TWidgetSocket } from './widget/handle.js';
import { registerWidgetHandlers } from './widget/handlers.js';
import { startWidgetSession } from './widget/session.js';
import { dashboardPushOf, registerDashboardNamespace } from './dashboard/register-dashboard.js';
import { signMessage } from './widget/sign-message.js';
import { openVisitorConversation } from './widget/conversation-start.js';

/**
 * Transport handshakes per minute from one address, whatever namespace follows: twice the widget's per-address
 * connection limit (a widget connection is one handshake) and at least the dashboard's, so it only bites clients
 * that never get as far as a namespace.
 */
const transportHandshakesPerIp = (perIp: number) => Math.max(240, 2 * perIp);

export interface TRealtimeDeps {
  databaseUrl: string;
  redis: TRedisConfig;
  port: number;
  host?: string;
  widgetDistDir: string;
  cacheWidget?: boolean;
  keyRing: TKeyRing;
  /** Public base URL of this service: signed file URLs are built on it. */
  publicUrl: string;
  storage: TStorage;
  /** Attachment bytes an organization may store; default: its plan's (`storageBytes`). */
  storageQuotaFor?: TStorageQuotaFor;
  fileUrlTtlSeconds?: number;
  visitorLeftDelayMs?: number;
  presenceCheckMs?: number;
  uploadMaxBytes?: number;
  /** Bearer token for GET /metrics; unset = no metrics endpoint. */
  metricsToken?: string;
  /** The build's prisma/migrations folder for GET /ready (default: the repository's, next to the app). */
  migrationsDir?: string;
  /** Project lookups (and the project's AI on/off) are cached this long (ms); tests that change a project mid-way set 0. */
  projectCacheMs?: number;
  dbPoolSize?: number;
  connectionLimits?: { perIp: number; perProject: number; perVisitor?: number };
  /** Multiplies every per-event rate limit (WIDGET_EVENT_LIMIT_SCALE); only load tests change it. */
  eventLimitScale?: number;
  /** Trusted reverse proxies in front of this service (TRUST_PROXY_HOPS): X-Forwarded-For is read only when > 0. */
  trustProxyHops?: number;
  /** The periodic removal of uploads never attached to a message; intervalMs 0 (or absent) = off. */
  orphanUploads?: { intervalMs: number; olderThanMs: number };
  /** AUTH_SECRET shared with the web app: verifies dashboard tokens. Without it `/dashboard` refuses every connection. */
  authSecret?: string | undefined;
  log: TLogger;
}

export interface TRealtimeServer {
  port: number;
  io: Server;
  ctx: TRealtimeContext;
  /**
   * The first half of a graceful shutdown: stops accepting connections, closes every client's transport — not a
   * Socket.IO "disconnect", which clients take as final — so widgets and dashboards reconnect at once (through the
   * load balancer, to another node) and ask for what they missed by seq; then waits up to `graceMs` for the widget
   * events and attachment uploads already being handled. Resolves true when none was left. `close()` follows.
   */
  drain(graceMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export async function startRealtimeServer(deps: TRealtimeDeps): Promise<TRealtimeServer> {
  const db = createDb(deps.databaseUrl, { poolSize: deps.dbPoolSize ?? 10 });
  const sql = createSqlPool(deps.databaseUrl, {
    poolSize: deps.dbPoolSize ?? 10,
    onError: (err) => deps.log.warn({ err: err.message }, 'postgres pool error'),
  });
  const producer = createProducer(deps.redis);
  const pub = createRedis(deps.redis, 'pubsub');
  const sub = pub.duplicate();
  const redis = createRedis(deps.redis, 'producer');
  const queueRedis = createRedis(deps.redis, 'producer');
  for (const r of [pub, sub, redis, queueRedis])
    r.on('error', (err: Error) => deps.log.warn({ err: err.message }, 'redis connection error'));
  const limiter = createRateLimiter(redis, `${deps.redis.prefix}:rl`, { scale: deps.eventLimitScale ?? 1 });
  const serveWidget = createWidgetStatic(deps.widgetDistDir, { cache: deps.cacheWidget ?? false });
  const handshakesPerIp = transportHandshakesPerIp(deps.connectionLimits?.perIp ?? 60);
  const nodeId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const inFlight = createInFlight();
  let draining = false;

  const io = new Server({
    // The transport accepts any origin; the widget middleware then checks the Origin against the project's
    // allowlist, which is per tenant and so cannot be a static CORS list.
    cors: { origin: true, credentials: false },
    maxHttpBufferSize: 64 * 1024,
    pingInterval: 25_000,
    pingTimeout: 20_000,
    connectionStateRecovery: undefined,
    serveClient: false,
    // Idle sockets are most of the load: skip per-message deflate (memory per socket) and the HTTP long-polling
    // upgrade buffers stay small.
    perMessageDeflate: false,
    httpCompression: false,
    // A transport connection that joins no namespace is closed after this long (Socket.IO's default is 45 s).
    connectTimeout: 10_000,
    // Every transport handshake, before any namespace, counts against the client address (IPv6 by /64): without
    // it, connections that never authenticate anywhere would be free.
    allowRequest: (req, done) => {
      // A draining node takes no one new (a kept-alive HTTP connection could still ask): the client tries again.
      if (draining) return done('Server is shutting down', false);
      const ip = rateLimitAddress(
        clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], deps.trustProxyHops ?? 0),
      );
      limiter.hit(`eio:ip:${ip}`, handshakesPerIp, 60).then(
        (ok) => done(ok ? null : 'Too many connections from this address', ok),
        () => done(null, true),
      );
    },
  });
  io.adapter(createAdapter(pub, sub, { key: socketIoKey(deps.redis) }));
  // The root namespace serves nobody: the widget and the dashboard have their own, each with its tenant wrapper.
  io.use((_socket, next) => next(refuse('forbidden', `Connect to ${WIDGET_NAMESPACE} or /dashboard`)));
  const widget = io.of(WIDGET_NAMESPACE);
  const metrics = createMetrics('realtime', deps.metricsToken);
  new Gauge({
    name: 'pocketping_sockets',
    help: 'Socket.IO clients connected to this realtime node, by namespace',
    labelNames: ['namespace'],
    registers: [metrics.registry],
    collect() {
      this.set({ namespace: WIDGET_NAMESPACE }, widget.sockets.size);
      this.set({ namespace: DASHBOARD_NAMESPACE }, io.of(DASHBOARD_NAMESPACE).sockets.size);
    },
  });

  const connections = createVisitorConnections(redis, deps.redis.prefix, nodeId);
  const push = createWidgetPush(widget);
  const signer = createFileUrlSigner(deps.keyRing, {
    baseUrl: deps.publicUrl,
    ttlSeconds: deps.fileUrlTtlSeconds ?? 3600,
  });
  const limits = createLimits({ store: createLimitsStore(db), redis, prefix: deps.redis.prefix });
  const visitorJobs = createVisitorJobs(queueRedis, deps.redis);
  const transcripts = createTranscriptJobs(queueRedis, deps.redis);
  const ctx: TRealtimeContext = {
    db,
    sql,
    redis,
    redisPrefix: deps.redis.prefix,
    producer,
    limiter,
    log: deps.log,
    widget,
    push,
    actions: createVisitorPorts({
      db,
      sql,
      redis,
      redisPrefix: deps.redis.prefix,
      widget: push,
      dashboard: dashboardPushOf(io),
      producer,
      log: deps.log,
      signFiles: (organizationId, message) => signMessage(signer, organizationId, message),
      startConversation: (scope) => openVisitorConversation({ sql, limits, widget, log: deps.log }, scope),
      visitorMessagePosted: createVisitorFollowUp({
        wanted: createFollowUpGate((o, p) => wantsVisitorFollowUp(db, o, p), deps.projectCacheMs ?? 5_000),
        visitorJobs,
      }),
    }),
    keyRing: deps.keyRing,
    signer,
    storage: deps.storage,
    storageQuotaFor: deps.storageQuotaFor ?? limits.storageQuotaFor,
    limits,
    connections,
    visitorJobs,
    transcripts,
    visitorLeftDelayMs: deps.visitorLeftDelayMs ?? 60_000,
    presence: createPresenceWatcher({
      redis,
      prefix: deps.redis.prefix,
      widget,
      intervalMs: deps.presenceCheckMs ?? 15_000,
      log: deps.log,
      // "Replies in about N minutes" from the team's real first responses (the setting until there are enough).
      measuredReplyTime: (organizationId, projectId) => getMedianFirstResponseMinutes(db, organizationId, projectId),
    }),
    projectByKey: createProjectCache(db, deps.projectCacheMs ?? 5_000),
    inFlight,
    trustProxyHops: deps.trustProxyHops ?? 0,
  };
  // This connection fails fast instead of queueing while Redis is away (limits, tracking); wait for it once at
  // start so the node's heartbeat is in place before the first socket is counted.
  await waitUntilReady(redis, 5_000);
  await connections
    .heartbeat()
    .catch((err: unknown) =>
      deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'node heartbeat failed'),
    );
  const heartbeat = setInterval(() => void connections.heartbeat().catch(() => undefined), 10_000);
  heartbeat.unref();
  const orphanSweeper =
    deps.orphanUploads && deps.orphanUploads.intervalMs > 0
      ? startOrphanUploadSweeper({ sql, storage: deps.storage, log: deps.log }, deps.orphanUploads)
      : null;

  const upload = createUploadRoute(ctx, deps.uploadMaxBytes ?? UPLOAD_LIMITS.maxBytes);
  // One recorder for the handshake and the loader's boot call: at most one write per project and minute per node.
  const recordInstallation = createInstallationRecorder(db, deps.log);
  const boot = createBootRoute(ctx, recordInstallation);
  const files = createFilesRoute(ctx);
  const migrationsDir = deps.migrationsDir ?? fileURLToPath(new URL('../../../prisma/migrations/', import.meta.url));
  const http = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (path === '/health') {
        sendJson(res, 200, { ok: true });
        return;
      }
      if (path === '/metrics') {
        const answer = await answerMetrics(metrics, req.headers.authorization);
        res.writeHead(answer.status, answer.headers).end(answer.body);
        return;
      }
      if (path === '/ready') {
        const ready = await checkReadiness({ db, pingRedis: () => redis.ping(), migrationsDir });
        sendJson(res, ready.ok ? 200 : 503, ready);
        return;
      }
      // Counted like a widget event: a draining node lets an upload in progress finish (within the grace period).
      if (path === '/widget/uploads') return inFlight.run(() => upload(req, res));
      if (path === WIDGET_BOOT_PATH) return boot(req, res);
      const file = /^\/widget\/files\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(path);
      if (file) return files(req, res, file[1]!);
      if (await serveWidget(req, res)) return;
      sendJson(res, 404, { error: { code: 'not_found', message: 'Not found' } });
    })().catch((err: unknown) => {
      deps.log.error({ err }, 'http handler failed');
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  io.attach(http);

  widget.use(
    authenticateWidget({
      db,
      limiter,
      log: deps.log,
      recordInstallation,
      projectByKey: ctx.projectByKey,
      trustProxyHops: ctx.trustProxyHops,
      ...(deps.connectionLimits ? { connectionLimits: deps.connectionLimits } : {}),
    }),
  );
  widget.on('connection', (socket) => {
    const s = socket as TWidgetSocket;
    startWidgetSession(s, ctx);
    registerWidgetHandlers(s, ctx);
  });
  registerDashboardNamespace(io, {
    db,
    authSecret: deps.authSecret,
    limiter,
    log: deps.log,
    trustProxyHops: ctx.trustProxyHops,
    // A member with the dashboard open counts as an operator present for every project of the organization.
    async operatorPresent(organizationId) {
      for (const p of await listProjectNames(db, organizationId))
        await ctx.actions.operatorActive({ organizationId, projectId: p.id });
    },
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(deps.port, deps.host ?? '0.0.0.0', () => resolve());
  });
  const port = (http.address() as AddressInfo).port;

  return {
    port,
    io,
    ctx,
    async drain(graceMs) {
      draining = true;
      const deadline = Date.now() + graceMs;
      // No new connections: the listener closes (kept-alive HTTP connections once idle), the node's probes stop
      // answering, and a client's next attempt goes to another node.
      http.close();
      http.closeIdleConnections();
      const clients = [...widget.sockets.values(), ...io.of(DASHBOARD_NAMESPACE).sockets.values()];
      for (const socket of clients) socket.conn.close();
      deps.log.info({ sockets: clients.length, inFlight: inFlight.count() }, 'draining: clients told to reconnect');
      const idle = await inFlight.idle(deadline - Date.now());
      if (!idle) deps.log.warn({ inFlight: inFlight.count() }, 'draining: events still in flight at the bound');
      return idle;
    },
    async close() {
      ctx.presence.stop();
      clearInterval(heartbeat);
      orphanSweeper?.stop();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      // Disconnect handlers (visitor-left scheduling) run on the way out; give them a moment before Redis goes.
      await new Promise((r) => setTimeout(r, 200));
      await connections.stop().catch(() => undefined);
      await ctx.visitorJobs.close();
      await ctx.transcripts.close();
      await producer.close();
      pub.disconnect();
      sub.disconnect();
      redis.disconnect();
      queueRedis.disconnect();
      await db.$disconnect();
      await sql.end();
    },
  };
}

function waitUntilReady(
  redis: { status: string; once(event: 'ready', fn: () => void): unknown },
  timeoutMs: number,
): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, timeoutMs); // start anyway: a Redis outage must not keep the service down
    redis.once('ready', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
