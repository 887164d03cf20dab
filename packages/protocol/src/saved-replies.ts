import { z } from 'zod';
import { ZMessageBody } from './message.js';

/** What an operator types after `/` or `#` in the reply box, or after `/saved` in a chat app. */
export const SAVED_REPLY_SHORTCUT = /^[a-z0-9-]{1,32}$/;
export const SAVED_REPLY_TITLE_MAX = 80;
/** A project's saved replies are few by nature; the cap keeps the reply box's list and `/saved` readable. */
export const SAVED_REPLIES_PER_PROJECT_MAX = 200;

export const ZSavedReplyShortcut = z
  .string()
  .trim()
  .toLowerCase()
  .regex(SAVED_REPLY_SHORTCUT, 'Use 1 to 32 lowercase letters, digits or dashes (e.g. refund).');

export const ZSavedReplyInput = z.strictObject({
  title: z
    .string()
    .trim()
    .min(1, 'Give it a title.')
    .max(SAVED_REPLY_TITLE_MAX, `At most ${SAVED_REPLY_TITLE_MAX} characters.`),
  shortcut: ZSavedReplyShortcut,
  /** The same body rules as a message: what is saved can always be sent. */
  body: ZMessageBody,
});
export type TSavedReplyInput = z.infer<typeof ZSavedReplyInput>;

export interface TSavedReply {
  id: string;
  projectId: string;
  title: string;
  shortcut: string;
  body: string;
  updatedAt: string;
}

/**
 * A saved reply's body with its placeholders filled: `{visitor.name}` and `{operator.name}`. An unknown name becomes
 * a neutral word rather than an empty gap or the raw placeholder ("Hi there," not "Hi ,").
 */
export function fillSavedReply(
  body: string,
  names: { visitorName?: string | null; operatorName?: string | null },
): string {
  const visitor = names.visitorName?.trim() || 'there';
  const operator = names.operatorName?.trim() || 'the team';
  return body.replace(/\{\s*(visitor|operator)\.name\s*\}/g, (_m, who: string) =>
    who === 'visitor' ? visitor : operator,
  );
}
