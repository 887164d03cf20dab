import { AppError } from '@pocketping/core';
import { appendMessage, getConversationState, getLatestConversationForVisitor, saveCsat } from '@pocketping/db';
import { afterVisitorAppend } from './append-to-open-conversation.js';
import type { TVisitorPorts, TVisitorSession } from './visitor-ports.js';
import { capWidgetNote } from './widget-note.js';

export interface TRateConversationInput {
  score: number;
  comment?: string | undefined;
}

/**
 * The visitor rates their latest conversation, which must be closed (the widget asks once it is: isRatingRequested).
 * The rating is saved on the conversation and every chat app gets it as an internal note ("Rating: ★★★★☆ (4/5)");
 * a different rating replaces it with a new note, the same one again (a retry) stores nothing.
 */
export async function rateConversation(
  ports: TVisitorPorts,
  session: Pick<TVisitorSession, 'organizationId' | 'projectId' | 'visitorId'>,
  input: TRateConversationInput,
): Promise<{ conversationId: string; saved: boolean }> {
  const { organizationId, visitorId } = session;
  const latest = await getLatestConversationForVisitor(ports.db, organizationId, visitorId);
  if (!latest) throw new AppError('not_found', 'No conversation to rate');
  const state = await getConversationState(ports.db, organizationId, latest.id);
  if (state?.status !== 'closed') throw new AppError('bad_request', 'Only a closed conversation can be rated');
  const outcome = await saveCsat(ports.db, organizationId, {
    conversationId: latest.id,
    visitorId,
    score: input.score,
    comment: input.comment,
  });
  if (outcome === 'unchanged') return { conversationId: latest.id, saved: false };
  const stars = `${'★'.repeat(input.score)}${'☆'.repeat(5 - input.score)}`;
  const rated = await appendMessage(ports.db, organizationId, {
    conversationId: latest.id,
    sender: 'system',
    source: 'widget',
    visibility: 'internal',
    body: capWidgetNote(`Rating: ${stars} (${input.score}/5)${input.comment ? `\n${input.comment}` : ''}`),
  });
  afterVisitorAppend(ports, session, rated);
  return { conversationId: latest.id, saved: true };
}
