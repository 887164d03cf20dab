// A connection's health as deliveries see it: healthy again after a success, one alert per outage.
import type { TDb } from '../client.js';
import { emitWebhookEvent } from './webhooks.js';
import { lockConnectionStatus, toConnection, type TConnection } from './connections.js';

/** A delivery went through: the connection is healthy again and a future outage will be alerted anew. */
export async function markConnectionHealthy(db: TDb, organizationId: string, connectionId: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const before = await lockConnectionStatus(tx, organizationId, connectionId);
    await tx.bridgeConnection.updateMany({
      where: { organizationId, id: connectionId },
      data: {
        lastSuccessAt: new Date(),
        consecutiveFailures: 0,
        status: 'active',
        statusReason: null,
        brokenAlertedAt: null,
      },
    });
    if (before?.status === 'broken')
      await emitWebhookEvent(tx, organizationId, {
        projectId: before.projectId,
        type: 'connection.recovered',
        conversationId: null,
        data: { connection: { id: connectionId, projectId: before.projectId, kind: before.kind, status: 'active' } },
      });
  });
}

/**
 * Claims the right to alert the owner about this outage: true exactly once per outage (brokenAlertedAt is set
 * atomically; markConnectionHealthy clears it), so several workers failing at once alert once.
 */
export async function claimBrokenAlert(db: TDb, organizationId: string, connectionId: string): Promise<boolean> {
  const r = await db.bridgeConnection.updateMany({
    where: { organizationId, id: connectionId, status: 'broken', brokenAlertedAt: null },
    data: { brokenAlertedAt: new Date() },
  });
  return r.count > 0;
}

/** Active connections of a project other than `excludeId`: where to post an alert about a broken one. */
export async function listHealthyConnections(
  db: TDb,
  organizationId: string,
  projectId: string,
  excludeId: string,
): Promise<TConnection[]> {
  const rows = await db.bridgeConnection.findMany({
    where: { organizationId, projectId, status: 'active', id: { not: excludeId } },
    orderBy: { createdAt: 'asc' },
  });
  return rows.map(toConnection);
}
