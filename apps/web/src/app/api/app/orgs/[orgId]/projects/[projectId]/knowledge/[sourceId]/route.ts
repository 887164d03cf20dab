// DELETE /api/app/orgs/:orgId/projects/:projectId/knowledge/:sourceId — remove a knowledge source and its passages (admin)
import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { deleteKnowledgeSource } from '@pocketping/db';
import { orgRoute } from '~/server/tenancy';

const ZParams = z.object({
  orgId: z.string().min(1).max(64),
  projectId: z.string().min(1).max(64),
  sourceId: z.string().min(1).max(64),
});

export const DELETE = orgRoute({ role: 'admin', params: ZParams }, async ({ app, organizationId, params }) => {
  if (!(await deleteKnowledgeSource(app.db, organizationId, params.projectId, params.sourceId)))
    throw new AppError('not_found', 'Knowledge source not found.');
  return { ok: true };
});
