import type { TDb } from '../client.js';

/**
 * Replaces a connection's sealed credentials (a reinstall or a new token) and marks it active again: the fix for a
 * "broken" connection, after which its queued deliveries go out. Scoped by tenant like every repository call.
 */
export async function replaceConnectionCredentials(db: TDb, organizationId: string, connectionId: string, sealedCredentials: string): Promise<void> {
  await db.bridgeConnection.update({
    where: { organizationId_id: { organizationId, id: connectionId } },
    data: { credentials: sealedCredentials, status: 'active', statusReason: null, consecutiveFailures: 0, brokenAlertedAt: null },
  });
}
