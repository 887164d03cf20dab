import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { currentUser } from '../../../server/page-guard';
import { getContext } from '../../../server/context';
import { oauthProviders } from '../../../server/accounts/oauth-providers';
import { safeNext } from '../../../server/accounts/safe-next';
import { LoginForm } from '../_components/login-form';
import { OAuthButtons } from '../_components/oauth-buttons';
import { emailParam, param, type TSearchParams } from '../_components/search-params';

export const metadata: Metadata = { title: 'Log in' };
export const dynamic = 'force-dynamic';

// Auth.js sends its own failures here as ?error=<type> (pages.error = /login).
const AUTH_ERRORS: Record<string, string> = {
  Verification: 'That sign-in link has expired or was already used. Ask for a new one below.',
  OAuthAccountNotLinked:
    'This email already has an account with another sign-in method. Log in with your password or a sign-in link.',
  AccessDenied: 'Sign-in was refused.',
  OAuthCallbackError:
    'Sign-in with that provider was cancelled or did not complete. Try again, or use your email below.',
  OAuthEmailUnverified:
    'That account has no verified email address. Verify one with the provider, or sign up with your email below.',
};

export default async function LoginPage({ searchParams }: { searchParams: TSearchParams }) {
  const sp = await searchParams;
  const next = safeNext(param(sp, 'next') || param(sp, 'callbackUrl').replace(/^https?:\/\/[^/]+/, ''));
  const user = await currentUser();
  if (user?.emailVerified) redirect(next);
  const email = emailParam(sp);
  const authError = param(sp, 'error');
  const providers = oauthProviders(getContext().env);
  const signupHref = next === '/app' ? '/signup' : `/signup?next=${encodeURIComponent(next)}`;
  return (
    <>
      <h1>Log in to PocketPing</h1>
      {param(sp, 'verified') ? (
        <p className="alert success" role="status">
          Your email is confirmed. Log in to continue.
        </p>
      ) : null}
      {authError ? (
        <p className="alert error" role="alert">
          {AUTH_ERRORS[authError] ?? 'Sign-in failed. Please try again.'}
        </p>
      ) : null}
      <div className="card">
        <LoginForm
          next={next}
          initialEmail={email}
          links={
            <div className="auth-links">
              <Link href={email ? `/forgot-password?email=${encodeURIComponent(email)}` : '/forgot-password'}>
                Forgot your password?
              </Link>
              <Link href={signupHref}>Create an account</Link>
            </div>
          }
        />
        {providers.length > 0 ? (
          <>
            <div className="auth-divider">or</div>
            <OAuthButtons providers={providers} next={next} />
          </>
        ) : null}
      </div>
    </>
  );
}
