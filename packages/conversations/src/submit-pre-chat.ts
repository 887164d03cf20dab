import { AppError } from '@pocketping/core';
import { savePreChat } from '@pocketping/db';
import { appendToOpenConversation } from './append-to-open-conversation.js';
import type { TVisitorPorts, TVisitorSession } from './visitor-ports.js';
import { capWidgetNote } from './widget-note.js';

export interface TSubmitPreChatInput {
  email?: string | undefined;
  name?: string | undefined;
  fields?: Record<string, string> | undefined;
}

/**
 * The visitor filled in the pre-chat form: an internal note with the answers for every chat app, then the answers
 * saved on the conversation that note landed in (if the remembered one was closed meanwhile, that is the new open
 * one) and email/name copied to the visitor unless a verified identity set them (a new name or email renames the
 * visitor's threads in the chat apps). A resubmission replaces the answers.
 */
export async function submitPreChat(
  ports: TVisitorPorts,
  session: TVisitorSession,
  input: TSubmitPreChatInput,
): Promise<{ conversationId: string }> {
  if (!input.email && !input.name && !input.fields) throw new AppError('bad_request', 'The pre-chat form is empty');
  const lines = [
    input.name ? `name: ${input.name}` : null,
    input.email ? `email: ${input.email}` : null,
    ...Object.entries(input.fields ?? {}).map(([k, v]) => `${k}: ${v}`),
  ].filter((l): l is string => l !== null);
  const note = await appendToOpenConversation(ports, session, {
    sender: 'system',
    visibility: 'internal',
    body: capWidgetNote(`Pre-chat form\n${lines.join('\n')}`),
    source: 'widget',
  });
  const { conversationId } = note.message;
  const renames = await savePreChat(ports.db, session.organizationId, {
    conversationId,
    visitorId: session.visitorId,
    email: input.email,
    name: input.name,
    fields: input.fields,
  });
  await ports.enqueueDeliveries(renames);
  return { conversationId };
}
