import type { Prisma } from '@prisma/client';
import type { TDb } from '../client.js';

export async function writeAuditLog(
  db: TDb,
  organizationId: string,
  entry: { actorType: 'user' | 'api_key' | 'system' | 'cli'; actorId?: string | null; action: string; targetType?: string; targetId?: string; metadata?: Prisma.InputJsonValue },
): Promise<void> {
  await db.auditLog.create({
    data: {
      organizationId, actorType: entry.actorType, actorId: entry.actorId ?? null, action: entry.action,
      targetType: entry.targetType ?? null, targetId: entry.targetId ?? null, metadata: entry.metadata ?? {},
    },
  });
}
