// GET /api/v1/connections — chat-app connections with their health
import { listConnections } from '~/server/api-v1/operations/connections';

export const GET = listConnections;
