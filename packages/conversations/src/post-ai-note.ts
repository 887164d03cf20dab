import { appendMessage } from '@pocketping/db';
import type { TMessage } from '@pocketping/protocol';
import type { TConversationPorts } from './ports.js';

export interface TPostAiNoteInput {
  conversationId: string;
  projectId: string;
  assistantName: string;
  /** "🙋 handoff: <reason>", a budget or provider alert: for the team, never for the visitor. */
  body: string;
  /** Idempotency key (e.g. `ai-handoff-<visitor seq>`): a retried job posts the note once. */
  key: string;
  /** The AI handed the conversation to a person: `ai.handoff` for the project's webhooks, with the note. */
  handoff?: { reason: string };
}

/**
 * A note from the AI to the team: stored internal (never shown to the widget) and mirrored to every connected chat
 * app through the outbox, so a phone buzzes for a handoff or an alert; dashboards refresh.
 */
export async function postAiNote(
  ports: TConversationPorts,
  organizationId: string,
  input: TPostAiNoteInput,
): Promise<{ message: TMessage; duplicate: boolean }> {
  const result = await appendMessage(ports.db, organizationId, {
    conversationId: input.conversationId,
    sender: 'system',
    visibility: 'internal',
    authorName: input.assistantName,
    body: input.body,
    source: 'ai',
    clientId: input.key,
    ...(input.handoff ? { webhook: { type: 'ai.handoff', data: { reason: input.handoff.reason } } } : {}),
  });
  if (!result.duplicate) await ports.enqueueDeliveries(result.outbox);
  ports.dashboard?.event({
    type: 'message',
    organizationId,
    projectId: input.projectId,
    conversationId: input.conversationId,
    seq: result.message.seq,
    change: 'created',
    sender: 'system',
    visibility: 'internal',
  });
  return { message: result.message, duplicate: result.duplicate };
}
