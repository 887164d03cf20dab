import { NextResponse } from 'next/server';
import { z, type ZodType } from 'zod';
import { AppError, readTextWithLimit, toAppError } from '@pocketping/core';
import {
  findUnstorableString,
  getMembership,
  getProjectRecord,
  type Role,
  type TAuditOrigin,
  type TDb,
} from '@pocketping/db';
import { getContext, type TWebContext } from './context';
import { getSessionUserFromCookies, type TSessionUser } from './auth/session';
import { requestOrigin } from './request-origin';

/**
 * THE tenancy wrapper of the dashboard API. Every route under /api/app goes through `userRoute` (signed in, no
 * organization) or `orgRoute` (signed in AND a member of the organization in the URL with at least the given role).
 * It resolves the session, the membership and the role, validates params/query/body with zod, refuses cross-site
 * mutations, and turns errors into `{ error: { code, message } }` with the right status. A non-member gets 404 —
 * the same answer as for an organization that does not exist — so nothing about other tenants leaks; a member
 * with too low a role gets 403.
 *
 * Handlers receive `ctx.organizationId` and must scope every query by it (`scopedProject` helps for projects).
 */

export const ROLE_RANK: Record<Role, number> = { agent: 1, admin: 2, owner: 3 };

export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[min];
}

export const MAX_JSON_BODY_BYTES = 64 * 1024;

export interface TUserRouteContext<TBody, TParams, TQuery> {
  req: Request;
  /** Where the request came from: what every audit entry it causes records. */
  origin: TAuditOrigin;
  app: TWebContext;
  user: TSessionUser;
  body: TBody;
  params: TParams;
  query: TQuery;
}

export interface TOrgRouteContext<TBody, TParams, TQuery> extends TUserRouteContext<TBody, TParams, TQuery> {
  organizationId: string;
  role: Role;
  membershipId: string;
}

interface TRouteOptions<TBody, TParams, TQuery> {
  body?: ZodType<TBody>;
  params?: ZodType<TParams>;
  query?: ZodType<TQuery>;
  /** Routes a signed-in user may call before confirming their email (default: false). */
  allowUnverified?: boolean;
  /**
   * The handler reads the body itself, through the size-limited reader (a file upload): not JSON, so the request must
   * carry our own Origin instead (checked once the caller is known, so strangers still get 401/404 first).
   */
  rawBody?: boolean;
}

type TSegment = { params: Promise<Record<string, string | string[]>> };

/**
 * What a wrapped handler declares about itself. The cross-tenant suite reads it from every exported route method
 * and fails on any route that is not wrapped.
 */
export type TTenancyMeta = { kind: 'public' } | { kind: 'user' } | { kind: 'org'; role: Role };
export type TRouteHandler = ((req: Request, segment: TSegment) => Promise<Response>) & { tenancy: TTenancyMeta };

function tag(fn: (req: Request, segment: TSegment) => Promise<Response>, tenancy: TTenancyMeta): TRouteHandler {
  return Object.assign(fn, { tenancy });
}
type THandlerResult = Response | Record<string, unknown> | unknown[] | null;

const ZOrgParams = z.object({ orgId: z.string().min(1).max(64) });

export function errorResponse(err: unknown): Response {
  const appError = toAppError(err);
  if (appError.code === 'internal') getContext().log.error({ err }, 'dashboard route failed');
  const headers: Record<string, string> = {};
  const retry = (appError.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
  if (appError.code === 'rate_limited' && retry) headers['Retry-After'] = String(retry);
  return NextResponse.json({ error: appError.toJSON() }, { status: appError.status, headers });
}

function toResponse(result: THandlerResult): Response {
  if (result instanceof Response) return result;
  return NextResponse.json(result ?? { ok: true });
}

/** Mutations must come from our own pages: JSON only (a cross-site form cannot send it) and, if present, our Origin. */
function assertSameOrigin(req: Request, webPublicUrl: string, rawBody = false): void {
  if (req.method === 'GET' || req.method === 'HEAD') return;
  if (rawBody) {
    // A cross-site form can send any body; browsers always name the page's Origin on such a POST.
    const origin = req.headers.get('origin');
    if (!origin || (origin !== new URL(webPublicUrl).origin && origin !== new URL(req.url).origin))
      throw new AppError('forbidden', 'Cross-site request refused.');
    return;
  }
  const type = req.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/json'))
    throw new AppError('bad_request', 'Send JSON (Content-Type: application/json).');
  const origin = req.headers.get('origin');
  if (origin && origin !== new URL(webPublicUrl).origin && origin !== new URL(req.url).origin) {
    throw new AppError('forbidden', 'Cross-site request refused.');
  }
}

async function readJson(req: Request): Promise<unknown> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const text = await readTextWithLimit(req, MAX_JSON_BODY_BYTES);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('bad_request', 'The body is not valid JSON.');
  }
}

