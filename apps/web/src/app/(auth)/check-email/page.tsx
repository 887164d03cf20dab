import type { Metadata } from 'next';
import Link from 'next/link';
import { currentUser } from '../../../server/page-guard';
import { ResendVerification } from '../_components/resend-verification';
import { ResendForm } from '../_components/resend-form';
import { emailParam, param, type TSearchParams } from '../_components/search-params';

export const metadata: Metadata = { title: 'Check your email' };
export const dynamic = 'force-dynamic';

/**
 * "Check your email" after sign-up (kind=verify), a magic-link request (kind=magic, or Auth.js's own
 * ?provider=nodemailer&type=email redirect), and for a signed-in user whose address is not confirmed yet
 * (reason=unverified, from the page guard).
 */
export default async function CheckEmailPage({ searchParams }: { searchParams: TSearchParams }) {
  const sp = await searchParams;
  const magic = param(sp, 'kind') === 'magic' || param(sp, 'provider') === 'nodemailer';
  const unverified = param(sp, 'reason') === 'unverified';
  const email = unverified ? ((await currentUser())?.email ?? emailParam(sp)) : emailParam(sp);
  const to = email ? <strong>{email}</strong> : 'your inbox';
  return (
    <>
      <h1>Check your email</h1>
      <div className="card stack">
        {magic ? (
          <>
            <p>We sent a sign-in link to {to}. It works once, for 15 minutes.</p>
            <p className="muted">
              Nothing after a minute? Look in the spam folder, or{' '}
              <Link href={email ? `/login?email=${encodeURIComponent(email)}` : '/login'}>ask for another link</Link>.
            </p>
          </>
        ) : (
          <>
            <p>
              {unverified ? 'Confirm your email address to continue. ' : null}We sent a confirmation link to {to}. Open
              it to finish creating your account — it works for 24 hours.
            </p>
            {email ? (
              <p className="muted">
                Nothing after a minute? Look in the spam folder, or{' '}
                <ResendVerification email={email} label="send the link again" />
              </p>
            ) : (
              <>
                <p className="muted">Nothing arrived? Enter your email and we will send a new link.</p>
                <ResendForm />
              </>
            )}
          </>
        )}
      </div>
      <p className="muted">
        Wrong address? <Link href="/signup">Sign up again</Link> · <Link href="/login">Log in</Link>
      </p>
    </>
  );
}
