import { AppError } from '@pocketping/core';
import {
  assignConversation,
  changeConversationAi,
  changeConversationTags,
  changeConversationStatus,
  markConversationRead,
  postOperatorMessage as post,
} from '@pocketping/conversations';
import { LIMITS, type TMessage } from '@pocketping/protocol';
import type { TWebContext } from '../context';
import type { TSessionUser } from '../auth/session';
import { conversationPorts } from './realtime';
import { conversationExists, type TAuditOrigin } from '@pocketping/db';

/**
 * What the dashboard does to a conversation: the conversation actions of @pocketping/conversations (the same ones a
 * chat-app reply or command runs in the worker), after checking the conversation belongs to the project in the URL.
 */

interface TScope {
  app: TWebContext;
  organizationId: string;
  projectId: string;
  conversationId: string;
  user: TSessionUser;
  /** The request's address and User-Agent: an action that is audited (assignment, tags) writes them. */
  origin?: TAuditOrigin;
}

/** The audit input of an action done by the signed-in member (none without the request's origin). */
const memberAudit = (s: TScope) =>
  s.origin ? { audit: { actorType: 'user' as const, actorId: s.user.id, origin: s.origin } } : {};

/** The conversation of this project (read inside the tenant), or not_found. */
async function loadConversation(s: TScope): Promise<{ id: string }> {
  if (!(await conversationExists(s.app.db, s, s.conversationId)))
    throw new AppError('not_found', 'Conversation not found.');
  return { id: s.conversationId };
}

export function operatorName(user: TSessionUser): string {
  return (user.name?.trim() || user.email).slice(0, LIMITS.authorNameMax);
}

/** A reply (public: widget + every bridge) or an internal note (bridges as a note, never the widget). */
export async function postOperatorMessage(
  s: TScope,
  input: {
    body: string;
    visibility: 'public' | 'internal';
    clientId?: string | undefined;
    attachmentIds?: readonly string[];
  },
): Promise<{ message: TMessage; duplicate: boolean }> {
  const conversation = await loadConversation(s);
  const r = await post(conversationPorts(s.app), s.organizationId, {
    conversationId: conversation.id,
    projectId: s.projectId,
    authorName: operatorName(s.user),
    body: input.body,
    visibility: input.visibility,
    source: 'web',
    clientId: input.clientId ?? null,
    ...(input.attachmentIds?.length ? { attachmentIds: input.attachmentIds } : {}),
  });
  return { message: r.message, duplicate: r.duplicate };
}

/** Close or reopen, with the same effects as /close and /reopen from a chat app. */
export async function setStatus(
  s: TScope,
  status: 'open' | 'closed',
): Promise<{ status: 'open' | 'closed'; changed: boolean }> {
  const conversation = await loadConversation(s);
  const { changed } = await changeConversationStatus(conversationPorts(s.app), s.organizationId, {
    conversationId: conversation.id,
    status,
    actor: { authorName: operatorName(s.user), source: 'web' },
  });
  return { status, changed };
}

/** The team read everything up to `seq`: the watermark moves forward only, and the widget gets a read receipt. */
export async function markRead(s: TScope, seq: number): Promise<{ operatorLastReadSeq: number; moved: boolean }> {
  const conversation = await loadConversation(s);
  const r = await markConversationRead(conversationPorts(s.app), s.organizationId, {
    conversationId: conversation.id,
    projectId: s.projectId,
    seq,
  });
  if (!r) throw new AppError('not_found', 'Conversation not found.');
  return r;
}

/** "AI off" / "hand back to AI" in the inbox, like `/ai off|on` from a chat app. */
export async function setConversationAi(s: TScope, on: boolean): Promise<{ on: boolean; changed: boolean }> {
  const conversation = await loadConversation(s);
  const { changed } = await changeConversationAi(conversationPorts(s.app), s.organizationId, {
    conversationId: conversation.id,
    projectId: s.projectId,
    on,
  });
  return { on, changed };
}

/** Assign to a member of the organization (or nobody), like `/assign` from a chat app: a trace note everywhere. */
export async function setAssignee(
  s: TScope,
  assigneeId: string | null,
): Promise<{ assigneeId: string | null; changed: boolean }> {
  const conversation = await loadConversation(s);
  const { changed } = await assignConversation(conversationPorts(s.app), s.organizationId, {
    conversationId: conversation.id,
    assigneeId,
    actor: { authorName: operatorName(s.user), source: 'web' },
    ...memberAudit(s),
  });
  return { assigneeId, changed };
}

/** Add or remove tags, like `/tag` and `/untag`; answers the conversation's tags after the change. */
export async function setTags(
  s: TScope,
  input: { add?: string[] | undefined; remove?: string[] | undefined },
): Promise<{ tags: string[]; changed: boolean }> {
  const conversation = await loadConversation(s);
  return changeConversationTags(conversationPorts(s.app), s.organizationId, {
    conversationId: conversation.id,
    ...(input.add ? { add: input.add } : {}),
    ...(input.remove ? { remove: input.remove } : {}),
    ...memberAudit(s),
  });
}
