// GET /api/app/orgs/:orgId/projects/:projectId/conversations — the inbox list (tab, assignee, tag, search, cursor pagination)
import { z } from 'zod';
import { orgRoute, scopedProject } from '~/server/tenancy';
import { ZInboxQuery, listInbox } from '~/server/inbox/conversations';

const ZParams = z.object({ orgId: z.string().min(1).max(64), projectId: z.string().min(1).max(64) });

export const GET = orgRoute(
  { role: 'agent', params: ZParams, query: ZInboxQuery },
  async ({ app, user, organizationId, params, query }) => {
    await scopedProject(app, organizationId, params.projectId);
    return listInbox(app.db, organizationId, params.projectId, query, user.id);
  },
);
