// Uploads that never made it into a message (the visitor closed the tab, the send failed, a worker died between
// storing a platform file and appending its message) are removed after a while: rows and bytes.
import type { TLogger } from '@pocketping/core';
import type { TSql } from '@pocketping/db';
import type { TStorage } from '@pocketping/storage';

export interface TOrphanSweepResult {
  /** Attachment rows deleted. */
  rows: number;
  /** Storage objects that could not be deleted (logged with their keys; the rows are gone either way). */
  storageFailures: number;
}

/**
 * One pass: deletes up to `limit` unlinked attachments older than `olderThanMs` and then their stored bytes. A system
 * scan across tenants, like the outbox sweeper's; each deleted row names its tenant in the log.
 *
 * Rows go first, in one statement: a visitor linking that very upload at the same moment either wins (the row has a
 * message now and is skipped) or loses (their send is refused, nothing half-linked). Rows locked by such a send are
 * skipped, and so are rows another node's pass holds, so every realtime node can run this.
 */
export async function sweepOrphanUploads(
  deps: { sql: TSql; storage: TStorage; log: TLogger },
  opts: { olderThanMs: number; limit?: number },
): Promise<TOrphanSweepResult> {
  const { rows } = await deps.sql.query<{ organizationId: string; id: string; storageKey: string }>({
    name: 'pp_sweep_orphan_uploads',
    text: `DELETE FROM "Attachment" a
      WHERE a.id IN (
        SELECT id FROM "Attachment"
        WHERE "messageId" IS NULL AND "createdAt" < (now() AT TIME ZONE 'UTC') - make_interval(secs => $1)
        ORDER BY "createdAt" LIMIT $2
        FOR UPDATE SKIP LOCKED)
      AND a."messageId" IS NULL
      RETURNING a."organizationId", a.id, a."storageKey"`,
    values: [opts.olderThanMs / 1000, opts.limit ?? 500],
  });
  let storageFailures = 0;
  for (const r of rows) {
    try {
      await deps.storage.delete(r.storageKey);
    } catch (err) {
      storageFailures += 1;
      deps.log.warn(
        {
          err: err instanceof Error ? err.message : String(err),
          tenantId: r.organizationId,
          attachmentId: r.id,
          storageKey: r.storageKey,
        },
        'orphan upload: row deleted, bytes not',
      );
    }
  }
  if (rows.length > 0) deps.log.info({ rows: rows.length, storageFailures }, 'orphan uploads removed');
  return { rows: rows.length, storageFailures };
}

/** Runs `sweepOrphanUploads` every `intervalMs` (and drains a backlog in batches); `stop()` ends it. */
export function startOrphanUploadSweeper(
  deps: { sql: TSql; storage: TStorage; log: TLogger },
  opts: { intervalMs: number; olderThanMs: number },
): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void (async () => {
      // A full batch means there may be more: keep going (bounded) before the next tick.
      for (let i = 0; i < 20; i++) {
        const r = await sweepOrphanUploads(deps, { olderThanMs: opts.olderThanMs, limit: 500 });
        if (r.rows < 500) break;
      }
    })()
      .catch((err: unknown) =>
        deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'orphan upload sweep failed'),
      )
      .finally(() => {
        running = false;
      });
  }, opts.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
