import { appendMessage, markOperatorRead, type TOutboxRef } from '@pocketping/db';
import { stopAiForHuman } from './stop-ai-for-human.js';
import type { TMessage } from '@pocketping/protocol';
import type { TConversationPorts } from './ports.js';

export interface TPostOperatorMessageInput {
  conversationId: string;
  projectId: string;
  authorName: string;
  body: string;
  /** 'internal' = a note: every chat app gets it as a note, the widget never does. */
  visibility: 'public' | 'internal';
  /** Where it was written: 'web' (dashboard), 'telegram', 'slack', 'discord', 'api'… (a mirror says "via …"). */
  source: string;
  /** Idempotency key of the caller (dashboard client id, API Idempotency-Key): a repeat returns the first message. */
  clientId?: string | null;
  /** The platform message it came from: unique per connection, so a redelivery stores nothing twice; not mirrored back. */
  inbound?: { connectionId: string; externalChatId: string; externalMessageId: string };
  attachmentIds?: readonly string[];
}

/**
 * An operator message from anywhere (dashboard reply or note, a chat app, a command's note): stored with its seq and
 * its deliveries in one transaction (every chat app but the one it came from), then the widget gets it (public only),
 * the widget learns the team read everything before it, the operator counts as active, and dashboards refresh.
 * A duplicate (same clientId / platform message) is pushed again — the first attempt may have died before pushing;
 * widgets dedupe by seq — but changes nothing else.
 */
export async function postOperatorMessage(
  ports: TConversationPorts,
  organizationId: string,
  input: TPostOperatorMessageInput,
): Promise<{ message: TMessage; duplicate: boolean; outbox: TOutboxRef[] }> {
  const result = await appendMessage(ports.db, organizationId, {
    conversationId: input.conversationId,
    sender: 'operator',
    visibility: input.visibility,
    authorName: input.authorName,
    body: input.body,
    source: input.source,
    clientId: input.clientId ?? null,
    ...(input.inbound ? { inbound: input.inbound } : {}),
    ...(input.attachmentIds?.length ? { attachmentIds: input.attachmentIds } : {}),
  });
  const { message } = result;
  if (!result.duplicate) await ports.enqueueDeliveries(result.outbox);
  if (input.visibility === 'public') {
    // A person answered: the AI steps back at once (pending timer removed, a running answer stopped) until handed back.
    if (!result.duplicate) await stopAiForHuman(ports, organizationId, input.conversationId);
    ports.widget.message(input.conversationId, ports.signFiles ? ports.signFiles(organizationId, message) : message);
    if (!result.duplicate) {
      // appendMessage moved the team's read watermark to seq - 1 in the same statement; the widget hears it here.
      if (message.seq > 1)
        ports.widget.receipt({ conversationId: input.conversationId, kind: 'read', seq: message.seq - 1 });
      await ports
        .operatorActive({ organizationId, projectId: input.projectId })
        .catch((err: unknown) =>
          ports.log.warn(
            { err: err instanceof Error ? err.message : String(err), tenantId: organizationId },
            'operator presence update failed',
          ),
        );
    }
  } else if (!result.duplicate) {
    // Writing a note means having read the conversation; the note itself is not "unread" for the team.
    await markOperatorRead(ports.db, organizationId, input.conversationId, message.seq);
  }
  ports.dashboard?.event({
    type: 'message',
    organizationId,
    projectId: input.projectId,
    conversationId: input.conversationId,
    seq: message.seq,
    change: 'created',
    sender: 'operator',
    visibility: input.visibility,
  });
  return result;
}
