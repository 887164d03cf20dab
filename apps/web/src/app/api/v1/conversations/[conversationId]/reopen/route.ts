// POST /api/v1/conversations/:conversationId/reopen — reopen (changeConversationStatus)
import { reopenConversation } from '~/server/api-v1/operations/conversations';

export const POST = reopenConversation;
