import { Readable } from 'node:stream';
import { AppError } from '@pocketping/core';
import type { TWebContext } from '../context';
import { findDownloadableAttachment } from '@pocketping/db';

/** Types a browser may show inline (thumbnails in the inbox); everything else is always a download. */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** Where the inbox links an attachment: the tenancy-wrapped download route of its conversation. */
export function attachmentPath(
  scope: { organizationId: string; projectId: string; conversationId: string },
  attachmentId: string,
): string {
  const e = encodeURIComponent;
  return `/api/app/orgs/${e(scope.organizationId)}/projects/${e(scope.projectId)}/conversations/${e(scope.conversationId)}/attachments/${e(attachmentId)}`;
}

/**
 * The bytes of one attachment of one conversation of the caller's organization (the route's wrapper checked the
 * membership). The attachment must belong to a message of that conversation of that project — an upload never sent,
 * a deleted message's file or another conversation's id is "not found", exactly like another tenant's.
 */
export async function downloadAttachment(
  app: TWebContext,
  scope: { organizationId: string; projectId: string; conversationId: string; attachmentId: string },
  opts: { download: boolean; head: boolean },
): Promise<Response> {
  const row = await findDownloadableAttachment(app.db, scope, scope.attachmentId);
  if (!row) throw new AppError('not_found', 'File not found.');
  const object = await app.storage.get(row.storageKey);
  if (!object) {
    app.log.warn(
      { organizationId: scope.organizationId, attachmentId: row.id },
      'attachment bytes missing from storage',
    );
    throw new AppError('not_found', 'File not found.');
  }
  const inline = !opts.download && INLINE_IMAGE_TYPES.has(row.contentType);
  const headers = {
    'content-type': row.contentType,
    'content-length': String(object.size),
    'content-disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(row.name)}`,
    // The type was sniffed on upload; these make sure a browser never runs anything from the bytes on our origin.
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
    'cache-control': 'private, no-store',
    etag: `"${row.sha256}"`,
  };
  if (opts.head) {
    object.body.destroy();
    return new Response(null, { status: 200, headers });
  }
  return new Response(Readable.toWeb(object.body) as ReadableStream<Uint8Array>, { status: 200, headers });
}
