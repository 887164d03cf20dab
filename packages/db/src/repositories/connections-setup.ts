import type { BridgeKind, ConnectionStatus } from '@prisma/client';
import type { TDb } from '../client.js';

/** A connection as the dashboard shows it: health and target, never the credentials or the webhook secret hash. */
export interface TConnectionCard {
  id: string;
  projectId: string;
  kind: BridgeKind;
  targetId: string;
  targetScope: string | null;
  /** Telegram group title / Slack or Discord channel name when known (null on rows made before names were stored). */
  targetName: string | null;
  /** Slack workspace / Discord server name when known. */
  scopeName: string | null;
  status: ConnectionStatus;
  statusReason: string | null;
  lastSuccessAt: string | null;
  lastErrorAt: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  createdAt: string;
  /** Paused by the plan (a downgrade left more chat apps than it allows): nothing is delivered to it. */
  pausedAt: string | null;
}

const CARD_SELECT = {
  id: true,
  projectId: true,
  kind: true,
  targetId: true,
  targetScope: true,
  targetName: true,
  scopeName: true,
  status: true,
  statusReason: true,
  lastSuccessAt: true,
  lastErrorAt: true,
  lastError: true,
  consecutiveFailures: true,
  createdAt: true,
  pausedAt: true,
} as const;

type TCardRow = {
  id: string;
  projectId: string;
  kind: BridgeKind;
  targetId: string;
  targetScope: string | null;
  targetName: string | null;
  scopeName: string | null;
  status: ConnectionStatus;
  statusReason: string | null;
  lastSuccessAt: Date | null;
  lastErrorAt: Date | null;
  lastError: string | null;
  consecutiveFailures: number;
  createdAt: Date;
  pausedAt: Date | null;
};
const toCard = (c: TCardRow): TConnectionCard => ({
  ...c,
  lastSuccessAt: c.lastSuccessAt?.toISOString() ?? null,
  lastErrorAt: c.lastErrorAt?.toISOString() ?? null,
  createdAt: c.createdAt.toISOString(),
  pausedAt: c.pausedAt?.toISOString() ?? null,
});

export async function listConnectionCards(
  db: TDb,
  organizationId: string,
  projectId: string,
): Promise<TConnectionCard[]> {
  const rows = await db.bridgeConnection.findMany({
    where: { organizationId, projectId },
    orderBy: { createdAt: 'asc' },
    select: CARD_SELECT,
  });
  return rows.map(toCard);
}

export async function getConnectionCard(
  db: TDb,
  organizationId: string,
  projectId: string,
  connectionId: string,
): Promise<TConnectionCard | null> {
  const row = await db.bridgeConnection.findFirst({
    where: { organizationId, projectId, id: connectionId },
    select: CARD_SELECT,
  });
  return row ? toCard(row) : null;
}

/** Deletes a connection of that project (its threads, message map, outbox and inbound rows cascade). False if none. */
export async function deleteConnection(
  db: TDb,
  organizationId: string,
  projectId: string,
  connectionId: string,
): Promise<boolean> {
  const res = await db.bridgeConnection.deleteMany({ where: { organizationId, projectId, id: connectionId } });
  return res.count > 0;
}
