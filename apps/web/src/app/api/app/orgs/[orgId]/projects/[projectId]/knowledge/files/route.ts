// POST /api/app/orgs/:orgId/projects/:projectId/knowledge/files?name=… — upload a .txt/.md/.html/.pdf file as a knowledge source (admin; raw body)
import { z } from 'zod';
import { AppError, readBodyWithLimit } from '@pocketping/core';
import { assertPdfBytes, extractFileText, isPdfFileName, UnsupportedFileError } from '@pocketping/knowledge';
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
    const scope = { organizationId, projectId: params.projectId };
    try {
      // A PDF is kept as it came and read by the knowledge worker (parsing can take seconds): the answer is at once,
      // the source `pending`; an unreadable PDF turns the source `failed` with the reason.
      if (isPdfFileName(query.name)) {
        assertPdfBytes(bytes);
        const title = query.name.replace(/\.[a-z0-9]+$/i, '').slice(0, 200) || query.name;
        return { source: await addKnowledgeSource(app, scope, { kind: 'file', title, fileBytes: bytes }) };
      }
      const extracted = await extractFileText(query.name, bytes);
      if (!extracted.text.trim()) throw new AppError('bad_request', 'No text was found in the file.');
      const title = extracted.title.slice(0, 200) || query.name;
      return { source: await addKnowledgeSource(app, scope, { kind: 'file', title, content: extracted.text }) };
    } catch (err) {
      if (err instanceof UnsupportedFileError) throw new AppError('bad_request', err.message);
      throw err;
    }
  },
);
