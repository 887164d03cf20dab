import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/password';

export const ZEmail = z.string().trim().toLowerCase().email('is not a valid email address').max(254);
export const ZNewPassword = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`);
export const ZLinkToken = z
  .string()
  .trim()
  .min(20)
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/);

export const ZSignupBody = z.object({
  email: ZEmail,
  password: ZNewPassword,
  name: z
    .string()
    .trim()
    .max(100)
    .optional()
    .transform((v) => (v ? v : undefined)),
  next: z.string().max(512).optional(),
  /** The invitation this sign-up comes from: its link, mailed to this address, proves the mailbox. */
  invitationToken: z.string().min(1).max(200).optional(),
});
export const ZEmailBody = z.object({ email: ZEmail });
export const ZTokenBody = z.object({
  token: ZLinkToken,
  next: z.string().max(512).optional(),
  switchAccount: z.boolean().optional(),
});
export const ZResetBody = z.object({ token: ZLinkToken, password: ZNewPassword });
