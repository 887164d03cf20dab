import { AppError } from '@pocketping/core';
import {
  countOwners,
  deleteMembership,
  getMembershipById,
  listActiveApiKeysCreatedBy,
  listOrganizationMembers,
  revokePendingInvitationsBy,
  setMembershipRole,
  withOrganizationLock,
  writeAuditLog,
  type Role,
  type TDb,
  type TTx,
  type TAuditOrigin,
} from '@pocketping/db';
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
  const rows = await listOrganizationMembers(db, organizationId);
  return rows.map((m) => ({
    id: m.id,
    userId: m.userId,
    name: m.name,
    email: m.email,
    role: m.role,
    joinedAt: m.createdAt.toISOString(),
  }));
}

/** Inside withOrganizationLock: membership changes of one organization run one at a time. */
async function lockedMembership(tx: TTx, organizationId: string, membershipId: string) {
  const target = await getMembershipById(tx, organizationId, membershipId);
  if (!target) throw new AppError('not_found', 'Member not found.');
  return target;
}

export interface TActor {
  organizationId: string;
  userId: string;
  membershipId: string;
  role: Role;
  /** Where the request came from (its audit entries record it). */
  origin: TAuditOrigin;
}

export async function changeMemberRole(
  db: TDb,
  actor: TActor,
  membershipId: string,
  next: TInvitableRole,
): Promise<TMemberPublic> {
  await withOrganizationLock(db, actor.organizationId, async (tx) => {
    const target = await lockedMembership(tx, actor.organizationId, membershipId);
    const isSelf = target.id === actor.membershipId;
    if (!canChangeRole(actor.role, target.role, next, isSelf)) {
      throw new AppError(
        'forbidden',
        target.role === 'owner'
          ? 'Only an owner can change an owner’s role.'
          : 'Only an owner can change an admin’s role.',
      );
    }
    if (target.role === next) return;
    if (target.role === 'owner' && (await countOwners(tx, actor.organizationId)) <= 1) {
      throw new AppError('conflict', 'The last owner cannot be demoted. Transfer ownership first.');
    }
    await setMembershipRole(tx, actor.organizationId, target.id, next);
    // Pending invitations sent by someone who can no longer invite are withdrawn: they were issued on a right that
    // is gone.
    const withdrawn = canInvite(next) ? [] : await revokePendingInvitationsBy(tx, actor.organizationId, target.userId);
    await writeAuditLog(
      tx,
      actor.organizationId,
      {
        actorType: 'user',
        actorId: actor.userId,
        action: 'member.role_changed',
        targetType: 'membership',
        targetId: target.id,
        metadata: { from: target.role, to: next, ...(withdrawn.length ? { invitationsWithdrawn: withdrawn } : {}) },
      },
      actor.origin,
    );
  });
  const member = (await listMembers(db, actor.organizationId)).find((m) => m.id === membershipId);
  if (!member) throw new AppError('not_found', 'Member not found.');
  return member;
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
  return withOrganizationLock(db, actor.organizationId, async (tx) => {
    const target = await lockedMembership(tx, actor.organizationId, membershipId);
    const isSelf = target.id === actor.membershipId;
    if (!canRemove(actor.role, target.role, isSelf)) {
      throw new AppError(
        'forbidden',
        target.role === 'agent'
          ? 'Only an admin or owner can remove a member.'
          : `Only an owner can remove an ${target.role}.`,
      );
    }
    if (target.role === 'owner' && (await countOwners(tx, actor.organizationId)) <= 1) {
      throw new AppError(
        'conflict',
        isSelf ? 'You are the last owner: transfer ownership before leaving.' : 'The last owner cannot be removed.',
      );
    }
    await deleteMembership(tx, actor.organizationId, target.id);
    const withdrawn = await revokePendingInvitationsBy(tx, actor.organizationId, target.userId);
    const apiKeysKept = await listActiveApiKeysCreatedBy(tx, actor.organizationId, target.userId);
    await writeAuditLog(
      tx,
      actor.organizationId,
      {
        actorType: 'user',
        actorId: actor.userId,
        action: isSelf ? 'member.left' : 'member.removed',
        targetType: 'membership',
        targetId: target.id,
        metadata: {
          userId: target.userId,
          role: target.role,
          invitationsWithdrawn: withdrawn,
          apiKeysKept: apiKeysKept.map((k) => k.id),
        },
      },
      actor.origin,
    );
    return { left: isSelf, apiKeysKept };
  });
}

/** The target becomes an owner and the caller (an owner) becomes an admin, in one transaction. */
export async function transferOwnership(db: TDb, actor: TActor, membershipId: string): Promise<void> {
  if (!canTransferOwnership(actor.role)) throw new AppError('forbidden', 'Only an owner can transfer ownership.');
  await withOrganizationLock(db, actor.organizationId, async (tx) => {
    const target = await lockedMembership(tx, actor.organizationId, membershipId);
    if (target.id === actor.membershipId) throw new AppError('bad_request', 'You already own this organization.');
    const me = await getMembershipById(tx, actor.organizationId, actor.membershipId);
    if (!me || me.role !== 'owner') throw new AppError('forbidden', 'Only an owner can transfer ownership.');
    await setMembershipRole(tx, actor.organizationId, target.id, 'owner');
    await setMembershipRole(tx, actor.organizationId, me.id, 'admin');
    await writeAuditLog(
      tx,
      actor.organizationId,
      {
        actorType: 'user',
        actorId: actor.userId,
        action: 'ownership.transferred',
        targetType: 'membership',
        targetId: target.id,
        metadata: { fromUserId: actor.userId, toUserId: target.userId },
      },
      actor.origin,
    );
  });
}
