import { randomBytes, createHash } from 'node:crypto';
import { isBridgeError, type TInboundFile } from '@pocketping/bridges';
import { createAttachmentWithinQuota, getStorageUsage } from '@pocketping/db';
import { sniffContentType } from '@pocketping/storage';
import type { TWorkerContext } from '../context.js';
import type { TInboundScope } from './inbound-scope.js';

const MAX_FILES = 10;

export interface TStoredInboundFiles {
  attachmentIds: string[];
  /** Files not stored because the organization's storage quota is reached: the message names them instead. */
  overQuota: string[];
}

/**
 * Fetches the files an operator posted, checks size (while downloading) and type (from the bytes, never the
 * platform's claim), stores them within the organization's storage quota and records Attachment rows for
 * appendMessage to link. A file that cannot be taken is reported in the operator's thread instead of silently
 * vanishing (and one refused for the quota is also named in the message, see `overQuotaNotice`); a
 * platform/network failure is thrown so the job retries.
 */
export async function storeInboundFiles(
  ctx: TWorkerContext,
  scope: TInboundScope,
  files: readonly TInboundFile[],
): Promise<TStoredInboundFiles> {
  const refused: string[] = [];
  const ids: string[] = [];
  const overQuota: string[] = [];
  const storage = ctx.storage;
  const download = scope.bridge.downloadFile?.bind(scope.bridge);
  if (!storage || !download) {
    await tell(
      scope,
      `Files are not forwarded to the visitor on this server (no file storage configured): ${files.map((f) => f.name).join(', ')}`,
    );
    return { attachmentIds: [], overQuota: [] };
  }
  const quotaBytes = await ctx.storageQuotaFor(scope.organizationId);
  for (const file of files.slice(0, MAX_FILES)) {
    // Nothing fits any more: not even downloaded. The exact check is the one when the row is written.
    if ((await getStorageUsage(ctx.db, scope.organizationId)) >= quotaBytes) {
      overQuota.push(safeName(file.name));
      continue;
    }
    let got: { data: Uint8Array; name: string; contentType: string };
    try {
      got = await download(scope.target, file, ctx.maxAttachmentBytes);
    } catch (err) {
      if (isBridgeError(err) && err.kind === 'rejected') {
        refused.push(`${file.name}: ${err.message.replace(/^[a-z]+\.[A-Za-z]+: /, '')}`);
        continue;
      }
      throw err;
    }
    const bytes = Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength);
    const sniffed = sniffContentType(bytes, got.name);
    if (!sniffed) {
      refused.push(`${file.name}: this file type is not accepted (images, PDF, office documents and text are)`);
      continue;
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const storageKey = `att/${scope.organizationId}/${scope.conversationId}/${randomBytes(16).toString('hex')}`;
    await storage.put(storageKey, bytes, { contentType: sniffed.contentType, sha256 });
    const row = await createAttachmentWithinQuota(
      ctx.db,
      scope.organizationId,
      {
        conversationId: scope.conversationId,
        uploadedBy: 'operator',
        name: safeName(got.name),
        contentType: sniffed.contentType,
        size: bytes.length,
        sha256,
        storageKey,
      },
      quotaBytes,
    );
    if (!row) {
      await storage
        .delete(storageKey)
        .catch((err: unknown) =>
          scope.log.warn(
            { err: err instanceof Error ? err.message : String(err), storageKey },
            'file over the storage quota: bytes not deleted',
          ),
        );
      overQuota.push(safeName(got.name));
      continue;
    }
    ids.push(row.id);
  }
  if (overQuota.length > 0) {
    scope.log.info({ files: overQuota.length }, 'inbound files over the storage quota: named, not stored');
    refused.push(
      ...overQuota.map(
        (name) => `${name}: this organization's file storage is full (its name is shown to the visitor instead)`,
      ),
    );
  }
  if (files.length > MAX_FILES) refused.push(`only the first ${MAX_FILES} files of a message are forwarded`);
  if (refused.length > 0) await tell(scope, `Not sent to the visitor:\n${refused.join('\n')}`);
  return { attachmentIds: ids, overQuota };
}

/** What the visitor reads in place of files that were not stored for lack of space: the message still says they exist. */
export function overQuotaNotice(names: readonly string[]): string {
  return names.map((name) => `[File not available: ${name}]`).join('\n');
}

function safeName(name: string): string {
  // Control characters and path separators have no place in a file name shown to visitors.
  return (
    Array.from(name, (ch) =>
      ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f || ch === '/' || ch === '\\' ? '_' : ch,
    )
      .join('')
      .slice(0, 200) || 'file'
  );
}

async function tell(scope: TInboundScope, text: string): Promise<void> {
  await scope.bridge
    .replyInThread?.(scope.target, scope.thread, text)
    .catch((err: unknown) =>
      scope.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not post file notice'),
    );
}
