import { AppError, sha256 } from '@pocketping/core';
import {
  confirmUserEmail,
  createUser,
  getPendingPasswordHashOfUser,
  getUserByEmail,
  getUserById,
  isUniqueViolation,
  peekUserToken,
  resetUserPassword,
  type TAccountUser,
} from '@pocketping/db';
import type { TWebContext } from '../context';
import { hashPassword } from '../auth/password';
import { hitRateLimit } from '../rate-limit';
import { accountExistsMail, resetPasswordMail, verifyEmailMail } from '../mail/templates';
import { ACCOUNT_LIMITS, RESET_PASSWORD_TTL_SECONDS, VERIFY_EMAIL_TTL_SECONDS } from './limits';
import { consumeUserToken, issueUserToken } from './user-tokens';
import { safeNext } from './safe-next';
import { hitMailBudget } from './mail-budget';
import { getInvitationByToken } from '../team/invitations';

/**
 * Account flows behind the public /api/app/auth routes. None of them tells the caller whether an email is
 * registered: sign-up, resend and forgot-password answer the same whatever the address, and take the same time —
 * the expensive part (scrypt, rate limits) runs for every request, and whatever depends on the account (token,
 * mail) runs after the answer, in the background. The difference only shows in the mailbox of the address's owner.
 */

export type { TAccountUser };

