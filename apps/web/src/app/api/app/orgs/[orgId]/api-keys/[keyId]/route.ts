// DELETE /api/app/orgs/:orgId/api-keys/:keyId — revoke a key (REST calls with it are refused from now on)
import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { revokeApiKey, writeAuditLog } from '@pocketping/db';
import { orgRoute } from '~/server/tenancy';

const ZParams = z.object({ orgId: z.string().min(1).max(64), keyId: z.string().min(1).max(64) });

export const DELETE = orgRoute(
  { role: 'admin', params: ZParams },
  async ({ app, origin, user, organizationId, params }) => {
    const apiKey = await revokeApiKey(app.db, organizationId, params.keyId);
    if (!apiKey) throw new AppError('not_found', 'API key not found.');
    await writeAuditLog(
      app.db,
      organizationId,
      {
        actorType: 'user',
        actorId: user.id,
        action: 'api_key.revoked',
        targetType: 'api_key',
        targetId: apiKey.id,
      },
      origin,
    );
    return { apiKey };
  },
);
