// Prometheus metrics of one process: the process's own (CPU, memory, event-loop lag, handles) plus what the app
// registers (queue depth, sockets, outbox backlog…), rendered on GET /metrics. The endpoint is off unless
// METRICS_TOKEN is set, and then answers only `Authorization: Bearer <METRICS_TOKEN>`: realtime's port is public.
import { timingSafeEqual } from 'node:crypto';
import { Registry, collectDefaultMetrics } from 'prom-client';

export type TMetrics = {
  registry: Registry;
  /** null when METRICS_TOKEN is not set (the endpoint does not exist). */
  token: string | null;
};

export function createMetrics(app: string, token: string | undefined): TMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry, prefix: 'pocketping_' });
  return { registry, token: token ?? null };
}

export type TMetricsAnswer = { status: number; headers: Record<string, string>; body: string };

/** What GET /metrics answers for this Authorization header. */
export async function answerMetrics(metrics: TMetrics, authorization: string | undefined): Promise<TMetricsAnswer> {
  const json = (status: number, code: string): TMetricsAnswer => ({
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify({ error: { code } }),
  });
  if (!metrics.token) return json(404, 'not_found');
  const given = Buffer.from(/^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '');
  const expected = Buffer.from(metrics.token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return json(401, 'unauthorized');
  return {
    status: 200,
    headers: { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' },
    body: await metrics.registry.metrics(),
  };
}
