import type { Metadata } from 'next';
import Link from 'next/link';
import { ForgotPasswordForm } from '../_components/forgot-password-form';
import { emailParam, type TSearchParams } from '../_components/search-params';

export const metadata: Metadata = { title: 'Reset your password' };
export const dynamic = 'force-dynamic';

export default async function ForgotPasswordPage({ searchParams }: { searchParams: TSearchParams }) {
  const sp = await searchParams;
  return (
    <>
      <h1>Reset your password</h1>
      <div className="card stack">
        <p className="muted">Enter the email of your account and we will mail you a link to choose a new password.</p>
        <ForgotPasswordForm initialEmail={emailParam(sp)} />
      </div>
      <p className="muted">
        Remembered it? <Link href="/login">Log in</Link>
      </p>
    </>
  );
}
