import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { TLogger } from '@pocketping/core';
import { createDb } from '@pocketping/db';
import { createProducer, createRedis, socketIoKey, type TRedisConfig } from '@pocketping/jobs';
import { WIDGET_NAMESPACE } from '@pocketping/protocol';
import { createWidgetStatic } from './static-widget.js';
import { createRateLimiter } from './rate-limit.js';
import { authenticateWidget, type TWidgetSocketData } from './widget/authenticate.js';
import { registerWidgetHandlers } from './widget/handlers.js';

export interface TRealtimeDeps {
  databaseUrl: string;
  redis: TRedisConfig;
  port: number;
  host?: string;
  widgetDistDir: string;
  cacheWidget?: boolean;
  log: TLogger;
}

export interface TRealtimeServer {
  port: number;
  io: Server;
  close(): Promise<void>;
}

export async function startRealtimeServer(deps: TRealtimeDeps): Promise<TRealtimeServer> {
  const db = createDb(deps.databaseUrl);
  const producer = createProducer(deps.redis);
  const pub = createRedis(deps.redis.url, 'pubsub');
  const sub = pub.duplicate();
  const limiterRedis = createRedis(deps.redis.url, 'producer');
  const limiter = createRateLimiter(limiterRedis, `${deps.redis.prefix}:rl`);
  const serveWidget = createWidgetStatic(deps.widgetDistDir, { cache: deps.cacheWidget ?? false });

  const http = createServer((req, res) => {
    void (async () => {
      if (req.url === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
        return;
      }
      if (await serveWidget(req, res)) return;
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'not_found', message: 'Not found' } }));
    })().catch((err: unknown) => {
      deps.log.error({ err }, 'http handler failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  const io = new Server(http, {
    // The transport accepts any origin; the widget middleware then checks the Origin against the project's
    // allowlist, which is per tenant and so cannot be a static CORS list.
    cors: { origin: true, credentials: false },
    maxHttpBufferSize: 64 * 1024,
    pingInterval: 25_000,
    pingTimeout: 20_000,
    connectionStateRecovery: undefined,
    serveClient: false,
  });
  io.adapter(createAdapter(pub, sub, { key: socketIoKey(deps.redis) }));

  const widget = io.of(WIDGET_NAMESPACE);
  widget.use(authenticateWidget({ db, limiter, log: deps.log }));
  widget.on('connection', (socket) => registerWidgetHandlers(socket as typeof socket & { data: TWidgetSocketData }, { db, producer, limiter, log: deps.log, widget }));

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(deps.port, deps.host ?? '0.0.0.0', () => resolve());
  });
  const port = (http.address() as AddressInfo).port;

  return {
    port,
    io,
    async close() {
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await producer.close();
      pub.disconnect();
      sub.disconnect();
      limiterRedis.disconnect();
      await db.$disconnect();
    },
  };
}
