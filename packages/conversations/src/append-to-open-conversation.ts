import { AppError } from '@pocketping/core';
import {
  appendWidgetMessage,
  getOrCreateOpenConversationSql,
  type TAppendMessageResult,
  type TAppendWidgetMessageInput,
} from '@pocketping/db';
import type { TVisitorPorts, TVisitorSession } from './visitor-ports.js';

/**
 * Appends what the visitor side writes to the visitor's open conversation, over the hot path: ONE SQL statement
 * (`appendWidgetMessage`: clientId check, seq, message, upload links, outbox rows) with the conversation the session
 * remembers. The first write finds or creates the open conversation (the visitor row locked, so two tabs end up in
 * one) and the session remembers it. A conversation closed meanwhile writes nothing; the open one is resolved again
 * (a new one) and the write retried once. After commit: the deliveries are handed to the queue without waiting (a
 * failure is logged, the sweeper delivers) and the team's dashboards are told.
 */
export async function appendToOpenConversation(
  ports: TVisitorPorts,
  session: TVisitorSession,
  input: Omit<TAppendWidgetMessageInput, 'conversationId' | 'visitorId'>,
): Promise<TAppendMessageResult> {
  const { organizationId, visitorId } = session;
  for (let attempt = 0; ; attempt++) {
    session.openConversationId ??= await findOrStartConversation(ports, session);
    const conversationId = session.openConversationId;
    const result = await appendWidgetMessage(ports.sql, organizationId, { conversationId, visitorId, ...input });
    if (!('conversationGone' in result)) {
      if (!result.duplicate) afterVisitorAppend(ports, session, result);
      return result;
    }
    session.openConversationId = null;
    if (attempt >= 1) throw new AppError('internal', 'The conversation changed while sending; retry');
  }
}

/**
 * The visitor's open conversation, found or created (through the transport's port when it has one: the plan's
 * monthly quota), with the quota's note for the team when it started beyond the plan.
 */
export async function findOrStartConversation(ports: TVisitorPorts, session: TVisitorSession): Promise<string> {
  const { organizationId, projectId, visitorId } = session;
  if (!ports.startConversation)
    return (await getOrCreateOpenConversationSql(ports.sql, organizationId, { projectId, visitorId })).id;
  const started = await ports.startConversation({ organizationId, projectId, visitorId });
  if (started.quotaNote) {
    const note = await appendWidgetMessage(ports.sql, organizationId, {
      conversationId: started.id,
      visitorId,
      sender: 'system',
      visibility: 'internal',
      body: started.quotaNote,
      source: 'billing',
    });
    if (!('conversationGone' in note) && !note.duplicate) afterVisitorAppend(ports, session, note);
  }
  return started.id;
}

/** After commit of something the visitor side wrote: dashboards told (a first message opens it there), deliveries queued. */
export function afterVisitorAppend(
  ports: TVisitorPorts,
  session: Pick<TVisitorSession, 'organizationId' | 'projectId'>,
  result: TAppendMessageResult,
): void {
  const { organizationId, projectId } = session;
  const { conversationId, seq, sender } = result.message;
  if (seq === 1)
    ports.dashboard?.event({ type: 'conversation', organizationId, projectId, conversationId, change: 'opened' });
  ports.dashboard?.event({
    type: 'message',
    organizationId,
    projectId,
    conversationId,
    seq,
    change: 'created',
    sender,
  });
  // Not awaited: the ack must not wait for Redis. The port logs a failure; the rows are committed, the sweeper delivers.
  if (result.outbox.length > 0) void ports.enqueueDeliveries(result.outbox);
}
