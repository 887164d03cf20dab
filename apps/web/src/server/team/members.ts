import { AppError } from '@pocketping/core';
import { writeAuditLog, type Role, type TDb, type TTx } from '@pocketping/db';
import { canChangeRole, canInvite, canRemove, canTransferOwnership, type TInvitableRole } from './roles';

export interface TMemberPublic {
  id: string;
  userId: string;
  name: string | null;
  email: string;
  role: Role;
  joinedAt: string;
}

export async function listMembers(db: TDb, organizationId: string): Promise<TMemberPublic[]> {
  const rows = await db.membership.findMany({
    where: { organizationId },
    include: { user: { select: { name: true, email: true } } },
    orderBy: { createdAt: 'asc' },
  });
  return rows.map((m) => ({ id: m.id, userId: m.userId, name: m.user.name, email: m.user.email, role: m.role, joinedAt: m.createdAt.toISOString() }));
}

/**
 * Membership changes of one organization run one at a time (the organization row is locked), so two owners
 * demoting each other at once cannot leave the organization without an owner.
 */
async function lockedMembership(tx: TTx, organizationId: string, membershipId: string) {
  await tx.$queryRaw`SELECT id FROM "Organization" WHERE id = ${organizationId} FOR UPDATE`;
  const target = await tx.membership.findUnique({ where: { organizationId_id: { organizationId, id: membershipId } } });
  if (!target) throw new AppError('not_found', 'Member not found.');
  return target;
}

async function ownerCount(tx: TTx, organizationId: string): Promise<number> {
  return tx.membership.count({ where: { organizationId, role: 'owner' } });
}

export interface TActor {
  organizationId: string;
  userId: string;
  membershipId: string;
  role: Role;
}

export async function changeMemberRole(db: TDb, actor: TActor, membershipId: string, next: TInvitableRole): Promise<TMemberPublic> {
  await db.$transaction(async (tx) => {
    const target = await lockedMembership(tx, actor.organizationId, membershipId);
    const isSelf = target.id === actor.membershipId;
    if (!canChangeRole(actor.role, target.role, next, isSelf)) {
      throw new AppError('forbidden', target.role === 'owner' ? 'Only an owner can change an owner’s role.' : 'Only an owner can change an admin’s role.');
    }
    if (target.role === next) return;
    if (target.role === 'owner' && (await ownerCount(tx, actor.organizationId)) <= 1) {
      throw new AppError('conflict', 'The last owner cannot be demoted. Transfer ownership first.');
    }
    await tx.membership.update({ where: { organizationId_id: { organizationId: actor.organizationId, id: target.id } }, data: { role: next } });
    const withdrawn = canInvite(next) ? [] : await withdrawInvitationsBy(tx, actor.organizationId, target.userId);
    await writeAuditLog(tx as unknown as TDb, actor.organizationId, {
      actorType: 'user', actorId: actor.userId, action: 'member.role_changed', targetType: 'membership', targetId: target.id,
      metadata: { from: target.role, to: next, ...(withdrawn.length ? { invitationsWithdrawn: withdrawn } : {}) },
    });
  });
  const member = (await listMembers(db, actor.organizationId)).find((m) => m.id === membershipId);
  if (!member) throw new AppError('not_found', 'Member not found.');
  return member;
}

/**
 * Pending invitations sent by someone who can no longer invite (removed, left, demoted to agent) are withdrawn:
 * they were issued on a right that is gone. Returns their ids for the audit log.
 */
async function withdrawInvitationsBy(tx: TTx, organizationId: string, userId: string): Promise<string[]> {
  const pending = await tx.invitation.findMany({ where: { organizationId, invitedById: userId, acceptedAt: null, revokedAt: null }, select: { id: true } });
  if (pending.length === 0) return [];
  await tx.invitation.updateMany({ where: { organizationId, id: { in: pending.map((p) => p.id) } }, data: { revokedAt: new Date() } });
  return pending.map((p) => p.id);
}

export type TRemovedMember = {
  left: boolean;
  /**
   * Active API keys the member created. They keep working: a key belongs to the organization (integrations must
   * not break when a person leaves). The answer names them so the dashboard can offer to revoke them.
   */
  apiKeysKept: { id: string; name: string; prefix: string }[];
};

/** Removes a member, or lets a member leave (membershipId = their own). */
export async function removeMember(db: TDb, actor: TActor, membershipId: string): Promise<TRemovedMember> {
  return db.$transaction(async (tx) => {
    const target = await lockedMembership(tx, actor.organizationId, membershipId);
    const isSelf = target.id === actor.membershipId;
    if (!canRemove(actor.role, target.role, isSelf)) {
      throw new AppError('forbidden', target.role === 'agent' ? 'Only an admin or owner can remove a member.' : `Only an owner can remove an ${target.role}.`);
    }
    if (target.role === 'owner' && (await ownerCount(tx, actor.organizationId)) <= 1) {
      throw new AppError('conflict', isSelf ? 'You are the last owner: transfer ownership before leaving.' : 'The last owner cannot be removed.');
    }
    await tx.membership.delete({ where: { organizationId_id: { organizationId: actor.organizationId, id: target.id } } });
    const withdrawn = await withdrawInvitationsBy(tx, actor.organizationId, target.userId);
    const apiKeysKept = await tx.apiKey.findMany({
      where: { organizationId: actor.organizationId, createdById: target.userId, revokedAt: null },
      select: { id: true, name: true, prefix: true },
      orderBy: { createdAt: 'asc' },
    });
    await writeAuditLog(tx as unknown as TDb, actor.organizationId, {
      actorType: 'user', actorId: actor.userId, action: isSelf ? 'member.left' : 'member.removed', targetType: 'membership', targetId: target.id,
      metadata: { userId: target.userId, role: target.role, invitationsWithdrawn: withdrawn, apiKeysKept: apiKeysKept.map((k) => k.id) },
    });
    return { left: isSelf, apiKeysKept };
  });
}

/** The target becomes an owner and the caller (an owner) becomes an admin, in one transaction. */
export async function transferOwnership(db: TDb, actor: TActor, membershipId: string): Promise<void> {
  if (!canTransferOwnership(actor.role)) throw new AppError('forbidden', 'Only an owner can transfer ownership.');
  await db.$transaction(async (tx) => {
    const target = await lockedMembership(tx, actor.organizationId, membershipId);
    if (target.id === actor.membershipId) throw new AppError('bad_request', 'You already own this organization.');
    const me = await tx.membership.findUnique({ where: { organizationId_id: { organizationId: actor.organizationId, id: actor.membershipId } } });
    if (!me || me.role !== 'owner') throw new AppError('forbidden', 'Only an owner can transfer ownership.');
    await tx.membership.update({ where: { organizationId_id: { organizationId: actor.organizationId, id: target.id } }, data: { role: 'owner' } });
    await tx.membership.update({ where: { organizationId_id: { organizationId: actor.organizationId, id: me.id } }, data: { role: 'admin' } });
    await writeAuditLog(tx as unknown as TDb, actor.organizationId, {
      actorType: 'user', actorId: actor.userId, action: 'ownership.transferred', targetType: 'membership', targetId: target.id, metadata: { fromUserId: actor.userId, toUserId: target.userId },
    });
  });
}
