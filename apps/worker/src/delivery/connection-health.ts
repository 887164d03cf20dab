import { getBridge, sourceLabel, type BridgeError } from '@pocketping/bridges';
import {
  claimBrokenAlert,
  listHealthyConnections,
  markConnectionHealthy,
  recordConnectionFailure,
  type TPairContext,
} from '@pocketping/db';
import { toBridgeTarget, type TWorkerContext } from '../context.js';

/** A healthy connection's lastSuccessAt is refreshed at most this often, not on every message (hot path). */
const SUCCESS_REFRESH_MS = 30_000;
const lastRecorded = new Map<string, number>();

/** After a successful post: clears failures and a broken status (and re-arms the outage alert). */
export async function recordSuccess(ctx: TWorkerContext, connection: TPairContext['connection']): Promise<void> {
  const healthy =
    connection.status === 'active' && connection.consecutiveFailures === 0 && connection.brokenAlertedAt === null;
  const last = Math.max(lastRecorded.get(connection.id) ?? 0, connection.lastSuccessAt?.getTime() ?? 0);
  if (healthy && Date.now() - last < SUCCESS_REFRESH_MS) return;
  // Claimed before the write: the drains of one connection run concurrently, and N identical UPDATEs of its row
  // queue on the row lock (measured: 133–247 ms each when 50 drains started at once), stalling every one of them.
  const claimedAt = Date.now();
  lastRecorded.set(connection.id, claimedAt);
  try {
    await markConnectionHealthy(ctx.db, connection.organizationId, connection.id);
  } catch (err) {
    if (lastRecorded.get(connection.id) === claimedAt) lastRecorded.delete(connection.id);
    throw err;
  }
  if (connection.status === 'broken')
    ctx.log.info(
      { tenantId: connection.organizationId, connectionId: connection.id, bridge: connection.kind },
      'connection works again',
    );
  // The drain keeps using this object: it now reflects what was just written.
  Object.assign(connection, {
    status: 'active',
    consecutiveFailures: 0,
    brokenAlertedAt: null,
    lastSuccessAt: new Date(),
  });
}

/**
 * A failed post: counted on the connection; a breaking error (revoked token, bot removed, channel gone, rights
 * lost) marks it broken with the error's readable message and alerts the owner once per outage on the project's
 * other connections. The row stays pending either way: nothing is dropped.
 */
export async function recordFailure(
  ctx: TWorkerContext,
  connection: TPairContext['connection'],
  err: BridgeError,
): Promise<void> {
  lastRecorded.delete(connection.id);
  await recordConnectionFailure(ctx.db, connection.organizationId, connection.id, {
    error: err.message,
    broken: err.isBreaking,
  });
  if (!err.isBreaking) return;
  if (!(await claimBrokenAlert(ctx.db, connection.organizationId, connection.id))) return;
  await alertOwner(ctx, connection, err).catch((e: unknown) =>
    ctx.log.warn(
      {
        tenantId: connection.organizationId,
        connectionId: connection.id,
        err: e instanceof Error ? e.message : String(e),
      },
      'broken-connection alert failed',
    ),
  );
}

/** Posts "your X connection stopped working" in a general place of every other healthy connection of the project. */
async function alertOwner(ctx: TWorkerContext, broken: TPairContext['connection'], err: BridgeError): Promise<void> {
  const others = await listHealthyConnections(ctx.db, broken.organizationId, broken.projectId, broken.id);
  const text = `PocketPing: your ${sourceLabel(broken.kind)} connection stopped working — ${reasonOf(err)}. Visitor messages are kept and will be delivered there as soon as it is fixed.`;
  let posted = 0;
  for (const other of others) {
    const bridge = getBridge(ctx.bridges, other.kind);
    if (!bridge.postAlert) continue;
    try {
      await bridge.postAlert(toBridgeTarget(ctx, other), text);
      posted += 1;
    } catch (e) {
      ctx.log.warn(
        {
          tenantId: broken.organizationId,
          connectionId: other.id,
          bridge: other.kind,
          err: e instanceof Error ? e.message : String(e),
        },
        'could not post alert',
      );
    }
  }
  ctx.log.warn(
    {
      tenantId: broken.organizationId,
      connectionId: broken.id,
      bridge: broken.kind,
      alertedOn: posted,
      reason: err.message,
    },
    'connection broken; owner alerted',
  );
}

/** The readable part of a platform error ("telegram.sendMessage: The bot token was revoked…" → the sentence). */
export function reasonOf(err: BridgeError): string {
  const prefix = `${err.platform}.${err.method}: `;
  const m = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  return m.replace(/\.$/, '');
}
