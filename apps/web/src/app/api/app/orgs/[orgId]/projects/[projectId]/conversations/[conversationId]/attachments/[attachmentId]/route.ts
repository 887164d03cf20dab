// GET /api/app/orgs/:orgId/projects/:projectId/conversations/:conversationId/attachments/:attachmentId — a file of the conversation
import { z } from 'zod';
import { orgRoute } from '~/server/tenancy';
import { downloadAttachment } from '~/server/inbox/attachment-download';

const ZId = z.string().min(1).max(64);
const ZParams = z.object({ orgId: ZId, projectId: ZId, conversationId: ZId, attachmentId: ZId });
const ZQuery = z.object({ download: z.enum(['1']).optional() });

export const GET = orgRoute(
  { role: 'agent', params: ZParams, query: ZQuery },
  async ({ req, app, organizationId, params, query }) => {
    return downloadAttachment(
      app,
      {
        organizationId,
        projectId: params.projectId,
        conversationId: params.conversationId,
        attachmentId: params.attachmentId,
      },
      { download: query.download === '1', head: req.method === 'HEAD' },
    );
  },
);
