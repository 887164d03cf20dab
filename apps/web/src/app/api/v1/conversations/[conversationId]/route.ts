// GET /api/v1/conversations/:conversationId — one conversation; PATCH — assign it, replace its tags
import { getConversation, updateConversation } from '~/server/api-v1/operations/conversations';

export const GET = getConversation;
export const PATCH = updateConversation;
