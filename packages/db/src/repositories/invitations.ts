import type { Role } from '@prisma/client';
import type { TDbOrTx } from '../client.js';

/** Invitations to join an organization. Only the SHA-256 of an invitation's token is ever stored. */

export interface TInvitationRow {
  id: string;
  organizationId: string;
  email: string;
  role: Role;
  invitedById: string | null;
  expiresAt: Date;
  createdAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
}

const SELECT = {
  id: true,
  organizationId: true,
  email: true,
  role: true,
  invitedById: true,
  expiresAt: true,
  createdAt: true,
  acceptedAt: true,
  revokedAt: true,
} as const;

/** Invitations not yet accepted nor revoked (expired ones included), newest first. */
export async function listPendingInvitationRows(db: TDbOrTx, organizationId: string): Promise<TInvitationRow[]> {
  return db.invitation.findMany({
    where: { organizationId, acceptedAt: null, revokedAt: null },
    orderBy: { createdAt: 'desc' },
    select: SELECT,
  });
}

export async function getInvitation(
  db: TDbOrTx,
  organizationId: string,
  invitationId: string,
): Promise<TInvitationRow | null> {
  return db.invitation.findUnique({
    where: { organizationId_id: { organizationId, id: invitationId } },
    select: SELECT,
  });
}

/**
 * The invitation behind a token hash, with its organization's name. Like a project's public key, the token is the
 * one value an invitee holds, so this lookup starts from it; everything after is scoped by the organization found.
 */
export async function getInvitationByTokenHash(
  db: TDbOrTx,
  tokenHash: string,
): Promise<(TInvitationRow & { organization: { id: string; name: string } }) | null> {
  return db.invitation.findUnique({
    where: { tokenHash },
    select: { ...SELECT, organization: { select: { id: true, name: true } } },
  });
}

/** Revokes the pending invitations of an address in the organization (a new one replaces them). */
export async function revokePendingInvitationsTo(db: TDbOrTx, organizationId: string, email: string): Promise<void> {
  await db.invitation.updateMany({
    where: { organizationId, email, acceptedAt: null, revokedAt: null },
    data: { revokedAt: new Date() },
  });
}

export async function createInvitationRow(
  db: TDbOrTx,
  organizationId: string,
  input: { email: string; role: Role; tokenHash: string; invitedById: string; expiresAt: Date },
): Promise<TInvitationRow> {
  return db.invitation.create({ data: { organizationId, ...input }, select: SELECT });
}

export async function revokeInvitationRow(db: TDbOrTx, organizationId: string, invitationId: string): Promise<void> {
  await db.invitation.update({
    where: { organizationId_id: { organizationId, id: invitationId } },
    data: { revokedAt: new Date() },
  });
}

/**
 * Revokes the pending invitations sent by a user (who can no longer invite). Returns their ids.
 */
export async function revokePendingInvitationsBy(
  db: TDbOrTx,
  organizationId: string,
  userId: string,
): Promise<string[]> {
  const pending = await db.invitation.findMany({
    where: { organizationId, invitedById: userId, acceptedAt: null, revokedAt: null },
    select: { id: true },
  });
  if (pending.length === 0) return [];
  await db.invitation.updateMany({
    where: { organizationId, id: { in: pending.map((p) => p.id) } },
    data: { revokedAt: new Date() },
  });
  return pending.map((p) => p.id);
}

/** Marks a still valid invitation accepted; false when it was used, revoked or expired meanwhile (one conditional UPDATE). */
export async function claimInvitation(db: TDbOrTx, organizationId: string, invitationId: string): Promise<boolean> {
  const claimed = await db.invitation.updateMany({
    where: { organizationId, id: invitationId, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    data: { acceptedAt: new Date() },
  });
  return claimed.count === 1;
}
