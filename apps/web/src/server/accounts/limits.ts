/**
 * Rate limits of the account entry points (fixed windows in Redis, `server/rate-limit.ts`). Generous enough for a
 * person who mistypes, tight enough to stop password guessing and mail bombing.
 */
export const ACCOUNT_LIMITS = {
  /** Sign-ups from one address. */
  signupPerIp: { limit: 10, windowSeconds: 3600 },
  /** Sign-ups (each one a confirmation mail) for one address. */
  signupPerEmail: { limit: 3, windowSeconds: 15 * 60 },
  /** Password attempts for one account from one address (Credentials `authorize`). */
  loginPerIpEmail: { limit: 10, windowSeconds: 15 * 60 },
  /**
   * Password attempts for one account from anywhere: a guesser rotating addresses (or forging X-Forwarded-For where
   * no trusted proxy sets it) still gets at most this many tries. The owner keeps the sign-in link meanwhile.
   */
  loginPerEmail: { limit: 50, windowSeconds: 15 * 60 },
  /** Password-reset mails to one address, and requests from one client. */
  resetPerEmail: { limit: 3, windowSeconds: 3600 },
  resetPerIp: { limit: 10, windowSeconds: 3600 },
  /** "Resend the confirmation mail". */
  resendPerEmail: { limit: 3, windowSeconds: 15 * 60 },
  resendPerIp: { limit: 20, windowSeconds: 3600 },
  /** Magic sign-in links to one address. */
  magicLinkPerEmail: { limit: 5, windowSeconds: 15 * 60 },
  /**
   * Every mail sent on request to one address, whatever its kind (confirmation, resend, reset, magic link,
   * invitation), counted whether or not a mail actually goes out. The per-IP limits cannot stop mail bombing on
   * their own: without a trusted proxy the client chooses the address they see.
   */
  mailsPerAddress: { limit: 10, windowSeconds: 3600 },
} as const;

/** The profile page's changes, per signed-in user. */
export const PROFILE_LIMITS = {
  /** Current-password checks: the same bound as password sign-ins, so a borrowed session cannot guess faster. */
  passwordChangePerUser: { limit: 10, windowSeconds: 15 * 60 },
  emailChangePerUser: { limit: 5, windowSeconds: 3600 },
  avatarPerUser: { limit: 20, windowSeconds: 3600 },
  /** Email-change links used from one client (a token is 256 random bits: this only caps the work). */
  confirmEmailChangePerIp: { limit: 30, windowSeconds: 3600 },
} as const;

/** Lifetimes of the one-time links we mail. */
export const VERIFY_EMAIL_TTL_SECONDS = 24 * 3600;
export const RESET_PASSWORD_TTL_SECONDS = 3600;
export const CHANGE_EMAIL_TTL_SECONDS = 24 * 3600;
