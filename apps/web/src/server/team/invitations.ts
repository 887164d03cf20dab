import { AppError, randomToken, sha256 } from '@pocketping/core';
import { assertRoom, describeLimit, PLANS, type TLimits, type TPlanLimitDetails } from '@pocketping/billing';
import {
  claimInvitation,
  createInvitationRow,
  countMembers,
  countSeats,
  createMembership,
  getInvitation,
  getInvitationByTokenHash,
  getMembership,
  getOrganizationName,
  getUserById,
  isMemberEmail,
  listPendingInvitationRows,
  revokeInvitationRow,
  revokePendingInvitationsTo,
  withOrganizationLock,
  writeAuditLog,
  type Role,
  type TDb,
  type TDbOrTx,
  type TAuditOrigin,
} from '@pocketping/db';
import type { TWebContext } from '../context';
import { invitationMail } from '../mail/templates';
import { hitRateLimit } from '../rate-limit';
import { hitMailBudget } from '../accounts/mail-budget';
import { canInvite, type TInvitableRole } from './roles';
import type { TActor } from './members';

export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;
/** Invitations one organization may send per hour (each one is a mail to an address we do not know yet). */
export const INVITATIONS_PER_HOUR = 30;

export interface TInvitationPublic {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
  createdAt: string;
  expired: boolean;
}

export type TInvitationStatus = 'valid' | 'expired' | 'revoked' | 'accepted';

export interface TInvitationView {
  id: string;
  invitedById: string | null;
  organization: { id: string; name: string };
  email: string;
  role: Role;
  expiresAt: Date;
  inviter: { name: string | null; email: string } | null;
  status: TInvitationStatus;
}

function toPublic(
  row: { id: string; email: string; role: Role; expiresAt: Date; createdAt: Date },
  now = new Date(),
): TInvitationPublic {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    expiresAt: row.expiresAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    expired: row.expiresAt <= now,
  };
}

export function invitationUrl(webPublicUrl: string, token: string): string {
  return `${webPublicUrl.replace(/\/+$/, '')}/invite/${encodeURIComponent(token)}`;
}

/** Invitations not yet accepted nor revoked (expired ones included, flagged, so an admin can send a new one). */
export async function listPendingInvitations(db: TDb, organizationId: string): Promise<TInvitationPublic[]> {
  const rows = await listPendingInvitationRows(db, organizationId);
  const now = new Date();
  return rows.map((r) => toPublic(r, now));
}

/**
 * Invites an email address: a random token (only its SHA-256 stored), valid 7 days, mailed as a link to
 * /invite/<token>. Re-inviting the same address replaces its pending invitation (the old link stops working).
 */
export async function createInvitation(
  app: TWebContext,
  actor: TActor & { name: string | null; email: string },
  input: { email: string; role: TInvitableRole },
): Promise<TInvitationPublic> {
  if (!canInvite(actor.role)) throw new AppError('forbidden', 'Only an admin or owner can invite.');
  const email = input.email.trim().toLowerCase();
  const { db } = app;
  if (await isMemberEmail(db, actor.organizationId, email))
    throw new AppError('conflict', `${email} is already a member of this organization.`);
  await hitRateLimit('invite', actor.organizationId, INVITATIONS_PER_HOUR, 3600);
  await hitMailBudget(email);

  const token = randomToken('', 32);
  const orgName = await getOrganizationName(db, actor.organizationId);
  const entitlements = await app.limits.entitlements(actor.organizationId);
  // Seats are members plus pending invitations, counted under the organization's lock (membership changes take it
  // too), after this address's own pending invitation is replaced: re-inviting someone takes no extra seat.
  const row = await withOrganizationLock(db, actor.organizationId, async (tx) => {
    await revokePendingInvitationsTo(tx, actor.organizationId, email);
    assertRoom(entitlements, 'seats', await countSeats(tx, actor.organizationId));
    const created = await createInvitationRow(tx, actor.organizationId, {
      email,
      role: input.role,
      tokenHash: sha256(token),
      invitedById: actor.userId,
      expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
    });
    await writeAuditLog(
      tx,
      actor.organizationId,
      {
        actorType: 'user',
        actorId: actor.userId,
        action: 'invitation.created',
        targetType: 'invitation',
        targetId: created.id,
        metadata: { email, role: input.role },
      },
      actor.origin,
    );
    return created;
  });

  try {
    await app.mailer.send(
      invitationMail(email, invitationUrl(app.env.WEB_PUBLIC_URL, token), orgName, actor.name?.trim() || actor.email),
    );
  } catch (err) {
    app.log.warn(
      {
        organizationId: actor.organizationId,
        invitationId: row.id,
        err: err instanceof Error ? err.message : String(err),
      },
      'invitation mail failed',
    );
    await revokeInvitationRow(db, actor.organizationId, row.id);
    throw new AppError('unprocessable', 'The invitation mail could not be sent. Check the address and try again.');
  }
  return toPublic(row);
}

export async function revokeInvitation(db: TDb, actor: TActor, invitationId: string): Promise<void> {
  const row = await getInvitation(db, actor.organizationId, invitationId);
  if (!row) throw new AppError('not_found', 'Invitation not found.');
  if (row.acceptedAt)
    throw new AppError('conflict', 'This invitation was already accepted: remove the member instead.');
  if (row.revokedAt) return;
  await revokeInvitationRow(db, actor.organizationId, invitationId);
  await writeAuditLog(
    db,
    actor.organizationId,
    {
      actorType: 'user',
      actorId: actor.userId,
      action: 'invitation.revoked',
      targetType: 'invitation',
      targetId: invitationId,
      metadata: { email: row.email },
    },
    actor.origin,
  );
}

