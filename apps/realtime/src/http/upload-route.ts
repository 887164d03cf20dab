// POST /widget/uploads — a visitor's attachment: multipart field `file`, at most UPLOAD_LIMITS.maxBytes, streamed to storage.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, declaresTooLarge, formatBytes, randomToken } from '@pocketping/core';
import { attachVisitorUpload } from '@pocketping/conversations';
import { getStorageUsage } from '@pocketping/db';
import { UPLOAD_HEADERS, UPLOAD_LIMITS, type TUploadResponse } from '@pocketping/protocol';
import { cleanFileName, storeUploadStream } from '@pocketping/storage';
import type { TRealtimeContext } from '../context.js';
import { EVENT_LIMITS, IP_UPLOAD_LIMIT } from '../widget/event-limits.js';
import { enforceLimits } from '../widget/handle.js';
import { joinConversation } from '../widget/handlers.js';
import { authenticateHttpWidget } from './authenticate-http.js';
import { FRAMING_BYTES, discardRestOfBody, readMultipartFile } from './read-multipart-file.js';
import { corsHeaders, sendError, sendJson } from './respond.js';

const fileTooLarge = (maxBytes: number) =>
  new AppError('payload_too_large', `Files are limited to ${formatBytes(maxBytes)}`, { limitBytes: maxBytes });

/** The organization's file storage is full: the widget shows this message next to the file. */
function storageFull(organizationId: string, ctx: Pick<TRealtimeContext, 'log'>): AppError {
  ctx.log.info({ tenantId: organizationId }, 'upload refused: storage quota reached');
  return new AppError(
    'payload_too_large',
    "This site's file storage is full, so the file could not be sent. Try again later or describe it in a message.",
    { reason: 'storage_quota' },
  );
}

/** Bytes stored for an upload that ends up refused: removed now (the orphan sweep only knows rows). */
async function deleteStored(
  ctx: Pick<TRealtimeContext, 'storage' | 'log'>,
  organizationId: string,
  storageKey: string,
): Promise<void> {
  await ctx.storage
    .delete(storageKey)
    .catch((err: unknown) =>
      ctx.log.warn({ err, tenantId: organizationId, storageKey }, 'refused upload: bytes not deleted'),
    );
}

/**
 * Answers a refusal that may come before the body was read to its end. A body already past the cap is cut off (the
 * connection closes after the answer); any other refusal (quota, type, auth, rate limit) lets the client finish
 * sending within the cap on a live connection, since browsers show the answer only after their upload.
 */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  err: unknown,
  cors: Record<string, string>,
  maxBytes: number,
  status?: number,
): void {
  const overLimit =
    err instanceof AppError &&
    err.code === 'payload_too_large' &&
    (err.details as { limitBytes?: number } | undefined)?.limitBytes !== undefined;
  sendError(res, err, overLimit && !req.complete ? { ...cors, connection: 'close' } : cors, status);
  discardRestOfBody(req, res, overLimit ? 256 * 1024 : maxBytes + FRAMING_BYTES);
}

export function createUploadRoute(ctx: TRealtimeContext, maxBytes: number = UPLOAD_LIMITS.maxBytes) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const cors = corsHeaders(req);
    if (req.method === 'OPTIONS') {
      // Preflight carries no key or token values; the real request is checked in full.
      res
        .writeHead(204, {
          ...cors,
          'access-control-allow-methods': 'POST, OPTIONS',
          'access-control-allow-headers': `content-type, ${UPLOAD_HEADERS.projectKey}, ${UPLOAD_HEADERS.visitorToken}`,
          'access-control-max-age': '600',
        })
        .end();
      return;
    }
    if (req.method !== 'POST') {
      sendJson(
        res,
        405,
        { ok: false, error: { code: 'bad_request', message: 'Use POST' } },
        { ...cors, allow: 'POST, OPTIONS' },
      );
      return;
    }
    try {
      // A declared length far above the cap is refused before anything else; a chunked body is counted as it streams.
      if (declaresTooLarge(req.headers['content-length'], maxBytes + 64 * 1024)) throw fileTooLarge(maxBytes);
      const caller = await authenticateHttpWidget(req, ctx);
      if (caller.settings.identity === 'enforce' && !caller.identityVerified)
        throw new AppError(
          'unauthorized',
          'This site requires a verified identity: call identify() with a valid hash first',
        );
      await enforceLimits(ctx.limiter, 'upload', EVENT_LIMITS.upload, caller, IP_UPLOAD_LIMIT);
      const quotaBytes = await ctx.storageQuotaFor(caller.organizationId);
      // Nothing fits any more: refused before a byte is read. The exact check is the one at the end, under a lock.
      if ((await getStorageUsage(ctx.db, caller.organizationId)) >= quotaBytes)
        throw storageFull(caller.organizationId, ctx);

      // Keyed by visitor, not conversation: the conversation is opened only once a file was taken.
      const storageKey = `${caller.organizationId}/v/${caller.visitorId}/${randomToken('', 18)}`;
      const stored = await readMultipartFile(req, maxBytes, async (rawName, stream) => {
        const name = cleanFileName(rawName, UPLOAD_LIMITS.nameMax);
        try {
          return { name, file: await storeUploadStream(ctx.storage, storageKey, stream, { fileName: name, maxBytes }) };
        } catch (err) {
          throw err instanceof AppError && err.code === 'payload_too_large' ? fileTooLarge(maxBytes) : err;
        }
      });
      if (!stored.file.ok) {
        refuse(
          req,
          res,
          new AppError('bad_request', 'This file type is not accepted (images, PDF, office documents, plain text)'),
          cors,
          maxBytes,
          415,
        );
        return;
      }
      let attached: Awaited<ReturnType<typeof attachVisitorUpload>>;
      try {
        // The conversation action: opens the visitor's conversation like a first message would, within the quota.
        attached = await attachVisitorUpload(
          ctx.actions,
          {
            organizationId: caller.organizationId,
            projectId: caller.projectId,
            visitorId: caller.visitorId,
            openConversationId: null,
          },
          {
            name: stored.name,
            contentType: stored.file.contentType,
            size: stored.file.size,
            sha256: stored.file.sha256,
            storageKey,
            quotaBytes,
          },
        );
      } catch (err) {
        await deleteStored(ctx, caller.organizationId, storageKey);
        throw err;
      }
      if (!attached) {
        await deleteStored(ctx, caller.organizationId, storageKey);
        throw storageFull(caller.organizationId, ctx);
      }
      const { conversationId, attachment } = attached;
      // The upload may have opened the conversation: every tab of the visitor follows it from now on.
      joinConversation(ctx, caller.visitorId, conversationId);
      const body: TUploadResponse = {
        ok: true,
        attachment: {
          id: attachment.id,
          name: attachment.name,
          contentType: attachment.contentType,
          size: attachment.size,
          url: ctx.signer.url({ organizationId: caller.organizationId, conversationId, attachmentId: attachment.id }),
        },
      };
      sendJson(res, 201, body, cors);
    } catch (err) {
      if (!(err instanceof AppError)) ctx.log.error({ err }, 'upload failed');
      refuse(req, res, err, cors, maxBytes);
    }
  };
}
