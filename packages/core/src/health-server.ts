// A process without its own HTTP server (the worker) still answers the orchestrator's probes:
//   GET /health — liveness: the process and its event loop are alive (never touches a store);
//   GET /ready  — readiness: what `ready()` says (stores reachable, schema current); 503 while not ready.
import { createServer, type Server } from 'node:http';

export type THealthServer = { server: Server; port: number; close(): Promise<void> };

export async function startHealthServer(opts: {
  host: string;
  port: number;
  ready: () => Promise<{ ok: boolean } & Record<string, unknown>>;
  /** GET /metrics: what to answer for the request's Authorization header (absent: 404). */
  metrics?: (
    authorization: string | undefined,
  ) => Promise<{ status: number; headers: Record<string, string>; body: string }>;
}): Promise<THealthServer> {
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) =>
      res
        .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify(body));
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { error: 'method_not_allowed' });
    if (path === '/health') return send(200, { ok: true });
    if (path === '/metrics' && opts.metrics) {
      opts.metrics(req.headers.authorization).then(
        (a) => res.writeHead(a.status, a.headers).end(a.body),
        () => send(500, { error: 'metrics_failed' }),
      );
      return;
    }
    if (path === '/ready') {
      opts.ready().then(
        (r) => send(r.ok ? 200 : 503, r),
        () => send(503, { ok: false }),
      );
      return;
    }
    send(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    server,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
