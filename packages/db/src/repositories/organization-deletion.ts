import type { TDb } from '../client.js';
import { writeAuditLog, type TAuditOrigin } from './audit.js';

export interface TOrganizationDeletion {
  requestedAt: string;
  requestedById: string | null;
  scheduledFor: string;
}

/** The organization's pending deletion, or null when none is scheduled. */
export async function getOrganizationDeletion(db: TDb, organizationId: string): Promise<TOrganizationDeletion | null> {
  const o = await db.organization.findUnique({
    where: { id: organizationId },
    select: { deletionRequestedAt: true, deletionRequestedById: true, deletionScheduledFor: true },
  });
  if (!o?.deletionRequestedAt || !o.deletionScheduledFor) return null;
  return {
    requestedAt: o.deletionRequestedAt.toISOString(),
    requestedById: o.deletionRequestedById,
    scheduledFor: o.deletionScheduledFor.toISOString(),
  };
}

/**
 * Schedules the organization's deletion at `scheduledFor` and, in the same transaction, revokes every API key and
 * pending invitation (they stop working at once, and a cancel does not bring them back). Returns the connections the
 * caller must now disconnect (platform side first, then the row), or null when a deletion was already scheduled.
 */
export async function requestOrganizationDeletion(
  db: TDb,
  input: { organizationId: string; userId: string; now: Date; scheduledFor: Date; origin: TAuditOrigin },
): Promise<{ connections: { id: string; projectId: string }[]; apiKeysRevoked: number } | null> {
  const { organizationId, now } = input;
  return db.$transaction(async (tx) => {
    const updated = await tx.organization.updateMany({
      where: { id: organizationId, deletionRequestedAt: null },
      data: { deletionRequestedAt: now, deletionRequestedById: input.userId, deletionScheduledFor: input.scheduledFor },
    });
    if (updated.count === 0) return null;
    const keys = await tx.apiKey.updateMany({ where: { organizationId, revokedAt: null }, data: { revokedAt: now } });
    await tx.invitation.updateMany({
      where: { organizationId, acceptedAt: null, revokedAt: null },
      data: { revokedAt: now },
    });
    const connections = await tx.bridgeConnection.findMany({
      where: { organizationId },
      select: { id: true, projectId: true },
    });
    await writeAuditLog(
      tx,
      organizationId,
      {
        actorType: 'user',
        actorId: input.userId,
        action: 'organization.deletion_requested',
        targetType: 'organization',
        targetId: organizationId,
        metadata: { scheduledFor: input.scheduledFor.toISOString(), apiKeysRevoked: keys.count },
      },
      input.origin,
    );
    return { connections, apiKeysRevoked: keys.count };
  });
}

/** Cancels a scheduled deletion (before the purge took it); false when none was scheduled. */
export async function cancelOrganizationDeletion(
  db: TDb,
  input: { organizationId: string; userId: string; origin: TAuditOrigin },
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const updated = await tx.organization.updateMany({
      where: { id: input.organizationId, deletionRequestedAt: { not: null } },
      data: { deletionRequestedAt: null, deletionRequestedById: null, deletionScheduledFor: null },
    });
    if (updated.count === 0) return false;
    await writeAuditLog(
      tx,
      input.organizationId,
      {
        actorType: 'user',
        actorId: input.userId,
        action: 'organization.deletion_cancelled',
        targetType: 'organization',
        targetId: input.organizationId,
      },
      input.origin,
    );
    return true;
  });
}

/** Organizations whose grace period ended before `now` (the privacy pass purges them). */
export async function listOrganizationsDueForPurge(db: TDb, now: Date, limit: number): Promise<string[]> {
  const rows = await db.organization.findMany({
    where: { deletionScheduledFor: { lte: now } },
    orderBy: { deletionScheduledFor: 'asc' },
    take: limit,
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

/**
 * Deletes the organization row — and by cascade everything of it — if its deletion is still due (a cancel that won
 * the race keeps it). The caller has already emptied its conversations in batches, files' bytes included.
 */
export async function purgeOrganizationRow(db: TDb, organizationId: string, now: Date): Promise<boolean> {
  const r = await db.organization.deleteMany({ where: { id: organizationId, deletionScheduledFor: { lte: now } } });
  return r.count > 0;
}

/** Project ids of an organization (the purge empties them one at a time). */
export async function listOrganizationProjectIds(db: TDb, organizationId: string): Promise<string[]> {
  const rows = await db.project.findMany({ where: { organizationId }, select: { id: true }, orderBy: { id: 'asc' } });
  return rows.map((r) => r.id);
}
