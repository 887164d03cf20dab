import type { BridgeKind } from '@prisma/client';
import type { TDb } from '../client.js';
import { toConnection, type TConnection } from './connections.js';
import { findUnstorableChar } from '../storable.js';

/**
 * Resolves a shared app's inbound event (Slack: team_id + channel) to the connections it may belong to — the
 * tenant wrapper's lookup for transports with one URL for every tenant. No tenant id by design, like
 * resolveConnectionForWebhook; the caller must have authenticated the request (signature) first. Usually one
 * row; several only if two projects connected the same channel, and then each processes it against its own
 * threads. Disabled connections receive nothing.
 */
export async function resolveConnectionsByTarget(
  db: TDb,
  input: { kind: BridgeKind; targetScope: string; targetId: string },
): Promise<TConnection[]> {
  // No stored id holds NUL or a lone surrogate, and Prisma cannot even send one in a query (it would be a 5xx).
  if (input.targetScope.length > 100 || input.targetId.length > 100) return [];
  if (findUnstorableChar(input.targetScope) !== -1 || findUnstorableChar(input.targetId) !== -1) return [];
  const rows = await db.bridgeConnection.findMany({
    where: { kind: input.kind, targetScope: input.targetScope, targetId: input.targetId, status: { not: 'disabled' } },
    orderBy: { createdAt: 'asc' },
    take: 10,
  });
  return rows.map(toConnection);
}
