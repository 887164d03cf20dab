import { getConversationState, getProject, setConversationStatus as storeStatus } from '@pocketping/db';
import { parseProjectSettings } from '@pocketping/protocol';
import type { TConversationPorts } from './ports.js';
import { isRatingRequested } from './is-rating-requested.js';
import { postOperatorMessage } from './post-operator-message.js';

export interface TChangeConversationStatusInput {
  conversationId: string;
  status: 'open' | 'closed';
  /** Who did it, for the trace note every chat app gets ("Sarah closed the conversation"). */
  actor: {
    authorName: string;
    source: string;
    inbound?: { connectionId: string; externalChatId: string; externalMessageId: string };
  };
}

/**
 * Close or reopen a conversation, from the dashboard, a chat-app command or the API. The widget is told every time
 * (idempotent there; a first attempt may have died before pushing) and asked for a rating when the project wants one
 * and the visitor has not rated; a real change leaves an internal trace note in every app and refreshes dashboards.
 */
export async function changeConversationStatus(
  ports: TConversationPorts,
  organizationId: string,
  input: TChangeConversationStatusInput,
): Promise<{ changed: boolean; projectId: string }> {
  const before = await getConversationState(ports.db, organizationId, input.conversationId);
  if (!before) throw new Error('conversation not found');
  const changed = await storeStatus(ports.db, organizationId, input.conversationId, input.status);
  const project = await getProject(ports.db, organizationId, before.projectId);
  const csatEnabled = project ? parseProjectSettings(project.settings).csatEnabled : false;
  ports.widget.conversation({
    conversationId: input.conversationId,
    status: input.status,
    csatRequested: isRatingRequested({ status: input.status, csatScore: before.csatScore }, csatEnabled),
  });
  if (changed) {
    await postOperatorMessage(ports, organizationId, {
      conversationId: input.conversationId,
      projectId: before.projectId,
      authorName: input.actor.authorName,
      body: input.status === 'closed' ? 'closed the conversation' : 'reopened the conversation',
      visibility: 'internal',
      source: input.actor.source,
      ...(input.actor.inbound ? { inbound: input.actor.inbound } : {}),
    });
    ports.dashboard?.event({
      type: 'conversation',
      organizationId,
      projectId: before.projectId,
      conversationId: input.conversationId,
      change: input.status === 'closed' ? 'closed' : 'reopened',
    });
  }
  return { changed, projectId: before.projectId };
}
