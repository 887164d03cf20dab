// GET /api/app/orgs/:orgId/api-keys — keys (prefix only, with their creator); POST — create one (the full key is in this answer only)
import { z } from 'zod';
import { createApiKey, writeAuditLog } from '@pocketping/db';
import { orgRoute } from '../../../../../../server/tenancy';
import { listApiKeysWithCreators } from '../../../../../../server/team/api-key-creators';

const ZBody = z.object({ name: z.string().trim().min(1, 'Give the key a name').max(80) });

export const GET = orgRoute({ role: 'admin' }, async ({ app, organizationId }) => ({
  apiKeys: await listApiKeysWithCreators(app.db, organizationId),
}));

export const POST = orgRoute({ role: 'admin', body: ZBody }, async ({ app, user, organizationId, body }) => {
  const { key, apiKey } = await createApiKey(app.db, organizationId, { name: body.name, createdById: user.id });
  await writeAuditLog(app.db, organizationId, {
    actorType: 'user',
    actorId: user.id,
    action: 'api_key.created',
    targetType: 'api_key',
    targetId: apiKey.id,
    metadata: { name: apiKey.name, prefix: apiKey.prefix },
  });
  return { key, apiKey };
});