function link(app: TWebContext, path: string, params: Record<string, string>): string {
  const url = new URL(path, app.env.WEB_PUBLIC_URL);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

/**
 * Work whose duration would tell a registered address from an unknown one (a token row, an SMTP conversation):
 * started, not awaited. A failure is logged (never with the address) — the person asks for a new mail.
 */
function afterAnswer(app: TWebContext, what: string, work: () => Promise<void>): void {
  const running = work().catch((err: unknown) =>
    app.log.warn({ err: err instanceof Error ? err.message : String(err) }, `${what} failed`),
  );
  inFlight.add(running);
  void running.finally(() => inFlight.delete(running));
}

const inFlight = new Set<Promise<void>>();

/**
 * Resolves once every piece of after-the-answer work started so far has finished: for a graceful shutdown, and for
 * tests that compare the database before and after a request (work of an earlier request must not land in between).
 */
export async function afterAnswerSettled(): Promise<void> {
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
}

async function sendVerification(
  app: TWebContext,
  user: { id: string; email: string },
  passwordHash: string | null,
  next?: string,
): Promise<void> {
  const token = await issueUserToken(
    app.db,
    user.id,
    'verify_email',
    VERIFY_EMAIL_TTL_SECONDS,
    passwordHash ?? undefined,
  );
  const dest = next ? safeNext(next, '') : '';
  await app.mailer.send(
    verifyEmailMail(user.email, link(app, '/verify-email', dest ? { token, next: dest } : { token })),
  );
}

/**
 * The chosen password is stored on the confirmation link, not on the user: it starts to work when that link is
 * used. Signing up again with an unconfirmed address mails a new link carrying the new password; whichever link
 * the mailbox's owner uses decides, and the others die with it.
 */
export async function signUp(
  app: TWebContext,
  input: { email: string; password: string; name?: string; next?: string; invitationToken?: string },
  ip: string,
): Promise<{ verified: boolean }> {
  const { signupPerIp, signupPerEmail } = ACCOUNT_LIMITS;
  await hitRateLimit('signup-ip', ip, signupPerIp.limit, signupPerIp.windowSeconds);
  await hitRateLimit('signup-email', input.email, signupPerEmail.limit, signupPerEmail.windowSeconds);
  await hitMailBudget(input.email);
  // Hash first, whatever happens next: the answer takes as long for a registered address as for a new one.
  const passwordHash = await hashPassword(input.password);
  if (input.invitationToken && (await signUpByInvitation(app, input, input.invitationToken, passwordHash)))
    return { verified: true };
  afterAnswer(app, 'sign-up', async () => {
    let existing = await getUserByEmail(app.db, input.email);
    if (!existing) {
      try {
        const user = await createUser(app.db, { email: input.email, name: input.name ?? null });
        app.log.info({ userId: user.id }, 'account created');
        await sendVerification(app, user, passwordHash, input.next);
        return;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        existing = await getUserByEmail(app.db, input.email);
        if (!existing) throw err;
      }
    }
    if (!existing.emailVerified) {
      await sendVerification(app, { id: existing.id, email: existing.email }, passwordHash, input.next);
      return;
    }
    await app.mailer.send(
      accountExistsMail(
        existing.email,
        link(app, '/login', { email: existing.email }),
        link(app, '/forgot-password', { email: existing.email }),
      ),
    );
  });
  return { verified: false };
}

/**
 * A sign-up from an invitation link to this very address: the link came through that mailbox, which is what a
 * confirmation mail would prove again, so the account is confirmed now with the chosen password (like a used
 * confirmation link: pending ones die) and no second mail is sent. Anything else — no such invitation, another
 * address, an account already confirmed — returns false and the usual uniform path runs; only the holder of the
 * invitation's token can tell the two answers apart.
 */
async function signUpByInvitation(
  app: TWebContext,
  input: { email: string; name?: string },
  token: string,
  passwordHash: string,
): Promise<boolean> {
  const invitation = await getInvitationByToken(app.db, token);
  if (!invitation || invitation.status !== 'valid' || invitation.email !== input.email.toLowerCase()) return false;
  const existing = await getUserByEmail(app.db, input.email);
  if (existing?.emailVerified) return false;
  let userId = existing?.id;
  if (!userId) {
    try {
      userId = (await createUser(app.db, { email: input.email, name: input.name ?? null })).id;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const raced = await getUserByEmail(app.db, input.email);
      if (!raced || raced.emailVerified) return false;
      userId = raced.id;
    }
  }
  await confirmUserEmail(app.db, userId, passwordHash);
  app.log.info({ userId, invitationId: invitation.id }, 'account confirmed by its invitation');
  return true;
}

export async function resendVerification(app: TWebContext, email: string, ip: string): Promise<void> {
  const { resendPerIp, resendPerEmail } = ACCOUNT_LIMITS;
  await hitRateLimit('resend-ip', ip, resendPerIp.limit, resendPerIp.windowSeconds);
  await hitRateLimit('resend-email', email, resendPerEmail.limit, resendPerEmail.windowSeconds);
  await hitMailBudget(email);
  afterAnswer(app, 'resend confirmation', async () => {
    const user = await getUserByEmail(app.db, email);
    if (!user || user.emailVerified) return;
    // The new link carries the password of the latest sign-up, so "send it again" does not lose it.
    const pending = await getPendingPasswordHashOfUser(app.db, user.id);
    await sendVerification(app, { id: user.id, email: user.email }, pending);
  });
}

/** Whose account a confirmation link is for, without using it up (the page asks before switching accounts). */
export async function peekVerifyEmailToken(
  app: TWebContext,
  token: string,
): Promise<{ userId: string; email: string } | null> {
  const row = await peekUserToken(app.db, sha256(token));
  return row && row.purpose === 'verify_email' ? { userId: row.user.id, email: row.user.email } : null;
}

/**
 * Confirms the address behind a verification link and returns the user to sign in. The link's password (the one
 * chosen at that sign-up) becomes the account's password; every other pending confirmation link dies. On an
 * account confirmed meanwhile (magic link, another link) the password of an older link is not applied.
 */
export async function verifyEmail(app: TWebContext, token: string): Promise<TAccountUser> {
  const result = await consumeUserToken(app.db, token, 'verify_email');
  if (!result.ok) {
    if (result.reason === 'used' && result.userId) {
      const user = await getUserById(app.db, result.userId);
      if (user?.emailVerified)
        throw new AppError('conflict', 'Your email is already confirmed. Log in to continue.', {
          reason: 'already_verified',
        });
    }
    throw new AppError(
      'bad_request',
      result.reason === 'expired' ? 'This link has expired.' : 'This link is not valid (anymore).',
      { reason: result.reason },
    );
  }
  const { userId, passwordHash } = result;
  return confirmUserEmail(app.db, userId, passwordHash);
}

export async function requestPasswordReset(app: TWebContext, email: string, ip: string): Promise<void> {
  const { resetPerIp, resetPerEmail } = ACCOUNT_LIMITS;
  await hitRateLimit('reset-ip', ip, resetPerIp.limit, resetPerIp.windowSeconds);
  await hitRateLimit('reset-email', email, resetPerEmail.limit, resetPerEmail.windowSeconds);
  await hitMailBudget(email);
  afterAnswer(app, 'password reset mail', async () => {
    const user = await getUserByEmail(app.db, email);
    if (!user) return;
    const token = await issueUserToken(app.db, user.id, 'reset_password', RESET_PASSWORD_TTL_SECONDS);
    await app.mailer.send(resetPasswordMail(user.email, link(app, '/reset-password', { token })));
  });
}

/**
 * Sets a new password from a reset link: the link works once, every session of the account ends (sessionVersion
 * bump), other reset links die, and the address counts as confirmed (the link proved the mailbox).
 */
export async function resetPassword(app: TWebContext, token: string, password: string): Promise<TAccountUser> {
  const passwordHash = await hashPassword(password);
  const result = await consumeUserToken(app.db, token, 'reset_password');
  if (!result.ok) {
    throw new AppError(
      'bad_request',
      result.reason === 'expired'
        ? 'This reset link has expired. Ask for a new one.'
        : 'This reset link is not valid (anymore). Ask for a new one.',
      { reason: result.reason },
    );
  }
  const userId = result.userId;
  const user = await resetUserPassword(app.db, userId, passwordHash);
  app.log.info({ userId }, 'password reset; every session ended');
  return user;
}