/** Validates params, a query or a body like the wrappers do (400 naming the field); for catch-all routes' own steps. */
export function parseWith<T>(schema: ZodType<T> | undefined, value: unknown, what: string): T {
  if (!schema) return undefined as T;
  // Postgres can neither store nor compare NUL or a lone surrogate: refuse them here, naming the field, instead of
  // a 500 at the query. Covers path params, query strings and bodies alike.
  const unstorable = findUnstorableString(value);
  if (unstorable !== null) {
    const message = 'contains a character that cannot be stored (NUL or an unpaired surrogate)';
    throw new AppError('bad_request', `Invalid ${what}: ${unstorable || what} ${message}`, {
      issues: [{ path: unstorable, message }],
    });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError(
    'bad_request',
    `Invalid ${what}: ${result.error.issues.map((i) => `${i.path.join('.') || what} ${i.message}`).join('; ')}`,
    {
      issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    },
  );
}

async function resolveUser(req: Request, app: TWebContext, allowUnverified: boolean): Promise<TSessionUser> {
  const user = await getSessionUserFromCookies(app.db, req.headers.get('cookie'), app.env.AUTH_SECRET);
  if (!user) throw new AppError('unauthorized', 'Sign in first.');
  if (!user.emailVerified && !allowUnverified) throw new AppError('forbidden', 'Confirm your email address first.');
  return user;
}

export interface TPublicRouteContext<TBody, TParams, TQuery> {
  req: Request;
  origin: TAuditOrigin;
  app: TWebContext;
  body: TBody;
  params: TParams;
  query: TQuery;
}

/** A route anyone may call (sign up, password reset…): same validation and errors, no session. Rate-limit inside. */
export function publicRoute<TBody = undefined, TParams = undefined, TQuery = undefined>(
  opts: Omit<TRouteOptions<TBody, TParams, TQuery>, 'allowUnverified'>,
  handler: (ctx: TPublicRouteContext<TBody, TParams, TQuery>) => Promise<THandlerResult>,
): TRouteHandler {
  return tag(
    async (req, segment) => {
      try {
        const app = getContext();
        assertSameOrigin(req, app.env.WEB_PUBLIC_URL);
        const params = parseWith(opts.params, await segment.params, 'path');
        const query = parseWith(opts.query, Object.fromEntries(new URL(req.url).searchParams), 'query');
        const body = parseWith(opts.body, await readJson(req), 'body');
        return toResponse(await handler({ req, origin: requestOrigin(req), app, body, params, query }));
      } catch (err) {
        return errorResponse(err);
      }
    },
    { kind: 'public' },
  );
}

/** A route for any signed-in user (no organization in the URL). */
export function userRoute<TBody = undefined, TParams = undefined, TQuery = undefined>(
  opts: TRouteOptions<TBody, TParams, TQuery>,
  handler: (ctx: TUserRouteContext<TBody, TParams, TQuery>) => Promise<THandlerResult>,
): TRouteHandler {
  return tag(
    async (req, segment) => {
      try {
        const app = getContext();
        if (!opts.rawBody) assertSameOrigin(req, app.env.WEB_PUBLIC_URL);
        const user = await resolveUser(req, app, opts.allowUnverified ?? false);
        if (opts.rawBody) assertSameOrigin(req, app.env.WEB_PUBLIC_URL, true);
        const params = parseWith(opts.params, await segment.params, 'path');
        const query = parseWith(opts.query, Object.fromEntries(new URL(req.url).searchParams), 'query');
        const body = opts.rawBody ? (undefined as TBody) : parseWith(opts.body, await readJson(req), 'body');
        return toResponse(await handler({ req, origin: requestOrigin(req), app, user, body, params, query }));
      } catch (err) {
        return errorResponse(err);
      }
    },
    { kind: 'user' },
  );
}

/** A route under /api/app/orgs/[orgId]/…: the caller must be a member with at least `role`. */
export function orgRoute<TBody = undefined, TParams extends { orgId: string } = { orgId: string }, TQuery = undefined>(
  opts: TRouteOptions<TBody, TParams, TQuery> & { role: Role },
  handler: (ctx: TOrgRouteContext<TBody, TParams, TQuery>) => Promise<THandlerResult>,
): TRouteHandler {
  return tag(
    async (req, segment) => {
      try {
        const app = getContext();
        if (!opts.rawBody) assertSameOrigin(req, app.env.WEB_PUBLIC_URL);
        const user = await resolveUser(req, app, false);
        const rawParams = await segment.params;
        const { orgId } = parseWith(ZOrgParams, rawParams, 'path');
        const membership = await getMembership(app.db, orgId, user.id);
        if (!membership) throw new AppError('not_found', 'Not found.');
        if (!roleAtLeast(membership.role, opts.role))
          throw new AppError('forbidden', `This needs the ${opts.role} role or higher.`);
        if (opts.rawBody) assertSameOrigin(req, app.env.WEB_PUBLIC_URL, true);
        const params = opts.params ? parseWith(opts.params, rawParams, 'path') : (rawParams as unknown as TParams);
        const query = parseWith(opts.query, Object.fromEntries(new URL(req.url).searchParams), 'query');
        const body = opts.rawBody ? (undefined as TBody) : parseWith(opts.body, await readJson(req), 'body');
        return toResponse(
          await handler({
            req,
            origin: requestOrigin(req),
            app,
            user,
            body,
            params,
            query,
            organizationId: orgId,
            role: membership.role,
            membershipId: membership.id,
          }),
        );
      } catch (err) {
        return errorResponse(err);
      }
    },
    { kind: 'org', role: opts.role },
  );
}

/**
 * The same membership rule for a browser coming back from a platform's OAuth consent screen (Slack, Discord): the
 * session in its cookies must be the user the signed state names, still at least an admin of the organization.
 */
export async function checkInstaller(
  db: TDb,
  authSecret: string,
  input: { organizationId: string; userId: string; cookie: string | null },
): Promise<'ok' | 'signed_out' | 'not_admin'> {
  const user = await getSessionUserFromCookies(db, input.cookie, authSecret);
  if (!user || user.id !== input.userId) return 'signed_out';
  const membership = await getMembership(db, input.organizationId, input.userId);
  if (!membership || !roleAtLeast(membership.role, 'admin')) return 'not_admin';
  return 'ok';
}

/** Loads a project of the caller's organization, or 404 (also when it belongs to another organization). */
export async function scopedProject(app: TWebContext, organizationId: string, projectId: string) {
  const project = await getProjectRecord(app.db, organizationId, projectId);
  if (!project) throw new AppError('not_found', 'Project not found.');
  return project;
}
