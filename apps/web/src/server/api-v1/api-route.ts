import { z, type ZodType } from 'zod';
import { AppError, decryptSecret, encryptSecret, randomToken, readTextWithLimit, sha256 } from '@pocketping/core';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  findUnstorableString,
  pruneIdempotencyKeys,
  releaseIdempotencyKey,
  resolveApiKey,
  type TApiScope,
  type TResolvedApiKey,
} from '@pocketping/db';
import { getContext, type TWebContext } from '../context';
import { clientIp, hitRateLimit, whenReady } from '../rate-limit';
import { hitApiRateLimit, rateLimitHeaders } from './api-rate-limit';
import { apiProblem, problemResponse, toProblem, type TProblem } from './problem';

/**
 * THE tenancy wrapper of the public REST API (/api/v1), like `tenancy.ts` is the dashboard's. Every /api/v1 route is
 * an operation declared with `apiOperation`: the wrapper reads `Authorization: Bearer <API key>` (looked up on every
 * request, so a revoked key stops at once) → the key's organization is the tenant, with its scopes and project
 * restriction; counts the key's per-minute budget (the plan's `apiRequestsPerMinute`, `RateLimit-*` headers, 429 +
 * `Retry-After`); checks the scope (GET = read, everything else = write); validates path, query and body with the
 * operation's zod schemas (strict: an unknown field is refused) after reading the body through the size-limited
 * reader (64 KB); on a POST honours `Idempotency-Key` (the answer is stored per key + route with a hash of the
 * request: a retry gets the stored answer, another request with the same key is refused); answers JSON, or
 * `application/problem+json` with a stable `code`; sets `X-Request-Id` on every answer.
 *
 * Handlers get `ctx.tenant` and must scope every read and write by `tenant.organizationId` and, when set,
 * `tenant.projectId` — the repositories of `@pocketping/db` `api.ts` take both. Another tenant's id answers 404, the
 * same as an unknown id. The same declarations build the OpenAPI document (`openapi.ts`).
 */

export const API_MAX_BODY_BYTES = 64 * 1024;
const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
/** An Idempotency-Key: 1–255 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** Requests without a valid API key, per client address (see `refuseUnauthenticated`). */
export const UNAUTHENTICATED_PER_IP = { limit: 60, windowSeconds: 60 };

export type TApiMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** What the wrapper resolved from the API key: the tenant. */
export interface TApiTenantContext {
  organizationId: string;
  apiKeyId: string;
  scopes: TApiScope[];
  /** The key's project restriction; null: every project of the organization. */
  projectId: string | null;
}

export interface TApiContext<TParams, TQuery, TBody> {
  req: Request;
  app: TWebContext;
  tenant: TApiTenantContext;
  params: TParams;
  query: TQuery;
  body: TBody;
  requestId: string;
  /** The request's Idempotency-Key (POST only), e.g. as the client id of a message. */
  idempotencyKey: string | null;
}

type TObject = z.ZodObject<z.ZodRawShape>;

export interface TApiOperationSpec<P extends TObject, Q extends TObject, B extends TObject, R extends ZodType> {
  operationId: string;
  method: TApiMethod;
  /** OpenAPI path below /api/v1, with `{param}` segments: '/conversations/{conversationId}'. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  body?: B;
  /** The success answer's body. */
  response: R;
  /** 200 unless said (201 for a create). */
  status?: 200 | 201;
  /** Other answers the operation documents, besides the ones every operation can give. */
  errors?: number[];
  /**
   * The success answer carries a secret (a webhook signing secret, shown once): the copy kept for Idempotency-Key
   * replays is sealed with the key ring like every secret at rest, and opened only to answer the retry.
   */
  sealStoredAnswer?: boolean;
}

export type TApiHandler = ((
  req: Request,
  segment: { params: Promise<Record<string, string | string[]>> },
) => Promise<Response>) & {
  operation: TApiOperationSpec<TObject, TObject, TObject, ZodType>;
  /**
   * The operation for an already authenticated tenant, in-process (the MCP tools): the same scope check, the same
   * zod validation of path, query and body, the same handler and answer schema — without HTTP; a POST given an
   * `idempotencyKey` goes through the same Idempotency-Key store as the REST requests.
   * Throws an AppError (see `toProblem`) when refused.
   */
  run: (input: TApiInvocation) => Promise<unknown>;
};

