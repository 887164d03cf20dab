import { createHash } from 'node:crypto';
import { AppError, randomToken, sha256 } from '@pocketping/core';
import {
  changeUserEmail,
  changeUserPassword,
  getUserByEmail,
  getUserPasswordHash,
  listMembershipsOfUser,
  peekUserToken,
  setUserAvatar,
  setUserName,
  writeAuditLog,
  type TAccountUser,
  type TAuditOrigin,
} from '@pocketping/db';
import { sniffContentType } from '@pocketping/storage';
import { z } from 'zod';
import type { TWebContext } from '../context';
import type { TSessionUser } from '../auth/session';
import { hashPassword, verifyPassword } from '../auth/password';
import { hitRateLimit } from '../rate-limit';
import { confirmEmailChangeMail, emailChangeNoticeMail } from '../mail/templates';
import { CHANGE_EMAIL_TTL_SECONDS, PROFILE_LIMITS } from './limits';
import { hitMailBudget } from './mail-budget';
import { ZEmail, ZNewPassword } from './schemas';
import { consumeUserToken, issueUserToken } from './user-tokens';

/**
 * The signed-in user's own account (the profile page): name, avatar, password, email. Each change is written to the
 * audit log of every organization the user belongs to (a user is not tenant data; their teams are).
 */

export const AVATAR_MAX_BYTES = 1024 * 1024;
const AVATAR_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp']);

export const ZProfileBody = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters'),
});
export const ZPasswordChangeBody = z.strictObject({
  currentPassword: z.string().min(1, 'is required').max(200),
  newPassword: ZNewPassword,
});
export const ZEmailChangeBody = z.strictObject({
  email: ZEmail,
  /** Required when the account has a password: a borrowed, unlocked session must not be enough to take it over. */
  currentPassword: z.string().max(200).optional(),
});

async function auditEverywhere(
  app: TWebContext,
  userId: string,
  action: string,
  origin: TAuditOrigin,
  metadata: Record<string, string | boolean> = {},
): Promise<void> {
  const memberships = await listMembershipsOfUser(app.db, userId);
  for (const m of memberships)
    await writeAuditLog(
      app.db,
      m.organization.id,
      {
        actorType: 'user',
        actorId: userId,
        action,
        targetType: 'user',
        targetId: userId,
        metadata,
      },
      origin,
    );
}

function fieldError(path: string, message: string, code: 'bad_request' | 'conflict' = 'bad_request'): AppError {
  return new AppError(code, `Invalid body: ${path} ${message}`, { issues: [{ path, message }] });
}

export async function updateName(
  app: TWebContext,
  user: TSessionUser,
  name: string,
  origin: TAuditOrigin,
): Promise<void> {
  if (name === user.name) return;
  await setUserName(app.db, user.id, name);
  await auditEverywhere(app, user.id, 'account.name_changed', origin);
}

/** Checks the bytes (not the declared type): PNG, JPEG or WebP up to 1 MB. Stores them, then drops the old file. */
export async function uploadAvatar(
  app: TWebContext,
  user: TSessionUser,
  bytes: Buffer,
  origin: TAuditOrigin,
): Promise<void> {
  await hitRateLimit('avatar', user.id, PROFILE_LIMITS.avatarPerUser.limit, PROFILE_LIMITS.avatarPerUser.windowSeconds);
  if (bytes.length === 0) throw new AppError('bad_request', 'The file is empty.');
  const sniffed = sniffContentType(bytes, 'avatar');
  if (!sniffed || !AVATAR_TYPES.has(sniffed.contentType))
    throw new AppError('bad_request', 'An avatar must be a PNG, JPEG or WebP image.');
  const key = `avatars/${user.id}/${randomToken('', 12)}`;
  await app.storage.put(key, bytes, {
    contentType: sniffed.contentType,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  });
  const replaced = await setUserAvatar(app.db, user.id, { key, contentType: sniffed.contentType });
  await dropStored(app, replaced);
  await auditEverywhere(app, user.id, 'account.avatar_changed', origin);
}

export async function removeAvatar(app: TWebContext, user: TSessionUser, origin: TAuditOrigin): Promise<void> {
  const replaced = await setUserAvatar(app.db, user.id, null);
  if (!replaced) return;
  await dropStored(app, replaced);
  await auditEverywhere(app, user.id, 'account.avatar_removed', origin);
}

async function dropStored(app: TWebContext, key: string | null): Promise<void> {
  if (!key) return;
  // The row no longer names it: a failed delete leaves an orphan file, never a broken avatar.
  await app.storage.delete(key).catch((err: unknown) => {
    app.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'old avatar not deleted');
  });
}

/**
 * Needs the current password. Every session of the account ends (sessionVersion bump); the caller signs this
 * browser in again with the returned user.
 */
