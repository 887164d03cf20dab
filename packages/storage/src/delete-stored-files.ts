import type { TLogger } from '@pocketping/core';
import type { TStorage } from './storage.js';

/**
 * Deletes the bytes of files whose rows are already gone (an erasure, the retention pass, an organization's purge).
 * Rows first, bytes after the commit: a delete that fails leaves an object nothing points to — logged with its key
 * for cleanup — never a row pointing nowhere. Returns how many were deleted.
 */
export async function deleteStoredFiles(
  storage: TStorage | null,
  keys: readonly string[],
  ctx: { log: TLogger; tenantId: string; reason: string },
): Promise<number> {
  if (!storage) return 0;
  let deleted = 0;
  for (const key of keys) {
    try {
      await storage.delete(key);
      deleted += 1;
    } catch (err) {
      ctx.log.warn(
        { err: err instanceof Error ? err.message : String(err), tenantId: ctx.tenantId, storageKey: key },
        `${ctx.reason}: file bytes not deleted`,
      );
    }
  }
  return deleted;
}
