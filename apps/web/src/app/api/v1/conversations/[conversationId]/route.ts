// GET /api/v1/conversations/:conversationId — one conversation
import { getConversation } from '~/server/api-v1/operations/conversations';

export const GET = getConversation;
