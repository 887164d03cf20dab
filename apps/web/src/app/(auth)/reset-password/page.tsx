import type { Metadata } from 'next';
import Link from 'next/link';
import { ResetPasswordForm } from '../_components/reset-password-form';
import { param, type TSearchParams } from '../_components/search-params';

export const metadata: Metadata = { title: 'Choose a new password' };
export const dynamic = 'force-dynamic';

export default async function ResetPasswordPage({ searchParams }: { searchParams: TSearchParams }) {
  const sp = await searchParams;
  const token = param(sp, 'token');
  return (
    <>
      <h1>Choose a new password</h1>
      <div className="card">
        {/^[A-Za-z0-9_-]{20,200}$/.test(token) ? (
          <ResetPasswordForm token={token} />
        ) : (
          <p className="alert error" role="alert">
            This link is incomplete. Open the link from the mail again, or{' '}
            <Link href="/forgot-password">ask for a new one</Link>.
          </p>
        )}
      </div>
    </>
  );
}
