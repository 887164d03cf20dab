import { writeAuditLog, type TAuditOrigin, type TDb } from '@pocketping/db';

/**
 * Who asked for a team action, for its audit entry: given by a caller whose actor the audit log names (a member in
 * the dashboard, the REST API: its key; a chat-app command has no member to name). Absent: the action writes no entry.
 */
export interface TActionAudit {
  actorType: 'user' | 'api_key';
  actorId: string;
  origin: TAuditOrigin;
}

/** One audit entry about a conversation, written only for a real change (a repeat changes nothing, logs nothing). */
export async function auditConversationChange(
  db: TDb,
  organizationId: string,
  audit: TActionAudit | undefined,
  entry: { conversationId: string; action: string; metadata: Record<string, string | string[] | null> },
): Promise<void> {
  if (!audit) return;
  await writeAuditLog(
    db,
    organizationId,
    {
      actorType: audit.actorType,
      actorId: audit.actorId,
      action: entry.action,
      targetType: 'conversation',
      targetId: entry.conversationId,
      metadata: entry.metadata,
    },
    audit.origin,
  );
}
