// GET /api/v1/conversations — conversations with filters and cursor pagination
import { listConversations } from '~/server/api-v1/operations/conversations';

export const GET = listConversations;
