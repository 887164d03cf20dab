import { randomToken, sha256 } from '@pocketping/core';
import { createUserToken, takeUserToken, type TDb, type TUserTokenPurpose } from '@pocketping/db';

export type { TUserTokenPurpose };

/**
 * One-time tokens mailed to a user (email verification, password reset, email change). The raw token only ever exists in the
 * mail; the database keeps its SHA-256. Consuming is one conditional UPDATE, so two clicks racing each other cannot
 * both succeed.
 */
export async function issueUserToken(
  db: TDb,
  userId: string,
  purpose: TUserTokenPurpose,
  ttlSeconds: number,
  passwordHash?: string,
  newEmail?: string,
): Promise<string> {
  const token = randomToken('', 32);
  await createUserToken(db, {
    userId,
    purpose,
    tokenHash: sha256(token),
    expiresAt: new Date(Date.now() + ttlSeconds * 1000),
    passwordHash: passwordHash ?? null,
    newEmail: newEmail ?? null,
  });
  return token;
}

export type TConsumeResult =
  | { ok: true; userId: string; passwordHash: string | null; newEmail: string | null }
  | { ok: false; reason: 'invalid' | 'expired' | 'used'; userId?: string };

export async function consumeUserToken(db: TDb, token: string, purpose: TUserTokenPurpose): Promise<TConsumeResult> {
  const tokenHash = sha256(token);
  const now = new Date();
  const { taken, row } = await takeUserToken(db, tokenHash, purpose, now);
  if (!row || row.purpose !== purpose) return { ok: false, reason: 'invalid' };
  if (taken) return { ok: true, userId: row.userId, passwordHash: row.passwordHash, newEmail: row.newEmail };
  if (row.expiresAt <= now) return { ok: false, reason: 'expired', userId: row.userId };
  return { ok: false, reason: 'used', userId: row.userId };
}
