import { z } from 'zod';
import { AppError } from '@pocketping/core';
import {
  countKnowledgeSources,
  createKnowledgeSource,
  requestKnowledgeReindex,
  type TKnowledgeSource,
} from '@pocketping/db';
import type { TWebContext } from '../context';
import { knowledgeServices } from './knowledge-services';

/** Sources one project may have: enough for a help center's sections and many FAQ entries, bounded all the same. */
export const KNOWLEDGE_SOURCES_MAX = 300;
/** Characters of pasted text in one source (the dashboard API's 64 KB body bounds it too). */
export const KNOWLEDGE_TEXT_MAX = 50_000;
/** Bytes of one uploaded file. */
export const KNOWLEDGE_FILE_MAX_BYTES = 2 * 1024 * 1024;

const ZHttpUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .refine((u) => {
    // Runs after a failed URL check too: an unparsable value is left to that check's message.
    if (!URL.canParse(u)) return true;
    const url = new URL(u);
    return !url.username && !url.password;
  }, 'must not contain a user name or password');

export const ZKnowledgeSourceInput = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('text'),
    title: z.string().trim().min(1).max(200),
    content: z.string().trim().min(1).max(KNOWLEDGE_TEXT_MAX),
  }),
  z.strictObject({
    kind: z.literal('faq'),
    question: z.string().trim().min(3).max(500),
    answer: z.string().trim().min(1).max(10_000),
  }),
  z.strictObject({ kind: z.literal('site'), url: ZHttpUrl }),
  z.strictObject({ kind: z.literal('sitemap'), url: ZHttpUrl }),
]);
export type TKnowledgeSourceInput = z.infer<typeof ZKnowledgeSourceInput>;

/**
 * Stores a source and queues its indexing. A queue failure leaves it `pending` with the reason in `error`: the
 * owner's "Re-index" queues it again (the row is the truth, the job only starts the work).
 */
export async function addKnowledgeSource(
  app: TWebContext,
  scope: { organizationId: string; projectId: string },
  input:
    | TKnowledgeSourceInput
    | { kind: 'file'; title: string; content: string }
    | { kind: 'file'; title: string; fileBytes: Uint8Array },
): Promise<TKnowledgeSource> {
  if ((await countKnowledgeSources(app.db, scope.organizationId, scope.projectId)) >= KNOWLEDGE_SOURCES_MAX)
    throw new AppError('bad_request', `A project can have at most ${KNOWLEDGE_SOURCES_MAX} knowledge sources.`);
  const row =
    input.kind === 'faq'
      ? { kind: 'faq' as const, title: input.question, content: input.answer }
      : input.kind === 'site' || input.kind === 'sitemap'
        ? { kind: input.kind, title: new URL(input.url).host, url: input.url }
        : 'fileBytes' in input
          ? { kind: input.kind, title: input.title, fileBytes: input.fileBytes }
          : { kind: input.kind, title: input.title, content: input.content };
  const source = await createKnowledgeSource(app.db, scope.organizationId, scope.projectId, row);
  await enqueue(app, scope.organizationId, source.id, source.generation);
  return source;
}

export async function reindexKnowledgeSource(
  app: TWebContext,
  scope: { organizationId: string; projectId: string },
  sourceId: string,
): Promise<{ generation: number }> {
  const next = await requestKnowledgeReindex(app.db, scope.organizationId, scope.projectId, sourceId);
  if (!next) throw new AppError('not_found', 'Knowledge source not found.');
  await enqueue(app, scope.organizationId, sourceId, next.generation);
  return next;
}

async function enqueue(app: TWebContext, organizationId: string, sourceId: string, generation: number) {
  try {
    await knowledgeServices(app).jobs.enqueueIndex({ organizationId, sourceId, generation });
  } catch (err) {
    app.log.warn({ tenantId: organizationId, sourceId, err: (err as Error).message }, 'knowledge job not queued');
    throw new AppError(
      'internal',
      'The source is saved but could not be queued for indexing. Use “Re-index” to retry.',
    );
  }
}
