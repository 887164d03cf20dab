import { z } from 'zod';
import { listApiConnections } from '@pocketping/db';
import { apiOperation } from '../api-route';
import { ZApiConnection, ZId } from '../schemas';

export const listConnections = apiOperation(
  {
    operationId: 'listConnections',
    method: 'GET',
    path: '/connections',
    tag: 'Chat apps',
    summary: 'Chat-app connections (Telegram, Slack, Discord) with their health',
    description:
      'status "broken" means deliveries are failing (statusReason says why; messages wait and are retried). ' +
      'Credentials are never returned.',
    query: z.strictObject({ projectId: ZId.optional() }),
    response: z.object({ data: z.array(ZApiConnection) }),
  },
  async ({ app, tenant, query }) => ({ data: await listApiConnections(app.db, tenant, query.projectId) }),
);
