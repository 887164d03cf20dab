// POST /api/app/orgs/:orgId/projects/:projectId/conversations/:conversationId/attachments?name=… — a file from the
// reply box (raw body = the file), waiting for the reply that sends it
import { z } from 'zod';
import { UPLOAD_LIMITS } from '@pocketping/protocol';
import { orgRoute } from '~/server/tenancy';
import { uploadOperatorFile } from '~/server/inbox/operator-upload';
import { hitRateLimit } from '~/server/rate-limit';

const ZId = z.string().min(1).max(64);
const ZParams = z.object({ orgId: ZId, projectId: ZId, conversationId: ZId });
const ZQuery = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .max(UPLOAD_LIMITS.nameMax * 2),
});

export const POST = orgRoute(
  { role: 'agent', params: ZParams, query: ZQuery, rawBody: true },
  async ({ req, app, user, organizationId, params, query }) => {
    // Generous for a person attaching files, a stop for a script filling the organization's storage.
    await hitRateLimit('reply-upload', user.id, 60, 600);
    return {
      attachment: await uploadOperatorFile(
        app,
        { organizationId, projectId: params.projectId, conversationId: params.conversationId },
        req,
        query.name,
      ),
    };
  },
);
