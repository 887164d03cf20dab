import type { Role } from '@prisma/client';
import type { TDb, TDbOrTx, TTx } from '../client.js';
import { clearAssignmentsOf } from './conversation-team.js';

/**
 * Memberships: who belongs to which organization, with which role. Every tenancy check of every transport (the
 * dashboard route wrapper, page guard, OAuth setup callbacks, the realtime dashboard socket) reads the membership
 * here; the rules about roles stay with the callers.
 */

export interface TMembership {
  id: string;
  organizationId: string;
  userId: string;
  role: Role;
}

export interface TUserMembership {
  id: string;
  organizationId: string;
  role: Role;
  organization: { id: string; name: string; slug: string };
}

export interface TOrganizationMember extends TMembership {
  name: string | null;
  email: string;
  createdAt: Date;
}

/** The membership of a user in an organization, or null (not a member, or no such organization). */
export async function getMembership(db: TDbOrTx, organizationId: string, userId: string): Promise<TMembership | null> {
  return db.membership.findUnique({
    where: { organizationId_userId: { organizationId, userId } },
    select: { id: true, organizationId: true, userId: true, role: true },
  });
}

/** Same as getMembership, with the organization's name and slug (what a page header shows). */
export async function getMembershipWithOrganization(
  db: TDbOrTx,
  organizationId: string,
  userId: string,
): Promise<(TMembership & { organization: { id: string; name: string; slug: string } }) | null> {
  return db.membership.findUnique({
    where: { organizationId_userId: { organizationId, userId } },
    select: {
      id: true,
      organizationId: true,
      userId: true,
      role: true,
      organization: { select: { id: true, name: true, slug: true } },
    },
  });
}

/** A membership by its own id, inside its organization. */
export async function getMembershipById(
  db: TDbOrTx,
  organizationId: string,
  membershipId: string,
): Promise<TMembership | null> {
  return db.membership.findUnique({
    where: { organizationId_id: { organizationId, id: membershipId } },
    select: { id: true, organizationId: true, userId: true, role: true },
  });
}

/** Every organization the user belongs to, oldest membership first. Starts from the user, not a tenant. */
export async function listMembershipsOfUser(db: TDbOrTx, userId: string): Promise<TUserMembership[]> {
  return db.membership.findMany({
    where: { userId },
    orderBy: { createdAt: 'asc' },
    select: {
      id: true,
      organizationId: true,
      role: true,
      organization: { select: { id: true, name: true, slug: true } },
    },
  });
}

/** The user's oldest membership and that organization's oldest project id (null when it has none yet). */
export async function getFirstMembershipWithFirstProject(
  db: TDbOrTx,
  userId: string,
): Promise<{ organizationId: string; firstProjectId: string | null } | null> {
  const m = await db.membership.findFirst({
    where: { userId },
    orderBy: { createdAt: 'asc' },
    include: {
      organization: { include: { projects: { orderBy: { createdAt: 'asc' }, take: 1, select: { id: true } } } },
    },
  });
  return m ? { organizationId: m.organizationId, firstProjectId: m.organization.projects[0]?.id ?? null } : null;
}

/** The members of an organization with their name and email, oldest first. */
export async function listOrganizationMembers(db: TDbOrTx, organizationId: string): Promise<TOrganizationMember[]> {
  const rows = await db.membership.findMany({
    where: { organizationId },
    include: { user: { select: { name: true, email: true } } },
    orderBy: { createdAt: 'asc' },
  });
  return rows.map((m) => ({
    id: m.id,
    organizationId: m.organizationId,
    userId: m.userId,
    role: m.role,
    name: m.user.name,
    email: m.user.email,
    createdAt: m.createdAt,
  }));
}

/** Which of these users are members of the organization. */
export async function listMemberUserIds(db: TDbOrTx, organizationId: string, userIds: string[]): Promise<string[]> {
  const rows = await db.membership.findMany({
    where: { organizationId, userId: { in: userIds } },
    select: { userId: true },
  });
  return rows.map((r) => r.userId);
}

/** True when the account with this email is a member of the organization. */
export async function isMemberEmail(db: TDbOrTx, organizationId: string, email: string): Promise<boolean> {
  const row = await db.membership.findFirst({ where: { organizationId, user: { email } }, select: { id: true } });
  return row !== null;
}

export async function countOwners(db: TDbOrTx, organizationId: string): Promise<number> {
  return db.membership.count({ where: { organizationId, role: 'owner' } });
}

export async function createMembership(
  db: TDbOrTx,
  organizationId: string,
  userId: string,
  role: Role,
): Promise<TMembership> {
  return db.membership.create({
    data: { organizationId, userId, role },
    select: { id: true, organizationId: true, userId: true, role: true },
  });
}

export async function setMembershipRole(
  db: TDbOrTx,
  organizationId: string,
  membershipId: string,
  role: Role,
): Promise<void> {
  await db.membership.update({ where: { organizationId_id: { organizationId, id: membershipId } }, data: { role } });
}

/** Ends a membership; what was assigned to that user in the organization becomes unassigned. */
export async function deleteMembership(db: TDbOrTx, organizationId: string, membershipId: string): Promise<void> {
  const m = await db.membership.delete({ where: { organizationId_id: { organizationId, id: membershipId } } });
  await clearAssignmentsOf(db, organizationId, m.userId);
}

/**
 * Runs `fn` in a transaction that first locks the organization row. Membership changes (and invitation
 * acceptance, which depends on the inviter's membership) of one organization thus run one at a time: two owners
 * demoting each other at once cannot leave it without an owner.
 */
export async function withOrganizationLock<T>(
  db: TDb,
  organizationId: string,
  fn: (tx: TTx) => Promise<T>,
): Promise<T> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Organization" WHERE id = ${organizationId} FOR UPDATE`;
    return fn(tx);
  });
}

/** Whether two users are members of at least one same organization (who may see a teammate's avatar). */
export async function shareAnOrganization(db: TDbOrTx, userId: string, otherUserId: string): Promise<boolean> {
  if (userId === otherUserId) return true;
  const row = await db.membership.findFirst({
    where: { userId: otherUserId, organization: { memberships: { some: { userId } } } },
    select: { id: true },
  });
  return row !== null;
}
