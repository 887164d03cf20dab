import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { currentUser } from '../../../server/page-guard';
import { getContext } from '../../../server/context';
import { oauthProviders } from '../../../server/accounts/oauth-providers';
import { safeNext } from '../../../server/accounts/safe-next';
import { SignupForm } from '../_components/signup-form';
import { OAuthButtons } from '../_components/oauth-buttons';
import { emailParam, param, type TSearchParams } from '../_components/search-params';

export const metadata: Metadata = { title: 'Create your account' };
export const dynamic = 'force-dynamic';

export default async function SignupPage({ searchParams }: { searchParams: TSearchParams }) {
  const sp = await searchParams;
  const next = safeNext(param(sp, 'next'));
  const user = await currentUser();
  if (user?.emailVerified) redirect(next);
  const providers = oauthProviders(getContext().env);
  const loginHref = next === '/app' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
  return (
    <>
      <h1>Create your PocketPing account</h1>
      <div className="card">
        <SignupForm next={next} initialEmail={emailParam(sp)} />
        {providers.length > 0 ? (
          <>
            <div className="auth-divider">or</div>
            <OAuthButtons providers={providers} next={next} />
          </>
        ) : null}
      </div>
      <p className="muted">
        Already have an account? <Link href={loginHref}>Log in</Link>
      </p>
    </>
  );
}
