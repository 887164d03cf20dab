// GET /api/app/orgs/:orgId/projects/:projectId/installation — has a widget connected yet? (polled by onboarding)
import { z } from 'zod';
import { orgRoute, scopedProject } from '~/server/tenancy';

const ZParams = z.object({ orgId: z.string().min(1).max(64), projectId: z.string().min(1).max(64) });

export const GET = orgRoute({ role: 'agent', params: ZParams }, async ({ app, organizationId, params }) => {
  const p = await scopedProject(app, organizationId, params.projectId);
  return {
    installed: p.widgetFirstSeenAt !== null,
    widgetFirstSeenAt: p.widgetFirstSeenAt?.toISOString() ?? null,
    widgetLastSeenAt: p.widgetLastSeenAt?.toISOString() ?? null,
  };
});
