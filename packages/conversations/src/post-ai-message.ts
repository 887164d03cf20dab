import { appendMessage, type TOutboxRef } from '@pocketping/db';
import type { TMessage } from '@pocketping/protocol';
import type { TConversationPorts } from './ports.js';

export interface TPostAiMessageInput {
  conversationId: string;
  projectId: string;
  /** The project's assistant name: chat apps show "🤖 <name>: …". */
  assistantName: string;
  body: string;
  /** The visitor message it answers: one AI message per visitor message, whoever posts it and however often. */
  visitorSeq: number;
}

/**
 * The AI's answer: stored as sender `ai` with its deliveries to every chat app in one transaction (rendered and
 * escaped per platform like any message), then pushed to the widget (it replaces the streamed bubble) and to
 * dashboards. Keyed by the visitor message it answers, so a repeat stores nothing twice and is only pushed again.
 */
export async function postAiMessage(
  ports: TConversationPorts,
  organizationId: string,
  input: TPostAiMessageInput,
): Promise<{ message: TMessage; duplicate: boolean; outbox: TOutboxRef[] }> {
  const result = await appendMessage(ports.db, organizationId, {
    conversationId: input.conversationId,
    sender: 'ai',
    visibility: 'public',
    authorName: input.assistantName,
    body: input.body,
    source: 'ai',
    clientId: `ai-answer-${input.visitorSeq}`,
  });
  if (!result.duplicate) await ports.enqueueDeliveries(result.outbox);
  ports.widget.message(input.conversationId, result.message);
  ports.dashboard?.event({
    type: 'message',
    organizationId,
    projectId: input.projectId,
    conversationId: input.conversationId,
    seq: result.message.seq,
    change: 'created',
    sender: 'ai',
    visibility: 'public',
  });
  return result;
}
