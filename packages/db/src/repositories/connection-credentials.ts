import type { TDb } from '../client.js';
import { clipName } from './connections.js';

/**
 * Replaces a connection's sealed credentials (a reinstall or a new token) and marks it active again: the fix for a
 * "broken" connection, after which its queued deliveries go out. Scoped by tenant like every repository call.
 */
export async function replaceConnectionCredentials(
  db: TDb,
  organizationId: string,
  connectionId: string,
  sealedCredentials: string,
  names?: { targetName?: string | null; scopeName?: string | null },
): Promise<void> {
  // Names are refreshed only when the caller knows them (a reinstall sees the current channel/workspace names).
  const nameData = {
    ...(names?.targetName !== undefined ? { targetName: clipName(names.targetName) } : {}),
    ...(names?.scopeName !== undefined ? { scopeName: clipName(names.scopeName) } : {}),
  };
  await db.bridgeConnection.update({
    where: { organizationId_id: { organizationId, id: connectionId } },
    data: {
      credentials: sealedCredentials,
      status: 'active',
      statusReason: null,
      consecutiveFailures: 0,
      brokenAlertedAt: null,
      ...nameData,
    },
  });
}
