// GET /api/app/orgs/:orgId/projects/:projectId/conversations/:conversationId/alert?seq=N — the desktop notification
// for a visitor's new message (title = visitor, body = preview); anything but a public visitor message is 404.
import { z } from 'zod';
import { orgRoute } from '~/server/tenancy';
import { getMessageAlert } from '~/server/inbox/alerts';

const ZParams = z.object({
  orgId: z.string().min(1).max(64),
  projectId: z.string().min(1).max(64),
  conversationId: z.string().min(1).max(64),
});
const ZQuery = z.object({ seq: z.coerce.number().int().min(1).max(2_147_483_647) }).strict();

export const GET = orgRoute(
  { role: 'agent', params: ZParams, query: ZQuery },
  async ({ app, organizationId, params, query }) => ({
    alert: await getMessageAlert(
      app.db,
      { organizationId, projectId: params.projectId },
      params.conversationId,
      query.seq,
    ),
  }),
);
