import type { BridgeKind } from '@prisma/client';
import type { TDb } from '../client.js';
import { toConnection, type TConnection } from './connections.js';
import { findUnstorableChar } from '../storable.js';

/**
 * Workspace-level events of a shared app (Slack app_uninstalled / tokens_revoked name a team, no channel): every
 * connection of that team, whatever its channel. Like resolveConnectionsByTarget, the tenant wrapper's lookup for a
 * transport with one URL for every tenant — no tenant id by design; the caller must have verified the request's
 * signature first, and everything after is scoped by each row's organizationId.
 */
export async function resolveConnectionsByScope(
  db: TDb,
  input: { kind: BridgeKind; targetScope: string },
): Promise<TConnection[]> {
  // No stored id holds NUL or a lone surrogate, and Prisma cannot even send one in a query (it would be a 5xx).
  if (input.targetScope.length > 100 || findUnstorableChar(input.targetScope) !== -1) return [];
  const rows = await db.bridgeConnection.findMany({
    where: { kind: input.kind, targetScope: input.targetScope, status: { not: 'disabled' } },
    orderBy: { createdAt: 'asc' },
    take: 100,
  });
  return rows.map(toConnection);
}