export async function changePassword(
  app: TWebContext,
  user: TSessionUser,
  input: { currentPassword: string; newPassword: string },
  origin: TAuditOrigin,
): Promise<TAccountUser> {
  const { passwordChangePerUser } = PROFILE_LIMITS;
  await hitRateLimit('password-change', user.id, passwordChangePerUser.limit, passwordChangePerUser.windowSeconds);
  const stored = await getUserPasswordHash(app.db, user.id);
  if (!stored) throw new AppError('bad_request', 'This account has no password yet: use "Forgot password" to set one.');
  if (!(await verifyPassword(input.currentPassword, stored)))
    throw fieldError('currentPassword', 'is not your current password');
  if (input.newPassword === input.currentPassword)
    throw fieldError('newPassword', 'must differ from the current password');
  const changed = await changeUserPassword(app.db, user.id, stored, await hashPassword(input.newPassword));
  if (!changed) throw new AppError('conflict', 'Your password changed meanwhile. Reload the page and try again.');
  await auditEverywhere(app, user.id, 'account.password_changed', origin);
  app.log.info({ userId: user.id }, 'password changed; other sessions ended');
  return changed;
}

/**
 * Mails a link to the NEW address (the change happens only when it is used) and a notice to the current one. An
 * address that already has an account is refused here; one taken between the request and the link is refused when
 * the link is used.
 */
export async function requestEmailChange(
  app: TWebContext,
  user: TSessionUser,
  input: { email: string; currentPassword?: string | undefined },
  origin: TAuditOrigin,
): Promise<{ pendingEmail: string }> {
  const { emailChangePerUser } = PROFILE_LIMITS;
  await hitRateLimit('email-change', user.id, emailChangePerUser.limit, emailChangePerUser.windowSeconds);
  const stored = await getUserPasswordHash(app.db, user.id);
  if (stored && !(await verifyPassword(input.currentPassword ?? '', stored)))
    throw fieldError('currentPassword', input.currentPassword ? 'is not your current password' : 'is required');
  if (input.email === user.email) throw fieldError('email', 'is already your email');
  if (await getUserByEmail(app.db, input.email)) throw fieldError('email', 'is used by another account', 'conflict');
  await hitMailBudget(input.email);
  const token = await issueUserToken(app.db, user.id, 'change_email', CHANGE_EMAIL_TTL_SECONDS, undefined, input.email);
  const url = new URL('/confirm-email-change', app.env.WEB_PUBLIC_URL);
  url.searchParams.set('token', token);
  await app.mailer.send(confirmEmailChangeMail(input.email, url.toString(), user.email));
  await app.mailer.send(
    emailChangeNoticeMail(
      user.email,
      input.email,
      new URL(`/forgot-password?email=${encodeURIComponent(user.email)}`, app.env.WEB_PUBLIC_URL).toString(),
    ),
  );
  await auditEverywhere(app, user.id, 'account.email_change_requested', origin);
  return { pendingEmail: input.email };
}

/**
 * Uses an email-change link (works once, until it expires). When the browser is signed in, it must be as the account
 * the link is for: a link forwarded to someone else's session is refused and stays unused.
 */
export async function confirmEmailChange(
  app: TWebContext,
  token: string,
  signedIn: TSessionUser | null,
  origin: TAuditOrigin,
): Promise<{ email: string }> {
  const { confirmEmailChangePerIp } = PROFILE_LIMITS;
  await hitRateLimit(
    'email-change-confirm',
    origin.ip ?? 'unknown',
    confirmEmailChangePerIp.limit,
    confirmEmailChangePerIp.windowSeconds,
  );
  if (signedIn) {
    const owner = await peekUserToken(app.db, sha256(token));
    if (owner && owner.purpose === 'change_email' && owner.user.id !== signedIn.id)
      throw new AppError('forbidden', `You are signed in as ${signedIn.email}: this link is for another account.`, {
        reason: 'signed_in_as_other',
      });
  }
  const result = await consumeUserToken(app.db, token, 'change_email');
  if (!result.ok)
    throw new AppError(
      'bad_request',
      result.reason === 'expired'
        ? 'This link has expired. Ask for the change again from your profile.'
        : 'This link is not valid (anymore).',
      { reason: result.reason },
    );
  if (!result.newEmail) throw new AppError('bad_request', 'This link is not valid (anymore).', { reason: 'invalid' });
  const changed = await changeUserEmail(app.db, result.userId, result.newEmail);
  if (!changed.ok)
    throw new AppError('conflict', 'Another account uses this address now: the email was not changed.', {
      reason: 'taken',
    });
  await auditEverywhere(app, result.userId, 'account.email_changed', origin);
  app.log.info({ userId: result.userId }, 'email changed');
  return { email: changed.user.email };
}
