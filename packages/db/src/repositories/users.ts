import { isUniqueViolation, type TDbOrTx, type TDb } from '../client.js';

/**
 * User accounts. A user is not tenant data (one person can belong to several organizations), so these functions
 * take the user id or email; everything an organization owns is read through tenant-scoped repositories.
 */

export interface TUser {
  id: string;
  email: string;
  name: string | null;
  emailVerified: Date | null;
  sessionVersion: number;
}

/** What a session and the account flows return about the signed-in user. */
export interface TAccountUser {
  id: string;
  email: string;
  name: string | null;
  sessionVersion: number;
}

const USER_SELECT = { id: true, email: true, name: true, emailVerified: true, sessionVersion: true } as const;
const ACCOUNT_SELECT = { id: true, email: true, name: true, sessionVersion: true } as const;

export async function getUserById(db: TDbOrTx, userId: string): Promise<TUser | null> {
  return db.user.findUnique({ where: { id: userId }, select: USER_SELECT });
}

export async function getUserByEmail(db: TDbOrTx, email: string): Promise<TUser | null> {
  return db.user.findUnique({ where: { email }, select: USER_SELECT });
}

/** The user with their stored password hash: for the password sign-in check only. */
export async function getUserWithPasswordByEmail(
  db: TDbOrTx,
  email: string,
): Promise<(TUser & { passwordHash: string | null }) | null> {
  return db.user.findUnique({ where: { email }, select: { ...USER_SELECT, passwordHash: true } });
}

export async function listUsersByIds(
  db: TDbOrTx,
  userIds: string[],
): Promise<{ id: string; name: string | null; email: string }[]> {
  return db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true, email: true } });
}

/** Creates an account (no password: one becomes usable only through a confirmation link). Throws on a taken email. */
export async function createUser(
  db: TDbOrTx,
  input: { email: string; name: string | null },
): Promise<{ id: string; email: string }> {
  return db.user.create({ data: { email: input.email, name: input.name }, select: { id: true, email: true } });
}

/** Marks the address confirmed if it was not yet (a mailbox proof by magic link, OAuth…). */
export async function markEmailVerified(db: TDbOrTx, userId: string): Promise<void> {
  await db.user.updateMany({ where: { id: userId, emailVerified: null }, data: { emailVerified: new Date() } });
}

/**
 * Drops every password chosen without a proof of the mailbox: the one on an unconfirmed user row and those waiting
 * on live confirmation links. One transaction.
 */
export async function dropUnprovenPasswords(db: TDb, userId: string): Promise<void> {
  const now = new Date();
  await db.$transaction([
    db.user.updateMany({ where: { id: userId, emailVerified: null }, data: { passwordHash: null } }),
    db.userToken.updateMany({ where: { userId, purpose: 'verify_email', usedAt: null }, data: { usedAt: now } }),
  ]);
}

/** Ends every session minted with this session version; false when the version is no longer current. */
export async function endUserSessions(db: TDbOrTx, userId: string, sessionVersion: number): Promise<boolean> {
  const ended = await db.user.updateMany({
    where: { id: userId, sessionVersion },
    data: { sessionVersion: { increment: 1 } },
  });
  return ended.count === 1;
}

/**
 * Applies a used confirmation link, in one transaction with the user row locked: the address counts as confirmed,
 * every other pending confirmation link dies, and the link's password becomes the account's only if this is the
 * first proof of the mailbox.
 */
