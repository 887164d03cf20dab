import { randomUUID } from 'node:crypto';
import { OPERATIONS, type Operations } from './generated/api.js';

/**
 * The typed /api/v1 client: one method per operation of the OpenAPI document (generated/api.ts), e.g.
 * `client.listConversations({ query: { status: 'open' } })`. Every POST carries an Idempotency-Key (yours, or a
 * random one), so retrying a call that failed on the network with the same key never does it twice.
 */

export type TOperationId = keyof Operations;

type TEmpty = Record<string, never>;
type TInputOf<K extends TOperationId> = (Operations[K]['params'] extends TEmpty
  ? { params?: TEmpty }
  : { params: Operations[K]['params'] }) &
  (Operations[K]['query'] extends TEmpty ? { query?: TEmpty } : { query?: Operations[K]['query'] }) &
  (Operations[K]['body'] extends TEmpty ? { body?: TEmpty } : { body: Operations[K]['body'] }) & {
    /** POST only: the Idempotency-Key to send (default: a random UUID per call). */
    idempotencyKey?: string;
    /** Aborts the request. */
    signal?: AbortSignal;
  };

/** Operations whose input is all optional can be called without an argument. */
type TMethod<K extends TOperationId> =
  Partial<TInputOf<K>> extends TInputOf<K>
    ? (input?: TInputOf<K>) => Promise<Operations[K]['response']>
    : (input: TInputOf<K>) => Promise<Operations[K]['response']>;

export type TPocketPingClient = { [K in TOperationId]: TMethod<K> } & {
  /** Calls any operation by its operationId. */
  call<K extends TOperationId>(operationId: K, input?: Partial<TInputOf<K>>): Promise<Operations[K]['response']>;
};

export interface TPocketPingClientOptions {
  /** An API key (ppk_…) from the dashboard's API keys page. */
  apiKey: string;
  /** Your PocketPing address, e.g. https://chat.example.com (the API is under /api/v1). */
  baseUrl: string;
  /** Another fetch (tests, proxies). Default: the global fetch. */
  fetch?: (input: Request) => Promise<Response>;
  /** Sent as User-Agent. */
  userAgent?: string;
}

/** An answer in application/problem+json: `code` is stable (see docs/api.md), `status` the HTTP status. */
export class PocketPingApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  /** Seconds to wait before retrying (429). */
  readonly retryAfter: number | null;
  readonly problem: Record<string, unknown>;

  constructor(status: number, problem: Record<string, unknown>, headers: Headers) {
    const detail = typeof problem.detail === 'string' ? problem.detail : `HTTP ${status}`;
    super(detail);
    this.name = 'PocketPingApiError';
    this.status = status;
    this.code = typeof problem.code === 'string' ? problem.code : 'http_error';
    this.requestId = headers.get('x-request-id');
    const retry = Number(headers.get('retry-after'));
    this.retryAfter = Number.isFinite(retry) && headers.has('retry-after') ? retry : null;
    this.problem = problem;
  }
}

function buildUrl(base: string, path: string, params: Record<string, unknown>, query: Record<string, unknown>): URL {
  const filled = path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const v = params[name];
    if (v === undefined || v === null) throw new TypeError(`Missing path parameter ${name}`);
    return encodeURIComponent(String(v));
  });
  const url = new URL(`${base.replace(/\/+$/, '')}/api/v1${filled}`);
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
  return url;
}

export function createPocketPingClient(options: TPocketPingClientOptions): TPocketPingClient {
  if (!options.apiKey) throw new TypeError('apiKey is required');
  if (!/^https?:\/\//.test(options.baseUrl)) throw new TypeError('baseUrl must be an http(s) URL');
  const doFetch = options.fetch ?? ((req: Request) => fetch(req));

  async function call(operationId: TOperationId, input: Record<string, unknown> = {}): Promise<unknown> {
    const op = OPERATIONS[operationId];
    if (!op) throw new TypeError(`Unknown operation ${String(operationId)}`);
    const url = buildUrl(
      options.baseUrl,
      op.path,
      (input.params ?? {}) as Record<string, unknown>,
      (input.query ?? {}) as Record<string, unknown>,
    );
    const headers = new Headers({ authorization: `Bearer ${options.apiKey}`, accept: 'application/json' });
    if (options.userAgent) headers.set('user-agent', options.userAgent);
    let body: string | undefined;
    if (op.method === 'POST' || op.method === 'PATCH') {
      body = JSON.stringify(input.body ?? {});
      headers.set('content-type', 'application/json');
    }
    if (op.method === 'POST') headers.set('idempotency-key', (input.idempotencyKey as string) ?? randomUUID());
    const res = await doFetch(
      new Request(url, { method: op.method, headers, body, signal: input.signal as AbortSignal | undefined }),
    );
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = { detail: text.slice(0, 200) };
    }
    if (!res.ok) throw new PocketPingApiError(res.status, (json ?? {}) as Record<string, unknown>, res.headers);
    return json;
  }

  const client: Record<string, unknown> = { call };
  for (const id of Object.keys(OPERATIONS) as TOperationId[])
    client[id] = (input?: Record<string, unknown>) => call(id, input);
  return client as unknown as TPocketPingClient;
}
