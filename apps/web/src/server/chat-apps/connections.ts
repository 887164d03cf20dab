import { AppError, decryptSecret } from '@pocketping/core';
import {
  deleteConnection,
  getConnection,
  getConnectionCard,
  getProject,
  listConnectionCards,
  recordConnectionFailure,
  recordConnectionSuccess,
  writeAuditLog,
  type TConnectionCard,
  type TAuditOrigin,
} from '@pocketping/db';
import { CHAT_APPS, isBridgeError, platformMessage, toSetupError, type TSetupConnection } from '@pocketping/bridges';
import type { TWebContext } from '../context';
import { setupBridgesConfig } from './setup-ports';

/** What a connection card shows: the stored health plus one word for it. Never credentials. */
export type TConnectionView = TConnectionCard & { health: 'healthy' | 'broken' | 'failing' | 'disabled' | 'new' };

export function healthOf(c: TConnectionCard): TConnectionView['health'] {
  if (c.status === 'broken') return 'broken';
  if (c.status === 'disabled') return 'disabled';
  if (c.consecutiveFailures > 0) return 'failing';
  return c.lastSuccessAt ? 'healthy' : 'new';
}

export async function listProjectConnections(
  app: TWebContext,
  organizationId: string,
  projectId: string,
): Promise<TConnectionView[]> {
  const cards = await listConnectionCards(app.db, organizationId, projectId);
  return cards.map((c) => ({ ...c, health: healthOf(c) }));
}

/** A stored connection as its chat app's test message and disconnect see it; credentials unsealed only when read. */
function setupConnection(
  app: TWebContext,
  c: {
    id: string;
    organizationId: string;
    targetId: string;
    webhookSecretHash: string | null;
    sealedCredentials: string;
  },
): TSetupConnection {
  return {
    id: c.id,
    organizationId: c.organizationId,
    targetId: c.targetId,
    webhookSecretHash: c.webhookSecretHash,
    credentials: () => JSON.parse(decryptSecret(app.keyRing, c.sealedCredentials)) as unknown,
  };
}

async function connectionOrThrow(app: TWebContext, organizationId: string, projectId: string, connectionId: string) {
  const c = await getConnection(app.db, organizationId, connectionId);
  if (!c || c.projectId !== projectId) throw new AppError('not_found', 'Connection not found.');
  return c;
}

/** Posts a short message in the connection's chat/channel with the bridge code; a failure updates its health. */
export async function sendTestMessage(
  app: TWebContext,
  scope: { organizationId: string; projectId: string; userId: string; origin: TAuditOrigin },
  connectionId: string,
): Promise<{ ok: true; connection: TConnectionView }> {
  const c = await connectionOrThrow(app, scope.organizationId, scope.projectId, connectionId);
  const project = await getProject(app.db, scope.organizationId, scope.projectId);
  const text = `Test message from PocketPing: this chat is connected to "${project?.name ?? 'your project'}". Website conversations will show up here.`;
  try {
    await CHAT_APPS[c.kind].setup.postTestMessage(setupBridgesConfig(app.env), setupConnection(app, c), text);
  } catch (err) {
    if (isBridgeError(err)) {
      // The same rule as deliveries: a refusal that needs a person marks the connection broken with the reason.
      await recordConnectionFailure(app.db, scope.organizationId, c.id, {
        error: platformMessage(err),
        broken: err.isBreaking,
      });
    }
    throw toSetupError(err);
  }
  await recordConnectionSuccess(app.db, scope.organizationId, c.id);
  await writeAuditLog(
    app.db,
    scope.organizationId,
    {
      actorType: 'user',
      actorId: scope.userId,
      action: 'connection.test_message',
      targetType: 'bridge_connection',
      targetId: c.id,
    },
    scope.origin,
  );
  const card = await getConnectionCard(app.db, scope.organizationId, scope.projectId, c.id);
  if (!card) throw new AppError('not_found', 'Connection not found.');
  return { ok: true, connection: { ...card, health: healthOf(card) } };
}

/** Deletes the connection (threads, message map and queued deliveries cascade); Telegram's webhook is removed too. */
export async function disconnect(
  app: TWebContext,
  scope: { organizationId: string; projectId: string; userId: string; origin: TAuditOrigin },
  connectionId: string,
): Promise<{ ok: true }> {
  const c = await connectionOrThrow(app, scope.organizationId, scope.projectId, connectionId);
  await CHAT_APPS[c.kind].setup.beforeDisconnect?.(setupBridgesConfig(app.env), setupConnection(app, c), app.log);
  const deleted = await deleteConnection(app.db, scope.organizationId, scope.projectId, c.id);
  if (!deleted) throw new AppError('not_found', 'Connection not found.');
  await writeAuditLog(
    app.db,
    scope.organizationId,
    {
      actorType: 'user',
      actorId: scope.userId,
      action: `connection.${c.kind}.disconnect`,
      targetType: 'bridge_connection',
      targetId: c.id,
      metadata: { projectId: scope.projectId },
    },
    scope.origin,
  );
  app.log.info({ organizationId: scope.organizationId, connectionId: c.id, bridge: c.kind }, 'connection disconnected');
  return { ok: true };
}
