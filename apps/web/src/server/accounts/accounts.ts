import { AppError } from '@pocketping/core';
import type { TWebContext } from '../context';
import { hashPassword } from '../auth/password';
import { hitRateLimit } from '../rate-limit';
import { accountExistsMail, resetPasswordMail, verifyEmailMail } from '../mail/templates';
import { ACCOUNT_LIMITS, RESET_PASSWORD_TTL_SECONDS, VERIFY_EMAIL_TTL_SECONDS } from './limits';
import { consumeUserToken, issueUserToken } from './user-tokens';
import { safeNext } from './safe-next';

/**
 * Account flows behind the public /api/app/auth routes. None of them tells the caller whether an email is
 * registered: sign-up, resend and forgot-password answer the same whatever the address, and the difference only
 * shows in the mailbox of the address's owner.
 */

export interface TAccountUser {
  id: string;
  email: string;
  name: string | null;
  sessionVersion: number;
}

const USER_SELECT = { id: true, email: true, name: true, sessionVersion: true } as const;

function link(app: TWebContext, path: string, params: Record<string, string>): string {
  const url = new URL(path, app.env.WEB_PUBLIC_URL);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

async function sendVerification(app: TWebContext, user: { id: string; email: string }, next?: string): Promise<void> {
  const token = await issueUserToken(app.db, user.id, 'verify_email', VERIFY_EMAIL_TTL_SECONDS);
  const dest = next ? safeNext(next, '') : '';
  await app.mailer.send(verifyEmailMail(user.email, link(app, '/verify-email', dest ? { token, next: dest } : { token })));
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}

export async function signUp(app: TWebContext, input: { email: string; password: string; name?: string; next?: string }, ip: string): Promise<void> {
  const { signupPerIp } = ACCOUNT_LIMITS;
  await hitRateLimit('signup-ip', ip, signupPerIp.limit, signupPerIp.windowSeconds);
  // Hash first, whatever happens next: the answer takes as long for a registered address as for a new one.
  const passwordHash = await hashPassword(input.password);
  let existing = await app.db.user.findUnique({ where: { email: input.email }, select: { id: true, email: true, emailVerified: true } });
  if (!existing) {
    try {
      const user = await app.db.user.create({ data: { email: input.email, name: input.name ?? null, passwordHash }, select: { id: true, email: true } });
      app.log.info({ userId: user.id }, 'account created');
      await sendVerification(app, user, input.next);
      return;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      existing = await app.db.user.findUnique({ where: { email: input.email }, select: { id: true, email: true, emailVerified: true } });
      if (!existing) throw err;
    }
  }
  if (!existing.emailVerified) {
    // Signed up before and never confirmed: confirm again. The password is NOT replaced — otherwise whoever typed
    // this address could choose the password of an account its real owner is about to confirm.
    await sendVerification(app, existing, input.next);
    return;
  }
  await app.mailer.send(accountExistsMail(existing.email, link(app, '/login', { email: existing.email }), link(app, '/forgot-password', { email: existing.email })));
}

export async function resendVerification(app: TWebContext, email: string, ip: string): Promise<void> {
  const { resendPerIp, resendPerEmail } = ACCOUNT_LIMITS;
  await hitRateLimit('resend-ip', ip, resendPerIp.limit, resendPerIp.windowSeconds);
  await hitRateLimit('resend-email', email, resendPerEmail.limit, resendPerEmail.windowSeconds);
  const user = await app.db.user.findUnique({ where: { email }, select: { id: true, email: true, emailVerified: true } });
  if (user && !user.emailVerified) await sendVerification(app, user);
}

/** Confirms the address behind a verification link. Returns the user to sign in. */
export async function verifyEmail(app: TWebContext, token: string): Promise<TAccountUser> {
  const result = await consumeUserToken(app.db, token, 'verify_email');
  if (!result.ok) {
    if (result.reason === 'used' && result.userId) {
      const user = await app.db.user.findUnique({ where: { id: result.userId }, select: { emailVerified: true } });
      if (user?.emailVerified) throw new AppError('conflict', 'Your email is already confirmed. Log in to continue.', { reason: 'already_verified' });
    }
    throw new AppError('bad_request', result.reason === 'expired' ? 'This link has expired.' : 'This link is not valid (anymore).', { reason: result.reason });
  }
  const current = await app.db.user.findUniqueOrThrow({ where: { id: result.userId }, select: { emailVerified: true } });
  return app.db.user.update({ where: { id: result.userId }, data: { emailVerified: current.emailVerified ?? new Date() }, select: USER_SELECT });
}

export async function requestPasswordReset(app: TWebContext, email: string, ip: string): Promise<void> {
  const { resetPerIp, resetPerEmail } = ACCOUNT_LIMITS;
  await hitRateLimit('reset-ip', ip, resetPerIp.limit, resetPerIp.windowSeconds);
  await hitRateLimit('reset-email', email, resetPerEmail.limit, resetPerEmail.windowSeconds);
  const user = await app.db.user.findUnique({ where: { email }, select: { id: true, email: true } });
  if (!user) return;
  const token = await issueUserToken(app.db, user.id, 'reset_password', RESET_PASSWORD_TTL_SECONDS);
  await app.mailer.send(resetPasswordMail(user.email, link(app, '/reset-password', { token })));
}

/**
 * Sets a new password from a reset link: the link works once, every session of the account ends (sessionVersion
 * bump), other reset links die, and the address counts as confirmed (the link proved the mailbox).
 */
export async function resetPassword(app: TWebContext, token: string, password: string): Promise<TAccountUser> {
  const passwordHash = await hashPassword(password);
  const result = await consumeUserToken(app.db, token, 'reset_password');
  if (!result.ok) {
    throw new AppError('bad_request', result.reason === 'expired' ? 'This reset link has expired. Ask for a new one.' : 'This reset link is not valid (anymore). Ask for a new one.', { reason: result.reason });
  }
  const userId = result.userId;
  return app.db.$transaction(async (tx) => {
    const current = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { emailVerified: true } });
    await tx.userToken.updateMany({ where: { userId, purpose: 'reset_password', usedAt: null }, data: { usedAt: new Date() } });
    const user = await tx.user.update({
      where: { id: userId },
      data: { passwordHash, sessionVersion: { increment: 1 }, emailVerified: current.emailVerified ?? new Date() },
      select: USER_SELECT,
    });
    app.log.info({ userId }, 'password reset; every session ended');
    return user;
  });
}
