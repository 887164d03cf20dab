// GET /widget/files/:token — an attachment, only through a valid, unexpired signature scoped to its conversation.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { AppError } from '@pocketping/core';
import { getWidgetServableAttachment } from '@pocketping/db';
import type { TRealtimeContext } from '../context.js';
import { sendError } from './respond.js';

const INLINE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export function createFilesRoute(ctx: Pick<TRealtimeContext, 'db' | 'signer' | 'storage' | 'log'>) {
  return async (req: IncomingMessage, res: ServerResponse, token: string): Promise<void> => {
    const cors = { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, new AppError('bad_request', 'Use GET'), cors, 405);
      return;
    }
    const verified = ctx.signer.verify(token);
    if (!verified.ok) {
      sendError(
        res,
        new AppError(
          'forbidden',
          verified.reason === 'expired'
            ? 'This link has expired; reopen the conversation for a fresh one'
            : 'Invalid file link',
        ),
        cors,
      );
      return;
    }
    const { organizationId, conversationId, attachmentId, expiresAt } = verified.claims;
    // A link signed before its message was deleted serves nothing any more (nor does one of an internal note).
    const attachment = await getWidgetServableAttachment(ctx.db, organizationId, attachmentId);
    // The signature names the conversation too: a link can never serve a file that moved or belongs elsewhere.
    if (!attachment || attachment.conversationId !== conversationId) {
      sendError(res, new AppError('not_found', 'File not found'), cors);
      return;
    }
    const object = await ctx.storage.get(attachment.storageKey);
    if (!object) {
      ctx.log.warn({ tenantId: organizationId, attachmentId }, 'attachment bytes missing from storage');
      sendError(res, new AppError('not_found', 'File not found'), cors);
      return;
    }
    const inline = INLINE.has(attachment.contentType);
    res.writeHead(200, {
      ...cors,
      'content-type': attachment.contentType,
      'content-length': object.size,
      'content-disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(attachment.name)}`,
      // The bytes were sniffed on upload; these make sure a browser never runs anything from them.
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
      'cache-control': `private, max-age=${Math.max(0, expiresAt - Math.floor(Date.now() / 1000))}`,
      etag: `"${attachment.sha256}"`,
    });
    if (req.method === 'HEAD') {
      object.body.destroy();
      res.end();
      return;
    }
    await pipeline(object.body, res);
  };
}
