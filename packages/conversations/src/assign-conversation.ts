import { AppError } from '@pocketping/core';
import { setConversationAssignee } from '@pocketping/db';
import { auditConversationChange, type TActionAudit } from './action-audit.js';
import type { TConversationPorts } from './ports.js';
import { postOperatorMessage } from './post-operator-message.js';

export interface TAssignConversationInput {
  conversationId: string;
  /** A user of the organization, or null for nobody. */
  assigneeId: string | null;
  /** Who did it, for the trace note ("Ana assigned this to Bob"), as for close/reopen. */
  actor: {
    authorName: string;
    source: string;
    inbound?: { connectionId: string; externalChatId: string; externalMessageId: string };
  };
  /** An audit entry `conversation.assigned` for a real change (who: the member in the dashboard, the REST API key). */
  audit?: TActionAudit;
}

/** The body of the trace note an assignment leaves (the author's name is shown before it). */
export function assignmentTrace(assignee: { name: string | null; email: string } | null): string {
  if (!assignee) return 'unassigned this conversation';
  return `assigned this conversation to ${assignee.name?.trim() || assignee.email}`;
}

/**
 * Assign a conversation to a member of its organization, or to nobody — from the dashboard, a chat-app command or
 * the API. A user who is not a member is refused (`not_member`, a clear message); a real change leaves an internal
 * trace note that every chat app gets like any note, and refreshes dashboards.
 */
export async function assignConversation(
  ports: TConversationPorts,
  organizationId: string,
  input: TAssignConversationInput,
): Promise<{
  changed: boolean;
  projectId: string;
  assignee: { id: string; name: string | null; email: string } | null;
}> {
  const r = await setConversationAssignee(ports.db, organizationId, {
    conversationId: input.conversationId,
    assigneeId: input.assigneeId,
  });
  if (r.status === 'not_found') throw new AppError('not_found', 'Conversation not found.');
  if (r.status === 'not_member')
    throw new AppError('unprocessable', 'A conversation can only be assigned to a member of this organization.');
  if (r.status === 'changed') {
    // The change is committed: its audit entry first, whatever happens to the note and the push.
    await auditConversationChange(ports.db, organizationId, input.audit, {
      conversationId: input.conversationId,
      action: 'conversation.assigned',
      metadata: { assigneeId: input.assigneeId, previousAssigneeId: r.previousAssigneeId },
    });
    await postOperatorMessage(ports, organizationId, {
      conversationId: input.conversationId,
      projectId: r.projectId,
      authorName: input.actor.authorName,
      body: assignmentTrace(r.assignee),
      visibility: 'internal',
      source: input.actor.source,
      ...(input.actor.inbound ? { inbound: input.actor.inbound } : {}),
    });
    ports.dashboard?.event({
      type: 'conversation',
      organizationId,
      projectId: r.projectId,
      conversationId: input.conversationId,
      change: 'assigned',
    });
  }
  return { changed: r.status === 'changed', projectId: r.projectId, assignee: r.assignee };
}
