// PUT/DELETE /api/app/orgs/:orgId/ai-key — the organization's own AI provider key (admin). Sealed at rest; no answer
// ever carries it back (only its last 4 characters).
import { z } from 'zod';
import { orgRoute } from '~/server/tenancy';
import { ZAiKeyBody, setAiKey } from '~/server/ai/ai-settings';

const ZParams = z.object({ orgId: z.string().min(1).max(64) });

export const PUT = orgRoute(
  { role: 'admin', params: ZParams, body: ZAiKeyBody },
  async ({ app, origin, organizationId, user, body }) => ({
    key: await setAiKey(app, { organizationId, userId: user.id, origin }, body.apiKey),
  }),
);

export const DELETE = orgRoute({ role: 'admin', params: ZParams }, async ({ app, origin, organizationId, user }) => ({
  key: await setAiKey(app, { organizationId, userId: user.id, origin }, null),
}));
