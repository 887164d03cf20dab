import { appendMessage, getLastMessageSummary, getOpenConversationForVisitor } from '@pocketping/db';
import type { TConversationPorts } from './ports.js';

export const VISITOR_LEFT_NOTE = 'Visitor left';

export type TVisitorLeftOutcome = 'no open conversation' | 'nothing new since the last note' | 'duplicate' | 'noted';

/**
 * The visitor left the site (their last tab closed a while ago — the caller checked they did not come back): the
 * open conversation gets an internal "Visitor left" note in its history (the inbox shows it; never the widget). It
 * is NOT posted to the chat apps: a phone should buzz only for what a person must read, and the group's post budget
 * (Telegram: 20 a minute) belongs to real replies. Presence in the chat apps is what /info says.
 */
export async function noteVisitorLeft(
  ports: Pick<TConversationPorts, 'db'>,
  organizationId: string,
  input: {
    visitorId: string;
    /** Idempotency key (per visitor and connection generation): a retried job finds its own note. */
    key: string;
  },
): Promise<TVisitorLeftOutcome> {
  const conversation = await getOpenConversationForVisitor(ports.db, organizationId, input.visitorId);
  if (!conversation) return 'no open conversation';
  // A visitor who comes and goes without writing anything must not fill the thread with notes.
  const last = await getLastMessageSummary(ports.db, organizationId, conversation.id);
  if (!last || (last.sender === 'system' && last.body === VISITOR_LEFT_NOTE)) return 'nothing new since the last note';

  const result = await appendMessage(ports.db, organizationId, {
    conversationId: conversation.id,
    sender: 'system',
    body: VISITOR_LEFT_NOTE,
    source: 'system',
    visibility: 'internal',
    deliver: false,
    clientId: input.key,
  });
  return result.duplicate ? 'duplicate' : 'noted';
}
