// GET /api/app/orgs/:orgId/api-keys — keys (prefix only, with their creator); POST — create one (the full key is in this answer only)
import { z } from 'zod';
import { API_SCOPES, createApiKey, writeAuditLog } from '@pocketping/db';
import { orgRoute, scopedProject } from '~/server/tenancy';
import { listApiKeysWithCreators } from '~/server/team/api-key-creators';

const ZBody = z.object({
  name: z.string().trim().min(1, 'Give the key a name').max(80),
  /** What the key may do in the REST API: read (GET) and/or write (everything else). Default: both. */
  scopes: z
    .array(z.enum(API_SCOPES))
    .min(1, 'Choose at least one permission')
    .max(2)
    .transform((s) => API_SCOPES.filter((x) => s.includes(x)))
    .optional(),
  /** Restrict the key to one project of the organization; absent or null: every project. */
  projectId: z.string().min(1).max(64).nullable().optional(),
});

export const GET = orgRoute({ role: 'admin' }, async ({ app, organizationId }) => ({
  apiKeys: await listApiKeysWithCreators(app.db, organizationId),
}));

export const POST = orgRoute({ role: 'admin', body: ZBody }, async ({ app, origin, user, organizationId, body }) => {
  if (body.projectId) await scopedProject(app, organizationId, body.projectId);
  const { key, apiKey } = await createApiKey(app.db, organizationId, {
    name: body.name,
    createdById: user.id,
    ...(body.scopes ? { scopes: body.scopes } : {}),
    projectId: body.projectId ?? null,
  });
  await writeAuditLog(
    app.db,
    organizationId,
    {
      actorType: 'user',
      actorId: user.id,
      action: 'api_key.created',
      targetType: 'api_key',
      targetId: apiKey.id,
      metadata: { name: apiKey.name, prefix: apiKey.prefix, scopes: apiKey.scopes, projectId: apiKey.projectId },
    },
    origin,
  );
  return { key, apiKey };
});
