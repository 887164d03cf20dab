// POST /api/app/orgs/:orgId/projects/:projectId/ai/playground — ask the assistant (the project's saved settings):
// retrieved passages with scores and its answer, no conversation created, the completion metered (agent)
import { z } from 'zod';
import { orgRoute, scopedProject } from '~/server/tenancy';
import { hitRateLimit } from '~/server/rate-limit';
import { runPlayground, ZPlaygroundInput } from '~/server/knowledge/run-playground';
import { loadAiSettings } from '~/server/ai/ai-settings';

const ZParams = z.object({ orgId: z.string().min(1).max(64), projectId: z.string().min(1).max(64) });

export const POST = orgRoute(
  { role: 'agent', params: ZParams, body: ZPlaygroundInput },
  async ({ app, organizationId, user, params, body }) => {
    await scopedProject(app, organizationId, params.projectId);
    // Each question costs provider tokens: bounded per member.
    await hitRateLimit('ai-playground', `${organizationId}:${user.id}`, 30, 60);
    // The project's saved settings: the playground answers as the assistant visitors would get.
    const settings = await loadAiSettings(app, organizationId, params.projectId);
    return { ...(await runPlayground(app, { organizationId, projectId: params.projectId }, body.question, settings)) };
  },
);
