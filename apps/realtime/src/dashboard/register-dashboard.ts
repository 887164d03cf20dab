import type { Namespace, Server, Socket } from 'socket.io';
import { clientIp, rateLimitAddress, type TLogger } from '@pocketping/core';
import { getMembership, type TDb } from '@pocketping/db';
import {
  DASHBOARD_NAMESPACE,
  RELAY_EVENT,
  ZRelayRequest,
  createDashboardPush,
  dashboardRooms,
  verifyDashboardToken,
  type TDashboardPush,
} from '@pocketping/jobs';
import type { TRateLimiter } from '../rate-limit.js';
import { refuse } from '../widget/authenticate.js';
import { WIDGET_NAMESPACE } from '@pocketping/protocol';
import { handleOperatorTyping } from './operator-typing.js';

/** What the handshake establishes for a dashboard socket. */
export interface TDashboardSocketData {
  userId: string;
  organizationId: string;
  role: string;
}
export type TDashboardSocket = Socket & { data: TDashboardSocketData };

/** While a dashboard is open its organization's projects stay "online" (the presence window is 5 minutes). */
const PRESENT_EVERY_MS = 2 * 60_000;

/** New dashboard connections allowed per minute from one address (a reconnect every token lifetime is the norm). */
const CONNECTIONS_PER_IP_PER_MIN = 120;

/**
 * The dashboard namespace's tenant wrapper: the token minted by the web app for a member (HMAC over user,
 * organization and a ≤ 5 min expiry), then the membership re-read from Postgres — a member removed since the token
 * was minted is refused. Refusals are `connect_error` with `data.code` (unauthorized / forbidden / rate_limited).
 */
export function authenticateDashboard(deps: {
  db: TDb;
  authSecret: string | undefined;
  limiter: TRateLimiter;
  log: TLogger;
  trustProxyHops: number;
}) {
  return (socket: Socket, next: (err?: Error) => void): void => {
    (async () => {
      const ip = rateLimitAddress(
        clientIp(socket.handshake.address, socket.handshake.headers['x-forwarded-for'], deps.trustProxyHops),
      );
      if (!(await deps.limiter.hit(`dash:conn:ip:${ip}`, CONNECTIONS_PER_IP_PER_MIN, 60)))
        throw refuse('rate_limited', 'Too many connections; retry in a minute');
      if (!deps.authSecret) throw refuse('unauthorized', 'The dashboard channel is not configured (AUTH_SECRET)');
      const auth = socket.handshake.auth as { token?: unknown } | undefined;
      const claims = verifyDashboardToken(deps.authSecret, auth?.token);
      if (!claims) throw refuse('unauthorized', 'Invalid or expired token');
      const membership = await getMembership(deps.db, claims.organizationId, claims.userId);
      if (!membership) throw refuse('forbidden', 'Not a member of this organization');
      const data: TDashboardSocketData = {
        userId: claims.userId,
        organizationId: claims.organizationId,
        role: membership.role,
      };
      socket.data = data;
      // The token proves membership only for its lifetime: the socket is closed when it expires and the client
      // reconnects with a fresh one (and the membership is checked again).
      const timer = setTimeout(() => socket.disconnect(true), Math.max(1_000, claims.exp * 1000 - Date.now()));
      timer.unref();
      socket.once('disconnect', () => clearTimeout(timer));
    })().then(
      () => next(),
      (err: unknown) => {
        if (err instanceof Error && 'data' in err) return next(err);
        deps.log.error({ err }, 'dashboard handshake failed');
        next(refuse('internal', 'Handshake failed'));
      },
    );
  };
}

/**
 * Sets up `/dashboard`: authentication, one room per organization, and the relay through which processes without
 * the Socket.IO emitter (the web app) push to widget and dashboard rooms (@pocketping/jobs dashboard-push.ts).
 * Returns the push realtime itself uses for widget-side changes.
 */
export function registerDashboardNamespace(
  io: Server,
  deps: {
    db: TDb;
    authSecret: string | undefined;
    limiter: TRateLimiter;
    log: TLogger;
    trustProxyHops: number;
    /**
     * A member has the dashboard open: the organization's widgets show the team online (operator presence). Called
     * on connect and every PRESENT_EVERY_MS while connected; a failure is logged.
     */
    operatorPresent?: (organizationId: string) => Promise<void>;
  },
): { namespace: Namespace; push: TDashboardPush } {
  const namespace = io.of(DASHBOARD_NAMESPACE);
  namespace.use(authenticateDashboard(deps));
  namespace.on('connection', (socket) => {
    const s = socket as TDashboardSocket;
    void s.join(dashboardRooms.organization(s.data.organizationId));
    handleOperatorTyping(s, { ...deps, widget: io.of(WIDGET_NAMESPACE) });
    const present = deps.operatorPresent;
    if (present) {
      const touch = () =>
        present(s.data.organizationId).catch((err: unknown) =>
          deps.log.warn(
            { tenantId: s.data.organizationId, err: err instanceof Error ? err.message : String(err) },
            'operator presence not recorded',
          ),
        );
      void touch();
      const timer = setInterval(() => void touch(), PRESENT_EVERY_MS);
      timer.unref();
      s.once('disconnect', () => clearInterval(timer));
    }
  });
  // A server-side emit from the adapter's request channel: every node receives it once and serves its own sockets.
  (namespace as unknown as { on(event: string, fn: (payload: unknown) => void): void }).on(RELAY_EVENT, (payload) => {
    const parsed = ZRelayRequest.safeParse(payload);
    if (!parsed.success) {
      deps.log.warn({ issues: parsed.error.issues.length }, 'malformed relay request ignored');
      return;
    }
    const { nsp, room, event, args } = parsed.data;
    io.of(nsp)
      .local.to(room)
      .emit(event, ...args);
  });
  return { namespace, push: createDashboardPush(namespace) };
}

const pushes = new WeakMap<Server, TDashboardPush>();

/** The dashboard push of the server a namespace belongs to (for widget handlers: `dashboardPushOf(ctx.widget.server)`). */
export function dashboardPushOf(io: Server): TDashboardPush {
  let push = pushes.get(io);
  if (!push) {
    push = createDashboardPush(io.of(DASHBOARD_NAMESPACE));
    pushes.set(io, push);
  }
  return push;
}