const EMPTY = z.strictObject({});

function pickRequestId(req: Request): string {
  const given = req.headers.get('x-request-id');
  return given && REQUEST_ID.test(given) ? given : `req_${randomToken('', 12)}`;
}

function parseWith<T>(schema: ZodType<T>, value: unknown, what: 'path' | 'query' | 'body'): T {
  const unstorable = findUnstorableString(value);
  if (unstorable !== null) {
    const message = 'contains a character that cannot be stored (NUL or an unpaired surrogate)';
    throw new AppError('bad_request', `Invalid ${what}: ${unstorable || what} ${message}`, {
      issues: [{ path: unstorable, message }],
    });
  }
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({
    path: i.path.join('.') || (i.code === 'unrecognized_keys' ? i.keys.join(',') : what),
    message: i.message,
  }));
  throw new AppError('bad_request', `Invalid ${what}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, {
    issues,
  });
}

async function readJsonBody(req: Request): Promise<unknown> {
  const text = await readTextWithLimit(req, API_MAX_BODY_BYTES);
  if (text.trim() === '') return {};
  const type = (req.headers.get('content-type') ?? '').toLowerCase();
  if (!type.startsWith('application/json'))
    throw apiProblem('unsupported_media_type', 'Send the body as JSON (Content-Type: application/json).');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('bad_request', 'The body is not valid JSON.');
  }
}

/**
 * A 401, counted against the caller's address first: requests without a valid key (key guessing, a flood of keyless
 * requests, a client stuck with a revoked key) get `UNAUTHENTICATED_PER_IP` a minute per address, then
 * `429 rate_limited` with Retry-After. A valid key is never limited by this budget (its own one applies).
 */
async function refuseUnauthenticated(req: Request, message: string): Promise<never> {
  const { limit, windowSeconds } = UNAUTHENTICATED_PER_IP;
  await hitRateLimit('api-unauthenticated', clientIp(req.headers), limit, windowSeconds);
  throw apiProblem('unauthorized', message);
}

async function authenticate(req: Request, app: TWebContext): Promise<TResolvedApiKey> {
  const header = req.headers.get('authorization') ?? '';
  const m = /^Bearer\s+(\S{1,200})\s*$/i.exec(header);
  if (!m) return refuseUnauthenticated(req, 'Send your API key as Authorization: Bearer <key>.');
  const key = await resolveApiKey(app.db, m[1]!);
  if (!key) return refuseUnauthenticated(req, 'This API key is unknown or has been revoked.');
  return key;
}

/**
 * The API key of a request → the tenant, with the key's per-minute budget counted (`RateLimit-*` set on `headers`;
 * over budget: a `rate_limited` problem). Shared by /api/v1 and the MCP server (/api/mcp): one key resolution.
 */
export async function authenticateApiRequest(
  req: Request,
  app: TWebContext,
  headers: Headers,
): Promise<TApiTenantContext> {
  const key = await authenticate(req, app);
  await whenReady(app.producer.redis);
  const rl = await hitApiRateLimit(
    app.producer.redis,
    app.env.REDIS_PREFIX,
    key.apiKeyId,
    await app.limits.apiRequestsPerMinute(key.organizationId),
  );
  rateLimitHeaders(rl, headers);
  if (!rl.allowed)
    throw apiProblem('rate_limited', `This key may make ${rl.limit} requests a minute. Try again in ${rl.reset} s.`, {
      retryAfterSeconds: rl.reset,
    });
  return { organizationId: key.organizationId, apiKeyId: key.apiKeyId, scopes: key.scopes, projectId: key.projectId };
}

export function assertApiScope(tenant: { scopes: TApiScope[] }, scope: TApiScope): void {
  if (!tenant.scopes.includes(scope))
    throw apiProblem('insufficient_scope', `This needs an API key with the "${scope}" scope.`, {
      requiredScope: scope,
    });
}

/** Input of an operation run in-process (the MCP tools): the same values a request's path, query and body carry. */
export interface TApiInvocation {
  app: TWebContext;
  tenant: TApiTenantContext;
  req: Request;
  requestId: string;
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: Record<string, unknown>;
  /** A POST's idempotency key (an MCP tool's argument): kept in the REST Idempotency-Key store, same semantics. */
  idempotencyKey?: string | null;
}

function jsonResponse(status: number, body: unknown, headers: Headers): Response {
  headers.set('content-type', status >= 400 ? 'application/problem+json' : 'application/json');
  headers.set('cache-control', 'no-store');
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers });
}

type TIdempotentClaim = { state: 'new'; id: string } | { state: 'replay'; status: number; answer: unknown };

/**
 * Takes an Idempotency-Key for one request of a tenant's API key (the REST header, or an MCP tool's argument): `new`
 * (run it, then `completeIdempotent` or `failIdempotent`), or the stored answer of the first request with that key;
 * the same key with another request (`request`: method, path and body) or while the first one runs is refused.
 */
async function claimIdempotent(
  app: TWebContext,
  tenant: TApiTenantContext,
  input: { route: string; key: string; request: string },
): Promise<TIdempotentClaim> {
  const claim = await claimIdempotencyKey(app.db, {
    organizationId: tenant.organizationId,
    apiKeyId: tenant.apiKeyId,
    route: input.route,
    key: input.key,
    requestHash: sha256(input.request),
  });
  if (claim.state === 'mismatch')
    throw apiProblem(
      'idempotency_key_reused',
      'This Idempotency-Key was used for a different request. Use a new key for a new request.',
    );
  if (claim.state === 'in_progress')
    throw apiProblem('idempotency_in_progress', 'A request with this Idempotency-Key is still running.');
  if (claim.state === 'replay') {
    const stored = claim.response as { sealedAnswer?: unknown } | null;
    const answer =
      stored && typeof stored.sealedAnswer === 'string'
        ? (JSON.parse(decryptSecret(app.keyRing, stored.sealedAnswer)) as unknown)
        : claim.response;
    return { state: 'replay', status: claim.status, answer };
  }
  // Stored answers are kept a day (docs/api.md); about one new claim in a hundred clears the older ones.
  if (Math.random() < 0.01)
    void pruneIdempotencyKeys(app.db, new Date(Date.now() - IDEMPOTENCY_RETENTION_MS)).catch(() => undefined);
  return { state: 'new', id: claim.id };
}

/** Stores the success answer of a claimed key (sealed when it carries a secret). */
async function completeIdempotent(
  app: TWebContext,
  claimed: string,
  status: number,
  data: unknown,
  seal: boolean | undefined,
): Promise<void> {
  await completeIdempotencyKey(
    app.db,
    claimed,
    status,
    seal ? { sealedAnswer: encryptSecret(app.keyRing, JSON.stringify(data)) } : data,
  );
}

/** A server error may be transient: the key is freed for a retry. A refusal is the answer to this request. */
async function failIdempotent(app: TWebContext, claimed: string, problem: TProblem): Promise<void> {
  if (problem.status >= 500) await releaseIdempotencyKey(app.db, claimed).catch(() => undefined);
  else await completeIdempotencyKey(app.db, claimed, problem.status, problem).catch(() => undefined);
}

/** Declares one /api/v1 operation and returns its route handler (export it as the method of its route.ts). */
export function apiOperation<
  R extends ZodType,
  P extends TObject = typeof EMPTY,
  Q extends TObject = typeof EMPTY,
  B extends TObject = typeof EMPTY,
>(
  spec: TApiOperationSpec<P, Q, B, R>,
  handler: (ctx: TApiContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<z.input<R>>,
): TApiHandler {
  const scope: TApiScope = spec.method === 'GET' ? 'read' : 'write';
  const route = `${spec.method} ${spec.path}`;
  const fn = async (req: Request, segment: { params: Promise<Record<string, string | string[]>> }) => {
    const requestId = pickRequestId(req);
    const headers = new Headers({ 'x-request-id': requestId });
    let claimed: string | null = null;
    let app: TWebContext | null = null;
    try {
      app = getContext();
      const tenant = await authenticateApiRequest(req, app, headers);
      assertApiScope(tenant, scope);
      const params = parseWith(spec.params ?? EMPTY, await segment.params, 'path');
      const query = parseWith(spec.query ?? EMPTY, Object.fromEntries(new URL(req.url).searchParams), 'query');
      const body =
        spec.method === 'GET' || spec.method === 'DELETE'
          ? parseWith(EMPTY, {}, 'body')
          : parseWith(spec.body ?? EMPTY, await readJsonBody(req), 'body');

      let idempotencyKey: string | null = null;
      if (spec.method === 'POST') {
        idempotencyKey = req.headers.get('idempotency-key');
        if (idempotencyKey !== null && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey))
          throw new AppError('bad_request', 'Idempotency-Key must be 1–255 visible ASCII characters.', {
            issues: [{ path: 'Idempotency-Key', message: 'invalid' }],
          });
        if (idempotencyKey !== null) {
          const claim = await claimIdempotent(app, tenant, {
            route,
            key: idempotencyKey,
            request: `${spec.method} ${new URL(req.url).pathname}\n${JSON.stringify(body)}`,
          });
          if (claim.state === 'replay') {
            headers.set('idempotent-replayed', 'true');
            return jsonResponse(claim.status, claim.answer, headers);
          }
          claimed = claim.id;
        }
      }

      const result = await handler({
        req,
        app,
        tenant,
        params,
        query,
        body,
        requestId,
        idempotencyKey,
      } as TApiContext<z.output<P>, z.output<Q>, z.output<B>>);
      // The declared schema is the answer's shape: what it does not name is not sent (nothing leaks by accident).
      const data = spec.response.parse(result);
      const status = spec.status ?? 200;
      if (claimed) await completeIdempotent(app, claimed, status, data, spec.sealStoredAnswer);
      return jsonResponse(status, data, headers);
    } catch (err) {
      const problem = toProblem(err, requestId);
      if (problem.code === 'internal') app?.log.error({ err, requestId, route }, 'api route failed');
      if (problem.code === 'unauthorized') headers.set('www-authenticate', 'Bearer realm="pocketping"');
      if (claimed && app) await failIdempotent(app, claimed, problem);
      return problemResponse(problem, headers);
    }
  };
  const run = async (input: TApiInvocation): Promise<unknown> => {
    assertApiScope(input.tenant, scope);
    const params = parseWith(spec.params ?? EMPTY, input.params ?? {}, 'path');
    const query = parseWith(spec.query ?? EMPTY, input.query ?? {}, 'query');
    const body =
      spec.method === 'GET' || spec.method === 'DELETE'
        ? parseWith(EMPTY, {}, 'body')
        : parseWith(spec.body ?? EMPTY, input.body ?? {}, 'body');
    const idempotencyKey = spec.method === 'POST' ? (input.idempotencyKey ?? null) : null;
    let claimed: string | null = null;
    if (idempotencyKey !== null) {
      // The same store as the REST requests': the operation's path with its values, and the validated body.
      const path = spec.path.replace(/\{(\w+)\}/g, (_, name: string) =>
        String((params as Record<string, unknown>)[name]),
      );
      const claim = await claimIdempotent(input.app, input.tenant, {
        route,
        key: idempotencyKey,
        request: `${spec.method} /api/v1${path}\n${JSON.stringify(body)}`,
      });
      if (claim.state === 'replay') {
        if (claim.status < 400) return claim.answer;
        const stored = claim.answer as TProblem;
        throw apiProblem(stored.code, stored.detail);
      }
      claimed = claim.id;
    }
    try {
      const result = await handler({
        req: input.req,
        app: input.app,
        tenant: input.tenant,
        params,
        query,
        body,
        requestId: input.requestId,
        idempotencyKey,
      } as TApiContext<z.output<P>, z.output<Q>, z.output<B>>);
      const data = spec.response.parse(result);
      if (claimed) await completeIdempotent(input.app, claimed, spec.status ?? 200, data, spec.sealStoredAnswer);
      return data;
    } catch (err) {
      if (claimed) await failIdempotent(input.app, claimed, toProblem(err, input.requestId));
      throw err;
    }
  };
  return Object.assign(fn, {
    operation: spec as unknown as TApiOperationSpec<TObject, TObject, TObject, ZodType>,
    run,
  });
}
