import type { Socket } from 'socket.io';
import { clientIp, rateLimitAddress, randomToken, sha256, type TLogger } from '@pocketping/core';
import {
  createVisitor,
  findUnstorableString,
  getProjectByPublicKey,
  getVisitorByTokenHash,
  getVisitorIdentity,
  type TDb,
  type TProject,
  type TVisitorContextInput,
} from '@pocketping/db';
import { ZWidgetAuth, parseProjectSettings, type TProjectSettings } from '@pocketping/protocol';
import type { TRateLimiter } from '../rate-limit.js';
import { isOriginAllowed } from './origin.js';
import { createInstallationRecorder } from './record-installation.js';

/** What the handshake establishes; handlers read the tenant from here and nowhere else. */
export interface TWidgetSocketData {
  organizationId: string;
  projectId: string;
  visitorId: string;
  /** Only set when this handshake created the visitor: sent once in the `session` event. */
  newVisitorToken: string | null;
  settings: TProjectSettings;
  /** Cached: a later verified identify() on another tab is picked up from the database when it matters. */
  identityVerified: boolean;
  /** The rate-limit address (IPv6 grouped by /64, core's rateLimitAddress). */
  ip: string;
  /** The visitor's open conversation as this socket last knew it (send path cache; a closed one is noticed at write). */
  openConversationId: string | null;
  /** The conversation room this socket's visitor was last told to join (joins go through Redis: once per conversation). */
  joinedConversationId: string | null;
  /** What the handshake said about the visitor's browser (zone, session pages): recorded once the socket is set up. */
  reportedContext: TVisitorContextInput;
}

export function refuse(code: string, message: string): Error {
  const err = new Error(message) as Error & { data: { code: string; message: string } };
  err.data = { code, message };
  return err;
}

/**
 * Project lookups by public key, cached for a few seconds: a reconnect storm (a node restart moves thousands of
 * widgets at once) must not turn into thousands of identical queries. Origin or settings changes apply within ttlMs.
 */
export function createProjectCache(db: TDb, ttlMs = 5_000, max = 5_000) {
  const cache = new Map<string, { at: number; project: TProject | null }>();
  return async (publicKey: string): Promise<TProject | null> => {
    const hit = cache.get(publicKey);
    if (hit && Date.now() - hit.at < ttlMs) return hit.project;
    const project = await getProjectByPublicKey(db, publicKey);
    if (cache.size >= max) cache.clear();
    cache.set(publicKey, { at: Date.now(), project });
    return project;
  };
}

/**
 * Parsed project settings, shared by every socket of a project while the settings are unchanged: an idle socket
 * then holds a reference instead of its own copy (idle sockets are most of realtime's memory). Read-only.
 */
function createSettingsCache(max = 5_000) {
  const cache = new Map<string, { raw: string; parsed: TProjectSettings }>();
  return (projectId: string, settings: unknown): TProjectSettings => {
    const raw = JSON.stringify(settings ?? null);
    const hit = cache.get(projectId);
    if (hit && hit.raw === raw) return hit.parsed;
    const parsed = parseProjectSettings(settings);
    if (cache.size >= max) cache.clear();
    cache.set(projectId, { raw, parsed });
    return parsed;
  };
}

/**
 * The widget namespace's tenant wrapper: project key → project → organization, the Origin must be in the
 * project's allowlist, the visitor token resumes a visitor of that project only (another project's token
 * creates a new visitor instead).
 */
