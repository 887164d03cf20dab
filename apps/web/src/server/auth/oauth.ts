import GitHub from 'next-auth/providers/github';
import Google from 'next-auth/providers/google';
import type { NextAuthConfig } from 'next-auth';
import type { Adapter, AdapterAccount } from 'next-auth/adapters';
import { z } from 'zod';
import type { TWebEnv } from '../../env';

/**
 * OAuth sign-in (GitHub, Google), each offered only when its client id and secret are set. An OAuth sign-in counts
 * as a confirmed email only when the provider says the address is verified: GitHub by `/user/emails` (`verified`),
 * Google by the ID token's `email_verified`. Anything else is refused with a readable message rather than creating
 * an account we would then treat as confirmed. An email that already has an account with another sign-in method is
 * not linked automatically (Auth.js's OAuthAccountNotLinked): that would hand the account to whoever controls the
 * provider account.
 */

export type TOAuthProviderId = 'github' | 'google';

const ZGitHubUser = z.object({
  id: z.number().int(),
  login: z.string().min(1).max(100),
  name: z.string().max(256).nullable().optional(),
  email: z.string().max(254).nullable().optional(),
  avatar_url: z.string().max(2048).nullable().optional(),
});
const ZGitHubEmails = z
  .array(z.object({ email: z.string().max(254), primary: z.boolean(), verified: z.boolean() }))
  .max(100);

/** The profile Auth.js receives for GitHub: `/user` plus the verified address chosen from `/user/emails`. */
export interface TGitHubProfile extends z.infer<typeof ZGitHubUser> {
  email: string | null;
  email_verified: boolean;
}

/**
 * The address to sign in with: the primary one if verified, else any verified one. The public profile email is not
 * trusted by itself: `/user/emails` is the only place GitHub says what is verified.
 */
export function pickGitHubEmail(emails: z.infer<typeof ZGitHubEmails>): string | null {
  const verified = emails.filter((e) => e.verified);
  return (verified.find((e) => e.primary) ?? verified[0])?.email.toLowerCase() ?? null;
}

async function fetchGitHubProfile(apiBaseUrl: string, accessToken: string): Promise<TGitHubProfile> {
  const headers = {
    authorization: `Bearer ${accessToken}`,
    accept: 'application/vnd.github+json',
    'user-agent': 'PocketPing',
  };
  const userRes = await fetch(`${apiBaseUrl}/user`, { headers, signal: AbortSignal.timeout(10_000) });
  if (!userRes.ok) throw new Error(`GitHub /user answered ${userRes.status}`);
  const user = ZGitHubUser.parse(await userRes.json());
  const emailsRes = await fetch(`${apiBaseUrl}/user/emails`, { headers, signal: AbortSignal.timeout(10_000) });
  // Without the user:email scope (or on an error) there is no verified address: the sign-in is refused below.
  const emails = emailsRes.ok ? ZGitHubEmails.safeParse(await emailsRes.json()) : null;
  const email = emails?.success ? pickGitHubEmail(emails.data) : null;
  return { ...user, email, email_verified: email !== null };
}

export function oauthProviderConfigs(env: TWebEnv): NextAuthConfig['providers'] {
  const providers: NextAuthConfig['providers'] = [];
  if (env.AUTH_GITHUB_ID && env.AUTH_GITHUB_SECRET) {
    // AUTH_GITHUB_URL: a GitHub Enterprise Server (and the fake in tests); github.com otherwise.
    const apiBaseUrl = env.AUTH_GITHUB_URL ? `${env.AUTH_GITHUB_URL}/api/v3` : 'https://api.github.com';
    providers.push(
      GitHub({
        clientId: env.AUTH_GITHUB_ID,
        clientSecret: env.AUTH_GITHUB_SECRET,
        ...(env.AUTH_GITHUB_URL ? { enterprise: { baseUrl: env.AUTH_GITHUB_URL } } : {}),
        userinfo: {
          url: `${apiBaseUrl}/user`,
          request: ({ tokens }: { tokens: { access_token?: string } }) =>
            fetchGitHubProfile(apiBaseUrl, tokens.access_token ?? ''),
        },
      }),
    );
  }
  if (env.AUTH_GOOGLE_ID && env.AUTH_GOOGLE_SECRET) {
    providers.push(
      Google({
        clientId: env.AUTH_GOOGLE_ID,
        clientSecret: env.AUTH_GOOGLE_SECRET,
        ...(env.AUTH_GOOGLE_ISSUER ? { issuer: env.AUTH_GOOGLE_ISSUER } : {}),
        // Emails are stored lower-cased: "Ann@Example.com" must find the account of "ann@example.com".
        profile: (p) => ({ id: p.sub, name: p.name, email: p.email.toLowerCase(), image: p.picture }),
      }),
    );
  }
  return providers;
}

/** Where Auth.js sends a refused OAuth sign-in (the login page explains the error code). */
export const OAUTH_EMAIL_UNVERIFIED_URL = '/login?error=OAuthEmailUnverified';

/**
 * The signIn callback's rule for OAuth: the provider must vouch for the email. Returns true to continue, or the URL
 * of the explanation. Password and magic-link sign-ins are not concerned (they prove the address themselves).
 */
export function oauthSignInCheck(
  account: { type: string; provider: string } | null | undefined,
  profile: Record<string, unknown> | undefined,
): true | string {
  if (!account || (account.type !== 'oauth' && account.type !== 'oidc')) return true;
  const email = profile?.email;
  const verified = profile?.email_verified === true;
  return typeof email === 'string' && email.length > 0 && verified ? true : OAUTH_EMAIL_UNVERIFIED_URL;
}

/**
 * We only use OAuth to learn who signs in, never to call the provider afterwards: the provider's tokens are not
 * stored at all (no secret to encrypt, nothing to leak from a database dump).
 */
export function withoutProviderTokens(adapter: Adapter): Adapter {
  const link = adapter.linkAccount?.bind(adapter);
  if (!link) return adapter;
  return {
    ...adapter,
    linkAccount: (account: AdapterAccount) => {
      const { access_token: _a, refresh_token: _r, id_token: _i, session_state: _s, ...kept } = account;
      return link(kept as AdapterAccount);
    },
  };
}
