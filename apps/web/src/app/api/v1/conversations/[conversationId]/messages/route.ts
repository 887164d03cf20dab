// GET /api/v1/conversations/:conversationId/messages — messages and notes; POST — reply or note as an operator
import { listMessages, sendMessage } from '~/server/api-v1/operations/messages';

export const GET = listMessages;
export const POST = sendMessage;
