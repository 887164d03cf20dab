import { markOperatorRead } from '@pocketping/db';
import type { TConversationPorts } from './ports.js';

/** The team read everything up to `seq`: the watermark only moves forward; the widget gets a read receipt. */
export async function markConversationRead(
  ports: TConversationPorts,
  organizationId: string,
  input: { conversationId: string; projectId: string; seq: number },
): Promise<{ operatorLastReadSeq: number; moved: boolean } | null> {
  const r = await markOperatorRead(ports.db, organizationId, input.conversationId, input.seq);
  if (!r) return null;
  if (r.moved) {
    ports.widget.receipt({ conversationId: input.conversationId, kind: 'read', seq: r.seq });
    ports.dashboard?.event({
      type: 'conversation',
      organizationId,
      projectId: input.projectId,
      conversationId: input.conversationId,
      change: 'read',
    });
  }
  return { operatorLastReadSeq: r.seq, moved: r.moved };
}
