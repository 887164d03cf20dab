// POST /api/app/orgs/:orgId/projects/:projectId/knowledge/:sourceId/reindex — re-crawl / re-index a source now (admin)
import { z } from 'zod';
import { orgRoute } from '~/server/tenancy';
import { reindexKnowledgeSource } from '~/server/knowledge/knowledge-sources';

const ZParams = z.object({
  orgId: z.string().min(1).max(64),
  projectId: z.string().min(1).max(64),
  sourceId: z.string().min(1).max(64),
});

export const POST = orgRoute({ role: 'admin', params: ZParams }, async ({ app, organizationId, params }) => {
  const { generation } = await reindexKnowledgeSource(
    app,
    { organizationId, projectId: params.projectId },
    params.sourceId,
  );
  return { ok: true, generation };
});
