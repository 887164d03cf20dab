// GET/POST /api/app/orgs/:orgId/projects/:projectId/knowledge — list the AI's knowledge sources (agent) or add text, an FAQ entry, a site or a sitemap (admin)
import { z } from 'zod';
import { listKnowledgeSources } from '@pocketping/db';
import { orgRoute, scopedProject } from '~/server/tenancy';
import { addKnowledgeSource, ZKnowledgeSourceInput } from '~/server/knowledge/knowledge-sources';

const ZParams = z.object({ orgId: z.string().min(1).max(64), projectId: z.string().min(1).max(64) });

export const GET = orgRoute({ role: 'agent', params: ZParams }, async ({ app, organizationId, params }) => {
  await scopedProject(app, organizationId, params.projectId);
  return { sources: await listKnowledgeSources(app.db, organizationId, params.projectId) };
});

export const POST = orgRoute(
  { role: 'admin', params: ZParams, body: ZKnowledgeSourceInput },
  async ({ app, organizationId, params, body }) => {
    await scopedProject(app, organizationId, params.projectId);
    const source = await addKnowledgeSource(app, { organizationId, projectId: params.projectId }, body);
    return { source };
  },
);
