import type { BridgeKind, ConnectionStatus } from '@prisma/client';
import type { TDb, TDbOrTx, TTx } from '../client.js';
import { emitWebhookEvent } from './webhooks.js';

/** A connection as the rest of the system sees it. `credentials` stays sealed; only bridge code unseals it. */
export interface TConnection {
  id: string;
  organizationId: string;
  projectId: string;
  kind: BridgeKind;
  sealedCredentials: string;
  webhookSecretHash: string | null;
  targetId: string;
  targetScope: string | null;
  status: ConnectionStatus;
  statusReason: string | null;
}

/** What an API may show about a connection: never the credentials. */
export interface TConnectionPublic {
  id: string;
  projectId: string;
  kind: BridgeKind;
  targetId: string;
  status: ConnectionStatus;
  statusReason: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  consecutiveFailures: number;
}

type Row = {
  id: string;
  organizationId: string;
  projectId: string;
  kind: BridgeKind;
  credentials: string;
  webhookSecretHash: string | null;
  targetId: string;
  targetScope: string | null;
  status: ConnectionStatus;
  statusReason: string | null;
};
/** THE row → TConnection mapping: every repository that reads connections goes through it (credentials stay sealed). */
export function toConnection(c: Row): TConnection {
  return {
    id: c.id,
    organizationId: c.organizationId,
    projectId: c.projectId,
    kind: c.kind,
    sealedCredentials: c.credentials,
    webhookSecretHash: c.webhookSecretHash,
    targetId: c.targetId,
    targetScope: c.targetScope,
    status: c.status,
    statusReason: c.statusReason,
  };
}

/** Platform names are free text: stored trimmed and capped so a hostile title cannot bloat every card. */
export const clipName = (name: string | null | undefined): string | null => {
  const t = name?.trim();
  return t ? t.slice(0, 200) : null;
};

