import type { TDb } from '../client.js';
import { toConnection, type TConnection } from './connections.js';

/**
 * System scan for the worker's Telegram long polling (installs without a public URL): every Telegram connection
 * that may still receive updates. No tenant id by design, like the sweeper's scan: each row carries its own
 * organizationId and everything done with an update afterwards is scoped by it. Broken connections are included
 * (a bot that lost its rights can still read replies); disabled ones are not.
 */
export async function listTelegramConnectionsForPolling(db: TDb, input: { limit: number }): Promise<TConnection[]> {
  const rows = await db.bridgeConnection.findMany({
    where: { kind: 'telegram', status: { not: 'disabled' } },
    orderBy: { createdAt: 'asc' },
    take: input.limit,
  });
  return rows.map(toConnection);
}
