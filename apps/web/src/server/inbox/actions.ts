import { AppError } from '@pocketping/core';
import { appendMessage, getConversationState, markOperatorRead, setConversationStatus, type TAppendMessageResult } from '@pocketping/db';
import { LIMITS, parseProjectSettings, type TMessage } from '@pocketping/protocol';
import type { TWebContext } from '../context';
import type { TSessionUser } from '../auth/session';
import { inboxPush, markOperatorActive } from './realtime';

/**
 * What the dashboard does to a conversation. Each action goes through the same @pocketping/db functions the worker
 * uses for a bridge reply or command (appendMessage → transactional outbox → every bridge; setConversationStatus),
 * then pushes what the widget and the dashboards need, like the worker does after the same facts.
 */

interface TScope {
  app: TWebContext;
  organizationId: string;
  projectId: string;
  conversationId: string;
  user: TSessionUser;
}

/** The conversation of this project (read inside the tenant), or not_found. */
async function loadConversation(s: TScope) {
  const c = await s.app.db.conversation.findFirst({
    where: { organizationId: s.organizationId, projectId: s.projectId, id: s.conversationId },
    select: { id: true, status: true, nextSeq: true, project: { select: { settings: true } } },
  });
  if (!c) throw new AppError('not_found', 'Conversation not found.');
  return c;
}

export function operatorName(user: TSessionUser): string {
  return (user.name?.trim() || user.email).slice(0, LIMITS.authorNameMax);
}

async function enqueue(s: TScope, result: TAppendMessageResult): Promise<void> {
  if (result.duplicate || result.outbox.length === 0) return;
  // The rows are committed: if Redis is away the worker's sweeper enqueues them a few seconds later.
  await s.app.producer.enqueueDeliveries(result.outbox).catch((err: unknown) =>
    s.app.log.warn({ err: err instanceof Error ? err.message : String(err), tenantId: s.organizationId, conversationId: s.conversationId }, 'enqueue failed; the sweeper will deliver'));
}

/** A reply (public: widget + every bridge) or an internal note (bridges as a note, never the widget). */
export async function postOperatorMessage(
  s: TScope,
  input: { body: string; visibility: 'public' | 'internal'; clientId?: string | undefined },
): Promise<{ message: TMessage; duplicate: boolean }> {
  const conversation = await loadConversation(s);
  const result = await appendMessage(s.app.db, s.organizationId, {
    conversationId: conversation.id,
    sender: 'operator',
    visibility: input.visibility,
    authorName: operatorName(s.user),
    body: input.body,
    source: 'web',
    clientId: input.clientId ?? null,
  });
  await enqueue(s, result);
  const push = inboxPush(s.app);
  const seq = result.message.seq;
  if (input.visibility === 'public') {
    // Pushed even for a duplicate (the first attempt may have died before pushing); the widget dedupes by seq.
    push.widget.message(conversation.id, result.message);
    if (!result.duplicate) {
      if (seq > 1) push.widget.receipt({ conversationId: conversation.id, kind: 'read', seq: seq - 1 });
      await markOperatorActive(s.app, s.projectId, conversation.project.settings).catch(() => undefined);
    }
  } else if (!result.duplicate) {
    // Writing a note means having read the conversation; a note itself is not "unread" for the team.
    await markOperatorRead(s.app.db, s.organizationId, conversation.id, seq);
  }
  push.dashboard.event({ type: 'message', organizationId: s.organizationId, projectId: s.projectId, conversationId: conversation.id, seq, change: 'created', sender: 'operator', visibility: input.visibility });
  return { message: result.message, duplicate: result.duplicate };
}

/** Close or reopen, with the same effects as /close and /reopen from a chat app. */
export async function setStatus(s: TScope, status: 'open' | 'closed'): Promise<{ status: 'open' | 'closed'; changed: boolean }> {
  const conversation = await loadConversation(s);
  const changed = await setConversationStatus(s.app.db, s.organizationId, conversation.id, status);
  const push = inboxPush(s.app);
  // Pushed even when unchanged: the widget applies it idempotently (a first attempt may have died before pushing).
  const state = await getConversationState(s.app.db, s.organizationId, conversation.id);
  const csatEnabled = parseProjectSettings(conversation.project.settings).csatEnabled;
  push.widget.conversation({ conversationId: conversation.id, status, csatRequested: status === 'closed' && csatEnabled && state?.csatScore === null });
  if (changed) {
    const note = await appendMessage(s.app.db, s.organizationId, {
      conversationId: conversation.id,
      sender: 'operator',
      visibility: 'internal',
      authorName: operatorName(s.user),
      body: status === 'closed' ? 'closed the conversation' : 'reopened the conversation',
      source: 'web',
    });
    await enqueue(s, note);
    await markOperatorRead(s.app.db, s.organizationId, conversation.id, note.message.seq);
    push.dashboard.event({ type: 'conversation', organizationId: s.organizationId, projectId: s.projectId, conversationId: conversation.id, change: status === 'closed' ? 'closed' : 'reopened' });
  }
  return { status, changed };
}

/** The team read everything up to `seq`: the watermark moves forward only, and the widget gets a read receipt. */
export async function markRead(s: TScope, seq: number): Promise<{ operatorLastReadSeq: number; moved: boolean }> {
  const conversation = await loadConversation(s);
  const r = await markOperatorRead(s.app.db, s.organizationId, conversation.id, seq);
  if (!r) throw new AppError('not_found', 'Conversation not found.');
  if (r.moved) {
    const push = inboxPush(s.app);
    push.widget.receipt({ conversationId: conversation.id, kind: 'read', seq: r.seq });
    push.dashboard.event({ type: 'conversation', organizationId: s.organizationId, projectId: s.projectId, conversationId: conversation.id, change: 'read' });
  }
  return { operatorLastReadSeq: r.seq, moved: r.moved };
}
