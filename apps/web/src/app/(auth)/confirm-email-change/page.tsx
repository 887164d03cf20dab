import type { Metadata } from 'next';
import { ConfirmEmailChangeRunner } from '../_components/confirm-email-change-runner';
import { param, type TSearchParams } from '../_components/search-params';

export const metadata: Metadata = { title: 'Confirm your new email' };
export const dynamic = 'force-dynamic';

export default async function ConfirmEmailChangePage({ searchParams }: { searchParams: TSearchParams }) {
  const token = param(await searchParams, 'token');
  return (
    <>
      <h1>Confirm your new email</h1>
      <div className="card">
        {/^[A-Za-z0-9_-]{20,200}$/.test(token) ? (
          <ConfirmEmailChangeRunner token={token} />
        ) : (
          <p className="alert error" role="alert">
            This link is incomplete. Open the link from the mail again, or ask for the change again from your profile.
          </p>
        )}
      </div>
    </>
  );
}