async function inviterMayInvite(db: TDbOrTx, organizationId: string, invitedById: string | null): Promise<boolean> {
  if (!invitedById) return false;
  const m = await getMembership(db, organizationId, invitedById);
  return m !== null && canInvite(m.role);
}

/** What the /invite/<token> page shows. Null when no invitation has this token. */
export async function getInvitationByToken(db: TDb, token: string): Promise<TInvitationView | null> {
  if (!token || token.length > 200) return null;
  const row = await getInvitationByTokenHash(db, sha256(token));
  if (!row) return null;
  const inviterUser = row.invitedById ? await getUserById(db, row.invitedById) : null;
  const inviter = inviterUser ? { name: inviterUser.name, email: inviterUser.email } : null;
  let status: TInvitationStatus = row.acceptedAt
    ? 'accepted'
    : row.revokedAt
      ? 'revoked'
      : row.expiresAt <= new Date()
        ? 'expired'
        : 'valid';
  if (status === 'valid' && !(await inviterMayInvite(db, row.organizationId, row.invitedById))) status = 'revoked';
  return {
    id: row.id,
    invitedById: row.invitedById,
    organization: row.organization,
    email: row.email,
    role: row.role,
    expiresAt: row.expiresAt,
    inviter,
    status,
  };
}

export const INVITATION_STATUS_MESSAGES: Record<Exclude<TInvitationStatus, 'valid'>, string> = {
  expired: 'This invitation has expired. Ask the person who invited you to send a new one.',
  revoked:
    'This invitation was withdrawn (or replaced by a newer one). Use the latest invitation mail, or ask for a new one.',
  accepted: 'This invitation was already used.',
};

/**
 * Joins the organization of the invitation as the signed-in user, whose email must be the invited one. The plan is
 * asked again: an invitation sent before a downgrade may no longer fit, and accepting it is refused (nothing
 * written, the invitation stays pending) while the members already fill the plan's seats.
 */
export async function acceptInvitation(
  app: { db: TDb; limits: Pick<TLimits, 'entitlements'> },
  user: { id: string; email: string },
  token: string,
  origin: TAuditOrigin,
): Promise<{ organizationId: string; role: Role }> {
  const { db } = app;
  const inv = await getInvitationByToken(db, token);
  if (!inv)
    throw new AppError(
      'not_found',
      'This invitation link is not valid. Check that you copied the whole link, or ask for a new invitation.',
    );
  if (inv.email !== user.email.toLowerCase()) {
    throw new AppError(
      'forbidden',
      `This invitation was sent to ${inv.email}. Sign in with that address to accept it.`,
    );
  }
  if (inv.status === 'accepted') {
    const member = await getMembership(db, inv.organization.id, user.id);
    if (member) return { organizationId: inv.organization.id, role: member.role };
  }
  if (inv.status !== 'valid')
    throw new AppError('conflict', INVITATION_STATUS_MESSAGES[inv.status], { reason: inv.status });

  // An invitation is only as good as its sender's right to invite, now: a removed or demoted admin's invitations
  // are withdrawn when that happens, and this re-check (under the organization's lock, which membership changes
  // also take) closes the gap between the two.
  const entitlements = await app.limits.entitlements(inv.organization.id);
  return withOrganizationLock(db, inv.organization.id, async (tx) => {
    if (!(await inviterMayInvite(tx, inv.organization.id, inv.invitedById))) {
      throw new AppError('conflict', INVITATION_STATUS_MESSAGES.revoked, { reason: 'revoked' });
    }
    // This invitation's seat was counted when it was sent; what matters now is that one more member fits (counted
    // under the lock that every membership change takes).
    const maxSeats = entitlements.limits.seats;
    const members = await countMembers(tx, inv.organization.id);
    if (maxSeats !== null && !(await getMembership(tx, inv.organization.id, user.id)) && members + 1 > maxSeats) {
      const details: TPlanLimitDetails = {
        reason: 'plan_limit',
        limit: 'seats',
        used: members,
        max: maxSeats,
        plan: entitlements.plan,
      };
      throw new AppError(
        'forbidden',
        `${inv.organization.name} is on the ${PLANS[entitlements.plan].name} plan, which allows ${describeLimit('seats', maxSeats)}, and they are all taken. Ask an owner of ${inv.organization.name} to upgrade the plan or free a seat, then open this invitation again.`,
        details,
      );
    }
    if (!(await claimInvitation(tx, inv.organization.id, inv.id)))
      throw new AppError('conflict', 'This invitation is no longer valid.', { reason: 'used' });
    const existing = await getMembership(tx, inv.organization.id, user.id);
    const member = existing ?? (await createMembership(tx, inv.organization.id, user.id, inv.role));
    await writeAuditLog(
      tx,
      inv.organization.id,
      {
        actorType: 'user',
        actorId: user.id,
        action: 'invitation.accepted',
        targetType: 'invitation',
        targetId: inv.id,
        metadata: { role: member.role },
      },
      origin,
    );
    return { organizationId: inv.organization.id, role: member.role };
  });
}
