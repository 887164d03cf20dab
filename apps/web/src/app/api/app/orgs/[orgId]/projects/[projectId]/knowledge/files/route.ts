// POST /api/app/orgs/:orgId/projects/:projectId/knowledge/files?name=… — upload a .txt/.md/.html/.pdf file as a knowledge source (admin; raw body)
import { z } from 'zod';
import { AppError, readBodyWithLimit } from '@pocketping/core';
import { extractFileText, UnsupportedFileError } from '@pocketping/knowledge';
import { orgRoute, scopedProject } from '~/server/tenancy';
import { addKnowledgeSource, KNOWLEDGE_FILE_MAX_BYTES } from '~/server/knowledge/knowledge-sources';

const ZParams = z.object({ orgId: z.string().min(1).max(64), projectId: z.string().min(1).max(64) });
const ZQuery = z.object({ name: z.string().trim().min(1).max(200) });

export const POST = orgRoute(
  { role: 'admin', params: ZParams, query: ZQuery, rawBody: true },
  async ({ app, req, organizationId, params, query }) => {
    await scopedProject(app, organizationId, params.projectId);
    // Counted as it arrives, whatever Content-Length says; past the cap: 413 and nothing kept.
    const bytes = await readBodyWithLimit(req, KNOWLEDGE_FILE_MAX_BYTES);
    if (bytes.length === 0) throw new AppError('bad_request', 'The file is empty.');
    let extracted: { title: string; text: string };
    try {
      extracted = await extractFileText(query.name, bytes);
    } catch (err) {
      if (err instanceof UnsupportedFileError) throw new AppError('bad_request', err.message);
      throw err;
    }
    if (!extracted.text.trim()) throw new AppError('bad_request', 'No text was found in the file.');
    const source = await addKnowledgeSource(
      app,
      { organizationId, projectId: params.projectId },
      { kind: 'file', title: extracted.title.slice(0, 200) || query.name, content: extracted.text },
    );
    return { source };
  },
);
