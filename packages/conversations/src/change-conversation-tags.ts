import { AppError } from '@pocketping/core';
import { changeConversationTagsRow } from '@pocketping/db';
import { MAX_TAGS_PER_CONVERSATION, TAG_MAX_LENGTH, normalizeTag } from '@pocketping/protocol';
import { auditConversationChange, type TActionAudit } from './action-audit.js';
import type { TConversationPorts } from './ports.js';

/**
 * Tags given by a person, normalized and without repeats; one that cannot be a tag is refused with words, never cut
 * or dropped. Exported so a caller that changes more than the tags (the API's PATCH) can refuse bad tags before it
 * changes anything.
 */
export function normalizeTags(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (const r of raw) {
    const tag = normalizeTag(r);
    if (tag === null)
      throw new AppError(
        'unprocessable',
        `"${r.trim().slice(0, 40)}" is not a tag: a tag is 1 to ${TAG_MAX_LENGTH} characters.`,
      );
    if (!out.includes(tag)) out.push(tag);
  }
  return out;
}

/**
 * Add and/or remove tags of a conversation (dashboard, `/tag` and `/untag` from a chat app), or replace them all
 * (`set`, the API). More than MAX_TAGS_PER_CONVERSATION is refused as a whole; a change refreshes dashboards.
 */
export async function changeConversationTags(
  ports: TConversationPorts,
  organizationId: string,
  input: {
    conversationId: string;
    add?: readonly string[];
    remove?: readonly string[];
    /** The whole new list, in place of add/remove. */
    set?: readonly string[];
    /** An audit entry `conversation.tags_changed` for a real change (the member in the dashboard, the REST API key). */
    audit?: TActionAudit;
  },
): Promise<{ changed: boolean; tags: string[] }> {
  const add = normalizeTags(input.add ?? []);
  const remove = normalizeTags(input.remove ?? []);
  const set = input.set ? normalizeTags(input.set) : undefined;
  const r = await changeConversationTagsRow(ports.db, organizationId, {
    conversationId: input.conversationId,
    add,
    remove,
    ...(set ? { set } : {}),
    max: MAX_TAGS_PER_CONVERSATION,
  });
  if (r.status === 'not_found') throw new AppError('not_found', 'Conversation not found.');
  if (r.status === 'too_many')
    throw new AppError('unprocessable', `A conversation has at most ${r.max} tags; remove one first.`);
  if (r.status === 'changed') {
    await auditConversationChange(ports.db, organizationId, input.audit, {
      conversationId: input.conversationId,
      action: 'conversation.tags_changed',
      metadata: { tags: r.tags },
    });
    ports.dashboard?.event({
      type: 'conversation',
      organizationId,
      projectId: r.projectId,
      conversationId: input.conversationId,
      change: 'tags',
    });
  }
  return { changed: r.status === 'changed', tags: r.tags };
}
