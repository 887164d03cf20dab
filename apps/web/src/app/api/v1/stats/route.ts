// GET /api/v1/stats — the stats page's figures for a period (REST API; operations in server/api-v1/operations)
import { getStats } from '~/server/api-v1/operations/stats';

export const GET = getStats;
