import type { TAppendMessageResult } from '@pocketping/db';
import { appendToOpenConversation } from './append-to-open-conversation.js';
import type { TVisitorPorts, TVisitorSession } from './visitor-ports.js';
import { capWidgetNote } from './widget-note.js';

export interface TRecordVisitorEventInput {
  /** The site's name for what happened (`PocketPing.trigger('checkout', …)`). */
  name: string;
  data?: Record<string, unknown> | undefined;
}

/**
 * A custom event the site reports for its visitor: an internal note `Event: name` with the data as `key: value`
 * lines (capped, one post per app), stored in the open conversation (opened if needed) and posted to every chat app
 * as a note, and `event.custom` to the project's webhooks; the widget never shows it. Each call is a new event: events carry no id to deduplicate on.
 */
export async function recordVisitorEvent(
  ports: TVisitorPorts,
  session: TVisitorSession,
  input: TRecordVisitorEventInput,
): Promise<TAppendMessageResult> {
  const entries = Object.entries(input.data ?? {});
  const lines = entries.length > 0 ? `\n${entries.map(([k, v]) => `${k}: ${String(v)}`).join('\n')}` : '';
  return appendToOpenConversation(ports, session, {
    sender: 'system',
    visibility: 'internal',
    body: capWidgetNote(`Event: ${input.name}${lines}`),
    source: 'widget',
    // The customer's server gets it too (outbound webhooks), in the same statement as the note.
    webhook: { type: 'event.custom', data: { name: input.name, data: input.data ?? {} } },
  });
}
