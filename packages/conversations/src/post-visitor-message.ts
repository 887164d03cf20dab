import type { TAppendMessageResult } from '@pocketping/db';
import { appendToOpenConversation } from './append-to-open-conversation.js';
import type { TVisitorPorts, TVisitorSession } from './visitor-ports.js';

export interface TPostVisitorMessageInput {
  /** The widget's id for this message: a repeat (retry, reconnect) returns the stored message and stores nothing. */
  clientId: string;
  /** May be empty when files are attached. */
  body: string;
  /** The visitor's own uploads in this conversation, not sent yet: all or nothing (AppError forbidden). */
  attachmentIds?: readonly string[];
}

/**
 * A message the visitor wrote — the first one opens the conversation. Stored with its seq and one delivery per
 * connected chat app in one SQL statement (the hot path: nothing else touches the database), then the deliveries
 * are queued, dashboards told and the app's follow-up port called (`visitorMessagePosted`: the AI fallback's hook). A
 * duplicate changes nothing and is returned as stored. The visitor's other tabs are the transport's business (it
 * knows which tab sent it).
 */
export async function postVisitorMessage(
  ports: TVisitorPorts,
  session: TVisitorSession,
  input: TPostVisitorMessageInput,
): Promise<TAppendMessageResult> {
  const result = await appendToOpenConversation(ports, session, {
    sender: 'visitor',
    visibility: 'public',
    body: input.body,
    clientId: input.clientId,
    source: 'widget',
    ...(input.attachmentIds?.length ? { attachmentIds: input.attachmentIds } : {}),
  });
  const hook = ports.visitorMessagePosted;
  if (hook && !result.duplicate) {
    const { organizationId, projectId } = session;
    const { conversationId, id: messageId, seq } = result.message;
    // Not awaited, like the enqueue: the ack never waits for what follows.
    void (async () => hook({ organizationId, projectId, conversationId, messageId, seq }))().catch((err: unknown) =>
      ports.log.warn(
        { err: err instanceof Error ? err.message : String(err), tenantId: organizationId, conversationId },
        'visitor message follow-up failed',
      ),
    );
  }
  return result;
}
