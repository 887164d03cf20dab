import { changeMessage } from '@pocketping/db';
import type { TMessage } from '@pocketping/protocol';
import type { TConversationPorts } from './ports.js';

export interface TChangeOperatorMessageInput {
  conversationId: string;
  projectId: string;
  messageId: string;
  visibility: 'public' | 'internal';
  change: { kind: 'edit'; body: string } | { kind: 'delete' };
  /** The chat app the change was made in: its own copy is already changed, the others follow through the outbox. */
  excludeConnectionId: string | null;
}

/**
 * An operator edited or deleted their message (from a chat app today; the dashboard and the API later): the stored
 * message follows (`editedAt` / `deletedAt`, same seq), the widget gets the new version (public messages only),
 * dashboards refresh, and every other app's copy is changed through the outbox. A repeat changes nothing.
 */
export async function changeOperatorMessage(
  ports: TConversationPorts,
  organizationId: string,
  input: TChangeOperatorMessageInput,
): Promise<{ message: TMessage; changed: boolean } | null> {
  const result = await changeMessage(ports.db, organizationId, {
    messageId: input.messageId,
    change: input.change,
    excludeConnectionId: input.excludeConnectionId,
  });
  if (!result) return null;
  if (!result.changed) return { message: result.message, changed: false };
  if (input.visibility === 'public')
    ports.widget.message(
      input.conversationId,
      ports.signFiles ? ports.signFiles(organizationId, result.message) : result.message,
    );
  ports.dashboard?.event({
    type: 'message',
    organizationId,
    projectId: input.projectId,
    conversationId: input.conversationId,
    seq: result.message.seq,
    change: input.change.kind === 'edit' ? 'edited' : 'deleted',
    sender: 'operator',
    visibility: input.visibility,
  });
  await ports.enqueueDeliveries(result.outbox);
  return { message: result.message, changed: true };
}
