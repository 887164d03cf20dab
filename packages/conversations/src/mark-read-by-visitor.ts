import { AppError } from '@pocketping/core';
import { getLatestConversationForVisitor, markVisitorRead } from '@pocketping/db';
import type { TConversationPorts } from './ports.js';
import type { TVisitorSession } from './visitor-ports.js';

/**
 * The visitor has seen their conversation up to `seq` (the widget's `read`): the visitor's watermark moves forward
 * only and never past the last seq. The conversation is the visitor's latest one, never an id a client sends.
 */
export async function markReadByVisitor(
  ports: Pick<TConversationPorts, 'db'>,
  session: Pick<TVisitorSession, 'organizationId' | 'visitorId'>,
  input: { seq: number },
): Promise<{ conversationId: string; visitorLastReadSeq: number; moved: boolean }> {
  const conversation = await getLatestConversationForVisitor(ports.db, session.organizationId, session.visitorId);
  if (!conversation) throw new AppError('not_found', 'No conversation yet');
  const r = await markVisitorRead(ports.db, session.organizationId, conversation.id, input.seq);
  if (!r) throw new AppError('not_found', 'No conversation yet');
  return { conversationId: conversation.id, visitorLastReadSeq: r.seq, moved: r.moved };
}
