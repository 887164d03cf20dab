import { AppError } from '@pocketping/core';
import {
  eraseVisitorData,
  exportVisitorData,
  writeAuditLog,
  type TVisitorExport,
  type TVisitorScope,
  type TAuditOrigin,
} from '@pocketping/db';
import { forgetVisitorInRedis } from '@pocketping/jobs';
import { deleteStoredFiles } from '@pocketping/storage';
import type { TWebContext } from '../context';
import { attachmentPath } from '../inbox/attachment-download';

/** Files are put in the export inline (base64) up to this many bytes in all; past it, by dashboard link only. */
export const EXPORT_INLINE_BYTES = 20 * 1024 * 1024;

export type TVisitorExportWithFiles = Omit<TVisitorExport, 'conversations'> & {
  exportedAt: string;
  conversations: (Omit<TVisitorExport['conversations'][number], 'files'> & {
    files: (Omit<TVisitorExport['conversations'][number]['files'][number], 'storageKey'> & {
      /** The dashboard's download link (a signed-in member of the organization). */
      downloadPath: string;
      /** The bytes, base64; null when missing from storage or beyond the export's inline budget. */
      contentBase64: string | null;
    })[];
  })[];
};

/** Who asked, for the audit log (a dashboard user or an API key), and from where. */
export interface TRightsActor {
  type: 'user' | 'api_key';
  id: string;
  /** Where the request came from (the audit entry records it). */
  origin: TAuditOrigin;
}

async function readAll(app: TWebContext, key: string): Promise<Buffer | null> {
  const obj = await app.storage.get(key);
  if (!obj) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of obj.body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/**
 * The right of access: everything stored about one visitor (identity, metadata, conversations with every message —
 * notes included —, files with their bytes, where each was copied in the chat apps), audited. The dashboard and the
 * REST API both call this.
 */
export async function exportVisitor(
  app: TWebContext,
  scope: TVisitorScope,
  visitorId: string,
  actor: TRightsActor,
): Promise<TVisitorExportWithFiles> {
  const data = await exportVisitorData(app.db, scope, visitorId);
  if (!data) throw new AppError('not_found', 'Visitor not found.');
  let budget = EXPORT_INLINE_BYTES;
  const conversations: TVisitorExportWithFiles['conversations'] = [];
  for (const c of data.conversations) {
    const files: TVisitorExportWithFiles['conversations'][number]['files'] = [];
    for (const { storageKey, ...f } of c.files) {
      let contentBase64: string | null = null;
      if (f.size <= budget) {
        const bytes = await readAll(app, storageKey).catch(() => null);
        if (bytes) {
          budget -= bytes.length;
          contentBase64 = bytes.toString('base64');
        }
      }
      const where = { organizationId: scope.organizationId, projectId: data.visitor.projectId, conversationId: c.id };
      files.push({ ...f, downloadPath: `${attachmentPath(where, f.id)}?download=1`, contentBase64 });
    }
    conversations.push({ ...c, files });
  }
  await writeAuditLog(
    app.db,
    scope.organizationId,
    {
      actorType: actor.type,
      actorId: actor.id,
      action: 'visitor.exported',
      targetType: 'visitor',
      targetId: visitorId,
      metadata: { projectId: data.visitor.projectId, conversations: data.conversations.length },
    },
    actor.origin,
  );
  return { ...data, exportedAt: new Date().toISOString(), conversations };
}

/**
 * The right to erasure: the rows in one transaction (packages/db `eraseVisitorData`), then the files' bytes, then the
 * worker is asked to delete the bot's posts in the chat apps (best effort; the privacy pass retries). Audited without
 * any of the visitor's data.
 */
export async function eraseVisitor(
  app: TWebContext,
  scope: TVisitorScope,
  visitorId: string,
  actor: TRightsActor,
): Promise<{ conversations: number; messages: number; files: number; chatAppPosts: number }> {
  const erased = await eraseVisitorData(app.db, scope, visitorId);
  if (!erased) throw new AppError('not_found', 'Visitor not found.');
  await deleteStoredFiles(app.storage, erased.storageKeys, {
    log: app.log,
    tenantId: scope.organizationId,
    reason: 'erased visitor',
  });
  await forgetVisitorInRedis(
    app.producer.redis,
    { url: app.env.REDIS_URL, prefix: app.env.REDIS_PREFIX, cluster: app.env.REDIS_CLUSTER === 'on' },
    { visitorId, conversationIds: erased.conversationIds },
  ).catch((err: unknown) =>
    app.log.warn(
      { tenantId: scope.organizationId, err: err instanceof Error ? err.message : String(err) },
      'erased visitor: queued events or jobs in Redis not cleared (they expire, and name rows that no longer exist)',
    ),
  );
  if (erased.platformDeletions > 0)
    await app.producer
      .enqueuePlatformDeletions(scope.organizationId)
      .catch((err: unknown) =>
        app.log.warn(
          { tenantId: scope.organizationId, err: err instanceof Error ? err.message : String(err) },
          'chat-app deletions not queued (the privacy pass takes them)',
        ),
      );
  await writeAuditLog(
    app.db,
    scope.organizationId,
    {
      actorType: actor.type,
      actorId: actor.id,
      action: 'visitor.erased',
      targetType: 'visitor',
      targetId: visitorId,
      metadata: {
        projectId: erased.projectId,
        conversations: erased.conversations,
        messages: erased.messages,
        files: erased.storageKeys.length,
        chatAppPosts: erased.platformDeletions,
      },
    },
    actor.origin,
  );
  return {
    conversations: erased.conversations,
    messages: erased.messages,
    files: erased.storageKeys.length,
    chatAppPosts: erased.platformDeletions,
  };
}
