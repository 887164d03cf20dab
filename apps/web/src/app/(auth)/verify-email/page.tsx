import type { Metadata } from 'next';
import { VerifyEmailRunner } from '../_components/verify-email-runner';
import { ResendForm } from '../_components/resend-form';
import { param, type TSearchParams } from '../_components/search-params';
import { safeNext } from '../../../server/accounts/safe-next';

export const metadata: Metadata = { title: 'Confirm your email' };
export const dynamic = 'force-dynamic';

export default async function VerifyEmailPage({ searchParams }: { searchParams: TSearchParams }) {
  const sp = await searchParams;
  const token = param(sp, 'token');
  const next = param(sp, 'next') ? safeNext(param(sp, 'next')) : undefined;
  return (
    <>
      <h1>Confirm your email</h1>
      <div className="card">
        {/^[A-Za-z0-9_-]{20,200}$/.test(token) ? (
          <VerifyEmailRunner token={token} next={next} />
        ) : (
          <div className="stack">
            <p className="alert error" role="alert">
              This link is incomplete. Open the link from the mail again, or ask for a new one.
            </p>
            <ResendForm />
          </div>
        )}
      </div>
    </>
  );
}
