import type { IncomingMessage } from 'node:http';
import { AppError, clientIp, rateLimitAddress, sha256 } from '@pocketping/core';
import {
  getLatestConversationForVisitor,
  getVisitorByTokenHash,
  getVisitorIdentity,
  type TDb,
  type TProject,
} from '@pocketping/db';
import { UPLOAD_HEADERS, ZWidgetAuth, parseProjectSettings, type TProjectSettings } from '@pocketping/protocol';
import { isOriginAllowed } from '../widget/origin.js';

export interface THttpWidgetCaller {
  organizationId: string;
  projectId: string;
  visitorId: string;
  settings: TProjectSettings;
  identityVerified: boolean;
  /** The rate-limit address (IPv6 grouped by /64). */
  ip: string;
  /** The visitor has a conversation: the project's circuit breaker does not apply to them. */
  established: boolean;
}

/**
 * The HTTP twin of the socket handshake (widget/authenticate.ts), for uploads: project key → project →
 * organization, Origin in the project's allowlist, and the visitor token must resume an existing visitor of that
 * project (an upload never creates a visitor).
 */
export async function authenticateHttpWidget(
  req: IncomingMessage,
  deps: { db: TDb; projectByKey: (key: string) => Promise<TProject | null>; trustProxyHops: number },
): Promise<THttpWidgetCaller> {
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const auth = ZWidgetAuth.safeParse({
    projectKey: header(UPLOAD_HEADERS.projectKey),
    visitorToken: header(UPLOAD_HEADERS.visitorToken),
  });
  if (!auth.success || !auth.data.visitorToken)
    throw new AppError(
      'unauthorized',
      `The ${UPLOAD_HEADERS.projectKey} and ${UPLOAD_HEADERS.visitorToken} headers are required`,
    );
  const project = await deps.projectByKey(auth.data.projectKey);
  if (!project) throw new AppError('unauthorized', 'Unknown project key');
  const origin = header('origin');
  if (!isOriginAllowed(origin, project.allowedOrigins))
    throw new AppError('forbidden', `Origin ${origin ?? '(none)'} is not allowed for this project`);
  const visitor = await getVisitorByTokenHash(
    deps.db,
    project.organizationId,
    project.id,
    sha256(auth.data.visitorToken),
  );
  if (!visitor) throw new AppError('unauthorized', 'Unknown visitor token');
  const [identity, conversation] = await Promise.all([
    getVisitorIdentity(deps.db, project.organizationId, visitor.id),
    getLatestConversationForVisitor(deps.db, project.organizationId, visitor.id),
  ]);
  return {
    organizationId: project.organizationId,
    projectId: project.id,
    visitorId: visitor.id,
    settings: parseProjectSettings(project.settings),
    identityVerified: identity?.identityVerified ?? false,
    ip: rateLimitAddress(clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], deps.trustProxyHops)),
    established: conversation !== null,
  };
}
