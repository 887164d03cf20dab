// POST /widget/uploads — a visitor's attachment: multipart field `file`, at most UPLOAD_LIMITS.maxBytes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { AppError, randomToken } from '@pocketping/core';
import { createAttachment, getOrCreateOpenConversation } from '@pocketping/db';
import { UPLOAD_HEADERS, UPLOAD_LIMITS, type TUploadResponse } from '@pocketping/protocol';
import { sniffContentType } from '@pocketping/storage';
import type { TRealtimeContext } from '../context.js';
import { EVENT_LIMITS, IP_UPLOAD_LIMIT } from '../widget/event-limits.js';
import { enforceLimits } from '../widget/handle.js';
import { joinConversation } from '../widget/handlers.js';
import { authenticateHttpWidget } from './authenticate-http.js';
import { readMultipartFile, cleanFileName } from './read-multipart-file.js';
import { corsHeaders, sendError, sendJson } from './respond.js';

export function createUploadRoute(ctx: TRealtimeContext, maxBytes: number = UPLOAD_LIMITS.maxBytes) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const cors = corsHeaders(req);
    if (req.method === 'OPTIONS') {
      // Preflight carries no key or token values; the real request is checked in full.
      res.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': `content-type, ${UPLOAD_HEADERS.projectKey}, ${UPLOAD_HEADERS.visitorToken}`,
        'access-control-max-age': '600',
      }).end();
      return;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, { ok: false, error: { code: 'bad_request', message: 'Use POST' } }, { ...cors, allow: 'POST, OPTIONS' });
      return;
    }
    try {
      const declared = Number(req.headers['content-length']);
      // Multipart framing adds a few hundred bytes; a declared length far above the cap is refused before reading.
      if (Number.isFinite(declared) && declared > maxBytes + 64 * 1024) throw new AppError('payload_too_large', `Files are limited to ${Math.round(maxBytes / 1024 / 1024)} MB`);
      const caller = await authenticateHttpWidget(req, ctx);
      if (caller.settings.identity === 'enforce' && !caller.identityVerified) throw new AppError('unauthorized', 'This site requires a verified identity: call identify() with a valid hash first');
      await enforceLimits(ctx.limiter, 'upload', EVENT_LIMITS.upload, caller, IP_UPLOAD_LIMIT);

      const file = await readMultipartFile(req, maxBytes);
      const name = cleanFileName(file.name, UPLOAD_LIMITS.nameMax);
      const sniffed = sniffContentType(file.bytes, name);
      if (!sniffed) {
        sendError(res, new AppError('bad_request', 'This file type is not accepted (images, PDF, office documents, plain text)'), cors, 415);
        return;
      }
      const sha256 = createHash('sha256').update(file.bytes).digest('hex');
      const conversation = await getOrCreateOpenConversation(ctx.db, caller.organizationId, { projectId: caller.projectId, visitorId: caller.visitorId });
      const storageKey = `${caller.organizationId}/${conversation.id}/${randomToken('', 18)}`;
      await ctx.storage.put(storageKey, file.bytes, { contentType: sniffed.contentType, sha256 });
      const attachment = await createAttachment(ctx.db, caller.organizationId, {
        conversationId: conversation.id,
        uploadedBy: 'visitor',
        name,
        contentType: sniffed.contentType,
        size: file.bytes.length,
        sha256,
        storageKey,
      });
      // The upload may have opened the conversation: every tab of the visitor follows it from now on.
      joinConversation(ctx, caller.visitorId, conversation.id);
      const body: TUploadResponse = {
        ok: true,
        attachment: {
          id: attachment.id,
          name: attachment.name,
          contentType: attachment.contentType,
          size: attachment.size,
          url: ctx.signer.url({ organizationId: caller.organizationId, conversationId: conversation.id, attachmentId: attachment.id }),
        },
      };
      sendJson(res, 201, body, cors);
    } catch (err) {
      if (!(err instanceof AppError)) ctx.log.error({ err }, 'upload failed');
      const tooLarge = err instanceof AppError && err.code === 'payload_too_large';
      // After a refusal the rest of the body is not wanted: close the connection instead of reading it all.
      sendError(res, err, tooLarge ? { ...cors, connection: 'close' } : cors);
      if (!req.complete) req.resume();
    }
  };
}
