import NextAuth, { CredentialsSignin, type NextAuthConfig } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import Nodemailer from 'next-auth/providers/nodemailer';
import { PrismaAdapter } from '@auth/prisma-adapter';
import { z } from 'zod';
import { pinAuthJsUrl } from './env';
import { getContext } from './server/context';
import { PASSWORD_MAX_LENGTH } from './server/auth/password';
import { magicLinkMail } from './server/mail/templates';
import { clientIp, hitRateLimit } from './server/rate-limit';
import { ACCOUNT_LIMITS } from './server/accounts/limits';
import { SESSION_MAX_AGE_SECONDS } from './server/accounts/session-cookie';
import { oauthProviderConfigs, oauthSignInCheck, withoutProviderTokens } from './server/auth/oauth';
import { checkPassword, markMailboxProven, withMailboxProof } from './server/accounts/mailbox-proof';
import { hitMailBudget } from './server/accounts/mail-budget';
import { endSessions } from './server/auth/session';
import { getUserById, markEmailVerified } from '@pocketping/db';

/**
 * Auth.js (next-auth v5). Sessions are JWTs (required by the Credentials provider) carrying the user id (`sub`) and
 * the user's `sessionVersion` (`sv`); server code never trusts the token alone — `server/auth/session.ts` re-reads
 * the user on every request. The Prisma adapter stores users, OAuth accounts and magic-link tokens.
 */

export class EmailNotVerified extends CredentialsSignin {
  override code = 'email_not_verified';
}

/** Too many password attempts for this account from this address (the login form says so, with no guessing). */
export class LoginRateLimited extends CredentialsSignin {
  override code = 'rate_limited';
}

async function isRateLimited(
  bucket: string,
  key: string,
  limit: { limit: number; windowSeconds: number },
): Promise<boolean> {
  try {
    await hitRateLimit(bucket, key, limit.limit, limit.windowSeconds);
    return false;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'rate_limited') return true;
    throw err;
  }
}

const ZCredentials = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
});

function buildConfig(): NextAuthConfig {
  const ctx = getContext();
  const { env, db } = ctx;
  pinAuthJsUrl(env);
  const providers: NextAuthConfig['providers'] = [
    Credentials({
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      async authorize(raw, request) {
        const parsed = ZCredentials.safeParse(raw);
        if (!parsed.success) return null;
        const ip = clientIp(request.headers);
        if (await isRateLimited('login', `${ip}|${parsed.data.email}`, ACCOUNT_LIMITS.loginPerIpEmail))
          throw new LoginRateLimited();
        if (await isRateLimited('login-account', parsed.data.email, ACCOUNT_LIMITS.loginPerEmail))
          throw new LoginRateLimited();
        const check = await checkPassword(db, parsed.data.email, parsed.data.password);
        if (check.ok) return check.user;
        if (check.reason === 'unverified') throw new EmailNotVerified();
        return null;
      },
    }),
    Nodemailer({
      server: env.SMTP_URL,
      from: env.MAIL_FROM,
      maxAge: 15 * 60,
      async sendVerificationRequest({ identifier, url }) {
        // Over the limit: no mail, and Auth.js answers the form with an error (the page says "try again later").
        const { magicLinkPerEmail } = ACCOUNT_LIMITS;
        await hitRateLimit('magic-link', identifier, magicLinkPerEmail.limit, magicLinkPerEmail.windowSeconds);
        await hitMailBudget(identifier);
        await ctx.mailer.send(magicLinkMail(identifier, url));
      },
    }),
  ];
  providers.push(...oauthProviderConfigs(env));

  return {
    adapter: withMailboxProof(withoutProviderTokens(PrismaAdapter(db)), db),
    secret: env.AUTH_SECRET,
    trustHost: true,
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: '/login', verifyRequest: '/check-email', error: '/login' },
    providers,
    events: {
      // An OAuth account is linked only after signIn accepted it, i.e. the provider vouched for the email: the
      // address counts as confirmed (a new OAuth user goes straight to onboarding, no verification mail).
      async linkAccount({ user }) {
        if (!user.id) return;
        await markMailboxProven(db, user.id);
        await markEmailVerified(db, user.id);
      },
      // Sessions are JWTs: clearing the cookie alone would leave a copied cookie valid until it expires. Bumping the
      // user's sessionVersion (checked on every request) ends this session — and the account's other sessions.
      async signOut(message) {
        const token = 'token' in message ? message.token : null;
        if (token && typeof token.sub === 'string')
          await endSessions(db, token.sub, typeof token.sv === 'number' ? token.sv : 0);
      },
    },
    callbacks: {
      signIn({ account, profile }) {
        return oauthSignInCheck(account, profile);
      },
      async jwt({ token, user }) {
        if (user?.id) {
          const row = await getUserById(db, user.id);
          token.sub = user.id;
          token.sv = row?.sessionVersion ?? 0;
        }
        return token;
      },
      session({ session, token }) {
        if (token.sub) session.user.id = token.sub;
        return session;
      },
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => buildConfig());
