// GET/PUT /api/app/orgs/:orgId/projects/:projectId/ai — the AI assistant's settings and this month's usage (read:
// agent; change: admin). The organization's own provider key is never returned, only whether it is set.
import { z } from 'zod';
import { orgRoute, scopedProject } from '~/server/tenancy';
import { ZAiSettingsBody, loadAiPageData, saveAiSettings } from '~/server/ai/ai-settings';

const ZParams = z.object({ orgId: z.string().min(1).max(64), projectId: z.string().min(1).max(64) });

export const GET = orgRoute({ role: 'agent', params: ZParams }, async ({ app, organizationId, params }) => {
  await scopedProject(app, organizationId, params.projectId);
  return { ...(await loadAiPageData(app, organizationId, params.projectId)) };
});

export const PUT = orgRoute(
  { role: 'admin', params: ZParams, body: ZAiSettingsBody },
  async ({ app, origin, organizationId, user, params, body }) => {
    await scopedProject(app, organizationId, params.projectId);
    const settings = await saveAiSettings(
      app,
      { organizationId, projectId: params.projectId, userId: user.id, origin },
      body,
    );
    return { settings };
  },
);