export async function createConnection(
  db: TDb,
  organizationId: string,
  input: {
    projectId: string;
    kind: BridgeKind;
    sealedCredentials: string;
    webhookSecretHash?: string | null;
    targetId: string;
    targetScope?: string | null;
    /** Display names (group title / channel name, workspace / server name), shown by the dashboard instead of ids. */
    targetName?: string | null;
    scopeName?: string | null;
  },
  opts: {
    /**
     * The plan's check, given the project's active chat apps counted under the organization's row lock (so two
     * connects at once cannot both take the last place); it throws to refuse.
     */
    withinLimit?: (activeInProject: number) => void;
  } = {},
): Promise<TConnection> {
  const { withinLimit } = opts;
  if (withinLimit) {
    return db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM "Organization" WHERE id = ${organizationId} FOR UPDATE`;
      withinLimit(
        await tx.bridgeConnection.count({
          where: { organizationId, projectId: input.projectId, pausedAt: null, status: { not: 'disabled' } },
        }),
      );
      return insertConnection(tx, organizationId, input);
    });
  }
  return insertConnection(db, organizationId, input);
}

async function insertConnection(
  db: TDbOrTx,
  organizationId: string,
  input: Parameters<typeof createConnection>[2],
): Promise<TConnection> {
  const c = await db.bridgeConnection.create({
    data: {
      organizationId,
      projectId: input.projectId,
      kind: input.kind,
      credentials: input.sealedCredentials,
      webhookSecretHash: input.webhookSecretHash ?? null,
      targetId: input.targetId,
      targetScope: input.targetScope ?? null,
      targetName: clipName(input.targetName),
      scopeName: clipName(input.scopeName),
    },
  });
  return toConnection(c);
}

export async function getConnection(
  db: TDb,
  organizationId: string,
  connectionId: string,
): Promise<TConnection | null> {
  const c = await db.bridgeConnection.findUnique({
    where: { organizationId_id: { organizationId, id: connectionId } },
  });
  return c ? toConnection(c) : null;
}

/**
 * Resolves an inbound webhook's connection id to its tenant. Like the project key, the connection id in a webhook
 * URL is where the tenant is discovered; the caller must still verify the webhook's secret before trusting it.
 */
export async function resolveConnectionForWebhook(db: TDb, connectionId: string): Promise<TConnection | null> {
  if (!/^[a-z0-9]{20,40}$/.test(connectionId)) return null;
  const c = await db.bridgeConnection.findUnique({ where: { id: connectionId } });
  return c ? toConnection(c) : null;
}

export async function listConnections(
  db: TDb,
  organizationId: string,
  projectId: string,
): Promise<TConnectionPublic[]> {
  const rows = await db.bridgeConnection.findMany({
    where: { organizationId, projectId },
    orderBy: { createdAt: 'asc' },
  });
  return rows.map((c) => ({
    id: c.id,
    projectId: c.projectId,
    kind: c.kind,
    targetId: c.targetId,
    status: c.status,
    statusReason: c.statusReason,
    lastSuccessAt: c.lastSuccessAt?.toISOString() ?? null,
    lastError: c.lastError,
    consecutiveFailures: c.consecutiveFailures,
  }));
}

export async function recordConnectionSuccess(db: TDb, organizationId: string, connectionId: string): Promise<void> {
  await db.bridgeConnection.update({
    where: { organizationId_id: { organizationId, id: connectionId } },
    data: { lastSuccessAt: new Date(), consecutiveFailures: 0, status: 'active', statusReason: null },
  });
}

/** Records a failure; `broken` marks the connection as needing a person (revoked token, kicked bot, …). */
export async function recordConnectionFailure(
  db: TDb,
  organizationId: string,
  connectionId: string,
  input: { error: string; broken?: boolean },
): Promise<void> {
  if (input.broken) return markConnectionBroken(db, organizationId, connectionId, { error: input.error });
  await db.bridgeConnection.update({
    where: { organizationId_id: { organizationId, id: connectionId } },
    data: {
      lastErrorAt: new Date(),
      lastError: input.error.slice(0, 500),
      consecutiveFailures: { increment: 1 },
      ...(input.broken ? { status: 'broken' as const, statusReason: input.error.slice(0, 500) } : {}),
    },
  });
}

export async function countProjectConnections(db: TDb, organizationId: string, projectId: string): Promise<number> {
  return db.bridgeConnection.count({ where: { organizationId, projectId } });
}

/** The project's connections that work (active): 0 means no chat app would alert the team. */
export async function countWorkingConnections(db: TDb, organizationId: string, projectId: string): Promise<number> {
  return db.bridgeConnection.count({ where: { organizationId, projectId, status: 'active' } });
}

/** The id of the project's connection of this kind to this chat/channel, or null. */
export async function findProjectConnectionIdByTarget(
  db: TDb,
  scope: { organizationId: string; projectId: string },
  kind: BridgeKind,
  targetId: string,
): Promise<string | null> {
  const row = await db.bridgeConnection.findFirst({
    where: { organizationId: scope.organizationId, projectId: scope.projectId, kind, targetId },
    select: { id: true },
  });
  return row?.id ?? null;
}

/**
 * A system scan (across tenants, each row keeps its organization) of live Telegram connections made before the
 * bot id was recorded: the only way to find which project such a bot serves is to unseal their credentials.
 */
export async function listTelegramConnectionsWithoutBotId(
  db: TDb,
  limit = 1000,
): Promise<{ organizationId: string; projectId: string; sealedCredentials: string }[]> {
  const rows = await db.bridgeConnection.findMany({
    where: { kind: 'telegram', targetScope: null, status: { not: 'disabled' } },
    select: { organizationId: true, projectId: true, credentials: true },
    take: limit,
  });
  return rows.map((r) => ({
    organizationId: r.organizationId,
    projectId: r.projectId,
    sealedCredentials: r.credentials,
  }));
}

/** The connection's status before a change, its row locked until commit (so one transition is announced once). */
export async function lockConnectionStatus(
  tx: TTx,
  organizationId: string,
  connectionId: string,
): Promise<{ status: string; projectId: string; kind: string } | null> {
  const rows = await tx.$queryRaw<{ status: string; projectId: string; kind: string }[]>`
    SELECT status::text AS status, "projectId", kind::text AS kind FROM "BridgeConnection"
    WHERE "organizationId" = ${organizationId} AND id = ${connectionId} FOR UPDATE`;
  return rows[0] ?? null;
}

/** A connection turned broken: `connection.broken` for the project's webhooks, with the change (same transaction). */
export async function markConnectionBroken(
  db: TDb,
  organizationId: string,
  connectionId: string,
  input: { error: string },
): Promise<void> {
  await db.$transaction(async (tx) => {
    const before = await lockConnectionStatus(tx, organizationId, connectionId);
    if (!before) return;
    await tx.bridgeConnection.updateMany({
      where: { organizationId, id: connectionId },
      data: {
        lastErrorAt: new Date(),
        lastError: input.error.slice(0, 500),
        consecutiveFailures: { increment: 1 },
        status: 'broken',
        statusReason: input.error.slice(0, 500),
      },
    });
    if (before.status !== 'broken')
      await emitWebhookEvent(tx, organizationId, {
        projectId: before.projectId,
        type: 'connection.broken',
        conversationId: null,
        data: {
          connection: {
            id: connectionId,
            projectId: before.projectId,
            kind: before.kind,
            status: 'broken',
            reason: input.error.slice(0, 500),
          },
        },
      });
  });
}
