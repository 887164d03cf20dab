import { isBridgeError, getBridge } from '@pocketping/bridges';
import { claimPlatformDeletions, finishPlatformDeletion, getConnection } from '@pocketping/db';
import { toBridgeTarget, type TWorkerContext } from '../context.js';

/** Attempts before a chat-app deletion is given up (a refusal that needs a person gives up at once). */
const MAX_ATTEMPTS = 5;

/**
 * Deletes queued posts of ours in the chat apps (an erased visitor's conversation), best effort: each row is claimed
 * (two workers never call the platform twice for one post), the bridge's `remove` treats "already gone" as done, a
 * connection gone or a refusal that needs a person (no right to delete, bot removed) gives the row up, anything
 * else is retried by the next pass. Rate limits are not waited for here: a 429 leaves the row to the next pass.
 */
export async function deletePlatformPosts(
  ctx: TWorkerContext,
  input: { organizationId: string | null; now?: () => Date; batch?: number },
): Promise<{ done: number; failed: number }> {
  const now = input.now ?? (() => new Date());
  const result = { done: 0, failed: 0 };
  for (;;) {
    const rows = await claimPlatformDeletions(ctx.db, {
      organizationId: input.organizationId,
      now: now(),
      limit: input.batch ?? 50,
    });
    if (rows.length === 0) return result;
    for (const row of rows) {
      const connection = await getConnection(ctx.db, row.organizationId, row.connectionId);
      if (!connection) {
        await finishPlatformDeletion(ctx.db, row, { ok: false, error: 'connection gone', giveUp: true });
        result.failed += 1;
        continue;
      }
      try {
        await getBridge(ctx.bridges, connection.kind).remove(
          toBridgeTarget(ctx, connection),
          { externalChatId: row.externalChatId, externalThreadId: row.externalThreadId },
          row.externalMessageId,
        );
        await finishPlatformDeletion(ctx.db, row, { ok: true });
        result.done += 1;
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        const giveUp = row.attempts >= MAX_ATTEMPTS || (isBridgeError(err) && err.isBreaking);
        await finishPlatformDeletion(ctx.db, row, { ok: false, error, giveUp });
        if (giveUp) result.failed += 1;
        ctx.log.warn(
          { tenantId: row.organizationId, connectionId: row.connectionId, bridge: connection.kind, err: error, giveUp },
          'chat-app post not deleted',
        );
      }
    }
    // A row left pending after an error is claimed again only after its hold: this loop ends.
  }
}
