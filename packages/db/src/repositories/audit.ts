import type { Prisma } from '@prisma/client';
import type { TDbOrTx } from '../client.js';

export async function writeAuditLog(
  db: TDbOrTx,
  organizationId: string,
  entry: {
    actorType: 'user' | 'api_key' | 'system' | 'cli';
    actorId?: string | null;
    action: string;
    targetType?: string;
    targetId?: string;
    metadata?: Prisma.InputJsonValue;
    /** The client address the transport resolved, when there is one. */
    ip?: string | null;
    createdAt?: Date;
  },
): Promise<void> {
  await db.auditLog.create({
    data: {
      organizationId,
      actorType: entry.actorType,
      actorId: entry.actorId ?? null,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      metadata: entry.metadata ?? {},
      ip: entry.ip ?? null,
      ...(entry.createdAt ? { createdAt: entry.createdAt } : {}),
    },
  });
}

/** When the latest audit entry with this action on this target was written, or null. */
export async function getLatestAuditEntryAt(
  db: TDbOrTx,
  organizationId: string,
  entry: { action: string; targetType: string; targetId: string },
): Promise<Date | null> {
  const row = await db.auditLog.findFirst({
    where: { organizationId, action: entry.action, targetType: entry.targetType, targetId: entry.targetId },
    orderBy: { createdAt: 'desc' },
    select: { createdAt: true },
  });
  return row?.createdAt ?? null;
}
