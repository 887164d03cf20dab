// POST /api/v1/conversations/:conversationId/close — close (changeConversationStatus)
import { closeConversation } from '~/server/api-v1/operations/conversations';

export const POST = closeConversation;
