import type { TDb, TDbOrTx } from '../client.js';
import { emitWebhookEvent } from './webhooks.js';

/**
 * Who on the team owns a conversation, and its tags. The assignee is a user who is a member of the conversation's
 * organization: checked in the transaction that writes it (a member removed meanwhile cannot be assigned), and
 * cleared when the membership ends (`clearAssignmentsOf`). Tags arrive normalized (packages/conversations tags.ts);
 * the per-conversation limit is enforced here, under the conversation's row lock.
 */

export type TAssignResult =
  | { status: 'not_found' }
  | { status: 'not_member' }
  | {
      status: 'changed' | 'unchanged';
      projectId: string;
      previousAssigneeId: string | null;
      assignee: { id: string; name: string | null; email: string } | null;
    };

export async function setConversationAssignee(
  db: TDb,
  organizationId: string,
  input: { conversationId: string; assigneeId: string | null },
): Promise<TAssignResult> {
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<
      { projectId: string; visitorId: string; status: string; assigneeId: string | null }[]
    >`SELECT "projectId", "visitorId", status::text AS status, "assigneeId" FROM "Conversation"
      WHERE "organizationId" = ${organizationId} AND id = ${input.conversationId} FOR UPDATE`;
    const c = rows[0];
    if (!c) return { status: 'not_found' } as const;
    let assignee: { id: string; name: string | null; email: string } | null = null;
    if (input.assigneeId !== null) {
      const m = await tx.membership.findUnique({
        where: { organizationId_userId: { organizationId, userId: input.assigneeId } },
        select: { user: { select: { id: true, name: true, email: true } } },
      });
      if (!m) return { status: 'not_member' } as const;
      assignee = m.user;
    }
    if (c.assigneeId === input.assigneeId)
      return { status: 'unchanged', projectId: c.projectId, previousAssigneeId: c.assigneeId, assignee } as const;
    await tx.conversation.update({
      where: { organizationId_id: { organizationId, id: input.conversationId } },
      data: { assigneeId: input.assigneeId },
    });
    await emitWebhookEvent(tx, organizationId, {
      projectId: c.projectId,
      type: 'conversation.assigned',
      conversationId: input.conversationId,
      data: {
        conversation: {
          id: input.conversationId,
          projectId: c.projectId,
          visitorId: c.visitorId,
          status: c.status,
          assigneeId: input.assigneeId,
        },
        assignee: assignee ? { id: assignee.id, name: assignee.name } : null,
      },
    });
    return { status: 'changed', projectId: c.projectId, previousAssigneeId: c.assigneeId, assignee } as const;
  });
}

/** A member left the organization: nothing stays assigned to them there. */
export async function clearAssignmentsOf(db: TDbOrTx, organizationId: string, userId: string): Promise<number> {
  const r = await db.conversation.updateMany({
    where: { organizationId, assigneeId: userId },
    data: { assigneeId: null },
  });
  return r.count;
}

export type TTagsResult =
  | { status: 'not_found' }
  | { status: 'too_many'; tags: string[]; max: number }
  | { status: 'changed' | 'unchanged'; projectId: string; tags: string[] };

/**
 * Adds and removes (already normalized) tags, or replaces them all with `set` (the API's PATCH: the list sent, not a
 * diff against a copy read earlier); refused as a whole when the result would exceed `max`.
 */
export async function changeConversationTagsRow(
  db: TDb,
  organizationId: string,
  input: {
    conversationId: string;
    add: readonly string[];
    remove: readonly string[];
    set?: readonly string[];
    max: number;
  },
): Promise<TTagsResult> {
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ projectId: string; tags: string[] | null }[]>`
      SELECT "projectId", tags FROM "Conversation"
      WHERE "organizationId" = ${organizationId} AND id = ${input.conversationId} FOR UPDATE`;
    const c = rows[0];
    if (!c) return { status: 'not_found' } as const;
    const before = c.tags ?? [];
    const removed = new Set(input.remove);
    const next = input.set ? [...input.set] : before.filter((t) => !removed.has(t));
    for (const t of input.add) if (!next.includes(t)) next.push(t);
    if (next.length > input.max && next.length > before.length)
      return { status: 'too_many', tags: before, max: input.max } as const;
    if (next.length === before.length && next.every((t, i) => t === before[i]))
      return { status: 'unchanged', projectId: c.projectId, tags: before } as const;
    await tx.conversation.update({
      where: { organizationId_id: { organizationId, id: input.conversationId } },
      data: { tags: next },
    });
    return { status: 'changed', projectId: c.projectId, tags: next } as const;
  });
}

/** The project's tags in use, most used first: the suggestions of the tag field. */
export async function listProjectTags(
  db: TDbOrTx,
  organizationId: string,
  projectId: string,
  limit = 50,
): Promise<string[]> {
  const rows = await db.$queryRaw<{ tag: string }[]>`
    SELECT t.tag FROM "Conversation" c, unnest(c.tags) AS t(tag)
    WHERE c."organizationId" = ${organizationId} AND c."projectId" = ${projectId}
    GROUP BY t.tag ORDER BY count(*) DESC, t.tag ASC LIMIT ${limit}`;
  return rows.map((r) => r.tag);
}