export function authenticateWidget(deps: {
  db: TDb;
  limiter: TRateLimiter;
  log: TLogger;
  projectByKey: (key: string) => Promise<TProject | null>;
  /** Onboarding's "installation detected" (record-installation.ts); shared with the loader's boot route. */
  recordInstallation?: (organizationId: string, projectId: string) => void;
  /** Trusted reverse proxies: X-Forwarded-For is read only when > 0 (client-ip.ts). */
  trustProxyHops?: number;
  /**
   * New connections per minute: per address (raise it for visitors behind a big NAT), per returning visitor, and
   * per project for NEW visitors only — the project's circuit breaker against a flood of fresh visitors, which
   * never refuses a returning visitor (their conversations keep working while it is tripped).
   */
  connectionLimits?: { perIp: number; perProject: number; perVisitor?: number };
}) {
  const limits = { perVisitor: 60, ...(deps.connectionLimits ?? { perIp: 60, perProject: 600 }) };
  const recordInstallation = deps.recordInstallation ?? createInstallationRecorder(deps.db, deps.log);
  const settingsOf = createSettingsCache();
  // A tripped breaker is logged once a minute per project and node, not once per refused attempt.
  const breakerLogged = new Map<string, number>();
  const logBreaker = (organizationId: string, projectId: string) => {
    const last = breakerLogged.get(projectId) ?? 0;
    if (Date.now() - last < 60_000) return;
    if (breakerLogged.size > 1_000) breakerLogged.clear();
    breakerLogged.set(projectId, Date.now());
    deps.log.warn(
      { tenantId: organizationId, projectId },
      'new-visitor circuit breaker tripped; returning visitors still connect',
    );
  };
  return (socket: Socket, next: (err?: Error) => void): void => {
    void (async () => {
      const ip = rateLimitAddress(
        clientIp(socket.handshake.address, socket.handshake.headers['x-forwarded-for'], deps.trustProxyHops ?? 0),
      );
      // The address's own budget first: past it, nothing else is looked up or counted.
      if (!(await deps.limiter.hit(`conn:ip:${ip}`, limits.perIp, 60)))
        return next(refuse('rate_limited', 'Too many connections from this address; retry in a minute'));

      const auth = ZWidgetAuth.safeParse(socket.handshake.auth);
      if (!auth.success) return next(refuse('bad_request', 'Invalid handshake: projectKey is required'));
      // pageUrl/referrer end up in the visitor's metadata (jsonb): NUL or a lone surrogate would fail that write.
      const unstorable = findUnstorableString(auth.data);
      if (unstorable !== null)
        return next(
          refuse('bad_request', `Invalid handshake: ${unstorable} contains a character that cannot be stored`),
        );

      const project = await deps.projectByKey(auth.data.projectKey);
      if (!project) return next(refuse('unauthorized', 'Unknown project key'));

      const origin = socket.handshake.headers.origin;
      if (!isOriginAllowed(origin, project.allowedOrigins)) {
        deps.log.info({ tenantId: project.organizationId, projectId: project.id, origin }, 'widget origin refused');
        return next(refuse('forbidden', `Origin ${origin ?? '(none)'} is not allowed for this project`));
      }
      recordInstallation(project.organizationId, project.id); // onboarding's "installation detected"; never blocks

      let visitor = auth.data.visitorToken
        ? await getVisitorByTokenHash(deps.db, project.organizationId, project.id, sha256(auth.data.visitorToken))
        : null;
      let newVisitorToken: string | null = null;
      let identityVerified = false;
      if (visitor) {
        if (!(await deps.limiter.hit(`conn:visitor:${visitor.id}`, limits.perVisitor, 60)))
          return next(refuse('rate_limited', 'Too many connections for this visitor; retry in a minute'));
        identityVerified =
          (await getVisitorIdentity(deps.db, project.organizationId, visitor.id))?.identityVerified ?? false;
      } else {
        if (!(await deps.limiter.hit(`conn:project:${project.id}`, limits.perProject, 60))) {
          logBreaker(project.organizationId, project.id);
          return next(refuse('rate_limited', 'Too many new visitors for this site right now; retry shortly'));
        }
        newVisitorToken = randomToken('vt_', 24);
        visitor = await createVisitor(deps.db, project.organizationId, {
          projectId: project.id,
          tokenHash: sha256(newVisitorToken),
          metadata: {
            userAgent: String(socket.handshake.headers['user-agent'] ?? '').slice(0, 500),
            pageUrl: auth.data.pageUrl ?? null,
            referrer: auth.data.referrer ?? null,
            origin: origin ?? null,
          },
        });
      }
      const data: TWidgetSocketData = {
        organizationId: project.organizationId,
        projectId: project.id,
        visitorId: visitor.id,
        newVisitorToken,
        settings: settingsOf(project.id, project.settings),
        identityVerified,
        ip,
        openConversationId: null,
        joinedConversationId: null,
        reportedContext: { timeZone: auth.data.timeZone, pages: auth.data.pages, clientNow: auth.data.now },
      };
      socket.data = data;
      next();
    })().catch((err: unknown) => {
      deps.log.error({ err }, 'widget handshake failed');
      next(refuse('internal', 'Temporary server error; retrying'));
    });
  };
}
