import type { TDbOrTx } from '../client.js';

/** One-time tokens mailed to a user (email confirmation, password reset, email change); only their SHA-256 is stored. */

export type TUserTokenPurpose = 'verify_email' | 'reset_password' | 'change_email';

export interface TUserTokenRow {
  userId: string;
  purpose: TUserTokenPurpose;
  usedAt: Date | null;
  expiresAt: Date;
  passwordHash: string | null;
  newEmail: string | null;
}

export async function createUserToken(
  db: TDbOrTx,
  input: {
    userId: string;
    purpose: TUserTokenPurpose;
    tokenHash: string;
    expiresAt: Date;
    passwordHash: string | null;
    newEmail?: string | null;
  },
): Promise<void> {
  await db.userToken.create({ data: input });
}

/**
 * Uses a token: one conditional UPDATE (so two clicks racing each other cannot both succeed), then the row as it
 * now is. `taken` says whether this call used it.
 */
export async function takeUserToken(
  db: TDbOrTx,
  tokenHash: string,
  purpose: TUserTokenPurpose,
  now: Date,
): Promise<{ taken: boolean; row: TUserTokenRow | null }> {
  const taken = await db.userToken.updateMany({
    where: { tokenHash, purpose, usedAt: null, expiresAt: { gt: now } },
    data: { usedAt: now },
  });
  const row = await db.userToken.findUnique({
    where: { tokenHash },
    select: { userId: true, purpose: true, usedAt: true, expiresAt: true, passwordHash: true, newEmail: true },
  });
  return { taken: taken.count === 1, row: row as TUserTokenRow | null };
}

/** The purpose of a token and its user, without using it. */
export async function peekUserToken(
  db: TDbOrTx,
  tokenHash: string,
): Promise<{ purpose: TUserTokenPurpose; user: { id: string; email: string } } | null> {
  const row = await db.userToken.findUnique({
    where: { tokenHash },
    select: { purpose: true, user: { select: { id: true, email: true } } },
  });
  return row as { purpose: TUserTokenPurpose; user: { id: string; email: string } } | null;
}

/** The password waiting on the user's newest live confirmation link, if any. */
export async function getPendingPasswordHashOfUser(db: TDbOrTx, userId: string): Promise<string | null> {
  const row = await db.userToken.findFirst({
    where: {
      userId,
      purpose: 'verify_email',
      usedAt: null,
      expiresAt: { gt: new Date() },
      passwordHash: { not: null },
    },
    orderBy: { createdAt: 'desc' },
    select: { passwordHash: true },
  });
  return row?.passwordHash ?? null;
}

/** The password waiting on the newest live confirmation link of an unconfirmed address, if any. */
export async function getPendingPasswordHashOfEmail(db: TDbOrTx, email: string): Promise<string | null> {
  const row = await db.userToken.findFirst({
    where: {
      user: { email, emailVerified: null },
      purpose: 'verify_email',
      usedAt: null,
      expiresAt: { gt: new Date() },
      passwordHash: { not: null },
    },
    orderBy: { createdAt: 'desc' },
    select: { passwordHash: true },
  });
  return row?.passwordHash ?? null;
}
