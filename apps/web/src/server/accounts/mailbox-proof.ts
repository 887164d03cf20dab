import type { Adapter } from 'next-auth/adapters';
import {
  dropUnprovenPasswords,
  getPendingPasswordHashOfEmail,
  getUserWithPasswordByEmail,
  type TDb,
} from '@pocketping/db';
import { dummyPasswordHash, verifyPassword } from '../auth/password';

/**
 * The rule that stops pre-registration takeovers: a password becomes usable only through the confirmation link that
 * was mailed for *that* password (the sign-up stores it on the link's token, not on the user). Someone who signs up
 * with an address they do not own therefore never gets a working password; and when the real owner proves the
 * mailbox any other way (magic link, OAuth, invitation), every password chosen before — pending on a link, or left
 * on an unconfirmed row by older code — is thrown away.
 */
export async function markMailboxProven(db: TDb, userId: string): Promise<void> {
  await dropUnprovenPasswords(db, userId);
}

/**
 * The password waiting on the newest live confirmation link of an address, if any: the login form uses it only to
 * say "confirm your email first" to whoever typed it. Always queried (whether or not the address has an account),
 * so the query costs every login the same.
 */
export async function pendingPasswordHash(db: TDb, email: string): Promise<string | null> {
  return getPendingPasswordHashOfEmail(db, email);
}

/**
 * A magic link proves the mailbox: Auth.js then marks the address confirmed (`updateUser` with `emailVerified`).
 * Just before, whatever password was chosen without such a proof is dropped.
 */
export function withMailboxProof(adapter: Adapter, db: TDb): Adapter {
  const updateUser = adapter.updateUser!.bind(adapter);
  return {
    ...adapter,
    async updateUser(user) {
      if (user.emailVerified && user.id) await markMailboxProven(db, user.id);
      return updateUser(user);
    },
  };
}

export type TPasswordCheck =
  | { ok: true; user: { id: string; email: string; name: string | null } }
  | { ok: false; reason: 'wrong' | 'unverified' };

/**
 * The password sign-in check (Credentials `authorize`). Same queries and one scrypt whether or not the account
 * exists, so timing does not reveal registered emails. An unconfirmed account has no password yet, only one
 * waiting on its confirmation link: typing that one earns "confirm your email first", never a session.
 */
export async function checkPassword(db: TDb, email: string, password: string): Promise<TPasswordCheck> {
  const [user, pending] = await Promise.all([getUserWithPasswordByEmail(db, email), pendingPasswordHash(db, email)]);
  const stored = user?.emailVerified ? user.passwordHash : pending;
  const ok = await verifyPassword(password, stored ?? (await dummyPasswordHash()));
  if (!user || !stored || !ok) return { ok: false, reason: 'wrong' };
  if (!user.emailVerified) return { ok: false, reason: 'unverified' };
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}
