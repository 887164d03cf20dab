import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { AppError, declaresTooLarge, formatBytes, randomToken } from '@pocketping/core';
import { attachOperatorUpload } from '@pocketping/conversations';
import { conversationExists, getStorageUsage } from '@pocketping/db';
import { UPLOAD_LIMITS } from '@pocketping/protocol';
import { cleanFileName, storeUploadStream } from '@pocketping/storage';
import type { TWebContext } from '../context';
import { attachmentPath } from './attachment-download';
import { conversationPorts } from './realtime';

export interface TOperatorUpload {
  id: string;
  name: string;
  contentType: string;
  size: number;
  /** The inbox's tenancy-checked link (a thumbnail in the reply box once the reply is sent). */
  url: string;
}

const fileTooLarge = (maxBytes: number) =>
  new AppError('payload_too_large', `Files are limited to ${formatBytes(maxBytes)}.`, { limitBytes: maxBytes });

const storageFull = () =>
  new AppError(
    'payload_too_large',
    "Your organization's file storage is full, so the file was not attached. Delete old conversations or upgrade the plan.",
    { reason: 'storage_quota' },
  );

/**
 * A file from the reply box (the request body is the file itself): the same checks as a visitor's upload — size cap
 * counted while it streams, type sniffed from the bytes (refused types are never stored), the organization's storage
 * quota — through the same storage. It waits, unsent, until the reply naming it is posted.
 */
export async function uploadOperatorFile(
  app: TWebContext,
  scope: { organizationId: string; projectId: string; conversationId: string },
  req: Request,
  rawName: string,
  maxBytes: number = UPLOAD_LIMITS.maxBytes,
): Promise<TOperatorUpload> {
  if (declaresTooLarge(req.headers.get('content-length'), maxBytes)) throw fileTooLarge(maxBytes);
  const { organizationId, conversationId } = scope;
  if (!(await conversationExists(app.db, scope, conversationId)))
    throw new AppError('not_found', 'Conversation not found.');
  const quotaBytes = await app.limits.storageQuotaFor(organizationId);
  // Nothing fits any more: refused before a byte is read. The exact check is the one below, under the meter's lock.
  if ((await getStorageUsage(app.db, organizationId)) >= quotaBytes) throw storageFull();
  if (!req.body) throw new AppError('bad_request', 'The file is empty.');
  const name = cleanFileName(rawName, UPLOAD_LIMITS.nameMax);
  const storageKey = `${organizationId}/o/${conversationId}/${randomToken('', 18)}`;
  let stored: Awaited<ReturnType<typeof storeUploadStream>>;
  try {
    stored = await storeUploadStream(
      app.storage,
      storageKey,
      Readable.fromWeb(req.body as unknown as NodeWebStream<Uint8Array>),
      { fileName: name, maxBytes },
    );
  } catch (err) {
    throw err instanceof AppError && err.code === 'payload_too_large' ? fileTooLarge(maxBytes) : err;
  }
  if (!stored.ok)
    throw new AppError('bad_request', 'This file type is not accepted (images, PDF, office documents, plain text).', {
      reason: 'file_type',
    });
  if (stored.size === 0) {
    await deleteStored(app, organizationId, storageKey);
    throw new AppError('bad_request', 'The file is empty.');
  }
  let attachment: Awaited<ReturnType<typeof attachOperatorUpload>>;
  try {
    attachment = await attachOperatorUpload(conversationPorts(app), organizationId, {
      conversationId,
      projectId: scope.projectId,
      name,
      contentType: stored.contentType,
      size: stored.size,
      sha256: stored.sha256,
      storageKey,
      quotaBytes,
    });
  } catch (err) {
    await deleteStored(app, organizationId, storageKey);
    throw err;
  }
  if (!attachment) {
    await deleteStored(app, organizationId, storageKey);
    throw storageFull();
  }
  return {
    id: attachment.id,
    name: attachment.name,
    contentType: attachment.contentType,
    size: attachment.size,
    url: attachmentPath(scope, attachment.id),
  };
}

/** Bytes of a refused upload: removed now (the orphan sweep only knows rows). */
async function deleteStored(app: TWebContext, organizationId: string, storageKey: string): Promise<void> {
  await app.storage
    .delete(storageKey)
    .catch((err: unknown) =>
      app.log.warn(
        { err: err instanceof Error ? err.message : String(err), tenantId: organizationId, storageKey },
        'refused upload: bytes not deleted',
      ),
    );
}
