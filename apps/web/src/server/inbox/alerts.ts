import { AppError } from '@pocketping/core';
import { getVisitorMessageForAlert, type TDb } from '@pocketping/db';
import { visitorHandle } from './conversations';

/** A desktop notification's body is a preview, not the message. */
export const ALERT_PREVIEW_MAX = 140;

export interface TMessageAlert {
  /** The visitor's label, as the inbox shows it. */
  title: string;
  body: string;
}

/**
 * The desktop notification for a visitor's new message (the dashboard asks when its socket tells it one arrived):
 * the visitor's label and the first words. Notes, team or AI messages, deleted ones and other projects' are
 * not_found — they never notify.
 */
export async function getMessageAlert(
  db: TDb,
  scope: { organizationId: string; projectId: string },
  conversationId: string,
  seq: number,
): Promise<TMessageAlert> {
  const m = await getVisitorMessageForAlert(db, scope, conversationId, seq);
  if (!m) throw new AppError('not_found', 'No visitor message to announce.');
  const text = m.body.replace(/\s+/g, ' ').trim();
  return {
    title: m.visitorName?.trim() || m.visitorEmail || visitorHandle(m.visitorId),
    body: text
      ? text.length > ALERT_PREVIEW_MAX
        ? `${text.slice(0, ALERT_PREVIEW_MAX - 1)}…`
        : text
      : m.hasAttachments
        ? 'Sent a file'
        : 'New message',
  };
}