export async function confirmUserEmail(db: TDb, userId: string, passwordHash: string | null): Promise<TAccountUser> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${userId} FOR UPDATE`;
    const current = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { emailVerified: true } });
    await tx.userToken.updateMany({
      where: { userId, purpose: 'verify_email', usedAt: null },
      data: { usedAt: new Date() },
    });
    const firstProof = current.emailVerified === null;
    return tx.user.update({
      where: { id: userId },
      data: { emailVerified: current.emailVerified ?? new Date(), ...(firstProof ? { passwordHash } : {}) },
      select: ACCOUNT_SELECT,
    });
  });
}

/**
 * Applies a used reset link, in one transaction: the new password, every session ended (sessionVersion bump),
 * pending reset and confirmation links dead, the address confirmed.
 */
export async function resetUserPassword(db: TDb, userId: string, passwordHash: string): Promise<TAccountUser> {
  return db.$transaction(async (tx) => {
    const current = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { emailVerified: true } });
    // Pending confirmation links die too: they carry passwords chosen before this one.
    await tx.userToken.updateMany({
      where: { userId, purpose: { in: ['reset_password', 'verify_email'] }, usedAt: null },
      data: { usedAt: new Date() },
    });
    return tx.user.update({
      where: { id: userId },
      data: { passwordHash, sessionVersion: { increment: 1 }, emailVerified: current.emailVerified ?? new Date() },
      select: ACCOUNT_SELECT,
    });
  });
}

/** What the profile page shows and edits. */
export interface TUserProfile {
  id: string;
  email: string;
  name: string | null;
  hasPassword: boolean;
  avatar: { key: string; contentType: string; updatedAt: Date } | null;
  /** The address an email change waits to confirm (newest live link), if any. */
  pendingEmail: string | null;
}

export async function getUserProfile(db: TDbOrTx, userId: string): Promise<TUserProfile | null> {
  const row = await db.user.findUnique({
    where: { id: userId },
    select: {
      id: true,
      email: true,
      name: true,
      passwordHash: true,
      avatarKey: true,
      avatarContentType: true,
      updatedAt: true,
      tokens: {
        where: { purpose: 'change_email', usedAt: null, expiresAt: { gt: new Date() } },
        orderBy: { createdAt: 'desc' },
        take: 1,
        select: { newEmail: true },
      },
    },
  });
  if (!row) return null;
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    hasPassword: row.passwordHash !== null,
    avatar:
      row.avatarKey && row.avatarContentType
        ? { key: row.avatarKey, contentType: row.avatarContentType, updatedAt: row.updatedAt }
        : null,
    pendingEmail: row.tokens[0]?.newEmail ?? null,
  };
}

export async function setUserName(db: TDbOrTx, userId: string, name: string): Promise<void> {
  await db.user.update({ where: { id: userId }, data: { name } });
}

/** Sets (or clears, with null) the avatar; returns the key it replaced so the caller deletes those bytes. */
export async function setUserAvatar(
  db: TDb,
  userId: string,
  avatar: { key: string; contentType: string } | null,
): Promise<string | null> {
  return db.$transaction(async (tx) => {
    const before = await tx.$queryRaw<{ avatarKey: string | null }[]>`
      SELECT "avatarKey" FROM "User" WHERE id = ${userId} FOR UPDATE`;
    await tx.user.update({
      where: { id: userId },
      data: { avatarKey: avatar?.key ?? null, avatarContentType: avatar?.contentType ?? null },
    });
    return before[0]?.avatarKey ?? null;
  });
}

/** The stored password hash of a user (the password change checks the current one). */
export async function getUserPasswordHash(db: TDbOrTx, userId: string): Promise<string | null> {
  const row = await db.user.findUnique({ where: { id: userId }, select: { passwordHash: true } });
  return row?.passwordHash ?? null;
}

/**
 * A password changed from the profile page, in one transaction: the new hash, every session ended (sessionVersion
 * bump, the caller signs its own browser in again), pending reset links dead. Refused (null) when the stored hash is
 * no longer the one the caller checked the current password against (two changes racing).
 */
export async function changeUserPassword(
  db: TDb,
  userId: string,
  checkedHash: string,
  passwordHash: string,
): Promise<TAccountUser | null> {
  return db.$transaction(async (tx) => {
    const changed = await tx.user.updateMany({
      where: { id: userId, passwordHash: checkedHash },
      data: { passwordHash, sessionVersion: { increment: 1 } },
    });
    if (changed.count !== 1) return null;
    await tx.userToken.updateMany({
      where: { userId, purpose: 'reset_password', usedAt: null },
      data: { usedAt: new Date() },
    });
    return tx.user.findUniqueOrThrow({ where: { id: userId }, select: ACCOUNT_SELECT });
  });
}

/**
 * Applies a used email-change link: the account's address becomes `newEmail` (confirmed: the link came through that
 * mailbox) and the other pending links of the account (email change, reset, confirmation) die: they were mailed to
 * an address the account no longer has. Sessions stay (they name the user, not the address).
 * 'taken' when another account has the address meanwhile (the unique index decides, not a read).
 */
export async function changeUserEmail(
  db: TDb,
  userId: string,
  newEmail: string,
): Promise<{ ok: true; user: TAccountUser; oldEmail: string } | { ok: false; reason: 'taken' }> {
  try {
    return await db.$transaction(async (tx) => {
      const before = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true } });
      await tx.userToken.updateMany({
        where: { userId, purpose: { in: ['change_email', 'reset_password', 'verify_email'] }, usedAt: null },
        data: { usedAt: new Date() },
      });
      const user = await tx.user.update({
        where: { id: userId },
        data: { email: newEmail, emailVerified: new Date() },
        select: ACCOUNT_SELECT,
      });
      return { ok: true as const, user, oldEmail: before.email };
    });
  } catch (err) {
    if (isUniqueViolation(err)) return { ok: false, reason: 'taken' };
    throw err;
  }
}
