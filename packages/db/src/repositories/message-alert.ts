import type { TDb } from '../client.js';

export interface TMessageAlertRow {
  visitorId: string;
  visitorName: string | null;
  visitorEmail: string | null;
  body: string;
  hasAttachments: boolean;
}

/**
 * What a dashboard alert about one new message shows: the visitor and the message — only for a public, undeleted
 * visitor message of that conversation of that project (anything else, or another tenant's, is null).
 */
export async function getVisitorMessageForAlert(
  db: TDb,
  scope: { organizationId: string; projectId: string },
  conversationId: string,
  seq: number,
): Promise<TMessageAlertRow | null> {
  const m = await db.message.findFirst({
    where: {
      organizationId: scope.organizationId,
      conversationId,
      seq,
      sender: 'visitor',
      visibility: 'public',
      deletedAt: null,
      conversation: { projectId: scope.projectId },
    },
    select: {
      body: true,
      _count: { select: { attachments: true } },
      conversation: { select: { visitor: { select: { id: true, name: true, email: true } } } },
    },
  });
  if (!m) return null;
  const v = m.conversation.visitor;
  return {
    visitorId: v.id,
    visitorName: v.name,
    visitorEmail: v.email,
    body: m.body,
    hasAttachments: m._count.attachments > 0,
  };
}
