'use client';

import { useState, type FormEvent } from 'react';
import { signIn } from 'next-auth/react';
import { FormError } from './form-error';
import { ResendVerification } from './resend-verification';

type TFailure = { kind: 'wrong' } | { kind: 'unverified'; email: string } | { kind: 'limited' } | { kind: 'other' };

export function LoginForm({ next, initialEmail }: { next: string; initialEmail: string }) {
  const [failure, setFailure] = useState<TFailure | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    setFailure(null);
    setPending(true);
    try {
      const res = await signIn('credentials', { email, password, redirect: false, redirectTo: next });
      if (res && !res.error) {
        window.location.assign(next);
        return;
      }
      if (res?.code === 'email_not_verified') setFailure({ kind: 'unverified', email });
      else if (res?.code === 'rate_limited') setFailure({ kind: 'limited' });
      else if (res?.error === 'CredentialsSignin') setFailure({ kind: 'wrong' });
      else setFailure({ kind: 'other' });
    } catch {
      setFailure({ kind: 'other' });
    }
    setPending(false);
  }

  return (
    <form className="stack" onSubmit={onSubmit} aria-describedby={failure ? 'login-error' : undefined}>
      {failure ? (
        <FormError id="login-error">
          {failure.kind === 'wrong' ? 'Wrong email or password.' : null}
          {failure.kind === 'limited'
            ? 'Too many attempts for this account. Wait 15 minutes, sign in with an email link below, or reset your password.'
            : null}
          {failure.kind === 'other' ? 'Could not sign you in. Check your connection and try again.' : null}
          {failure.kind === 'unverified' ? (
            <>
              Confirm your email first: open the link we mailed to {failure.email}.{' '}
              <ResendVerification email={failure.email} />
            </>
          ) : null}
        </FormError>
      ) : null}
      <label className="field">
        <span>Email</span>
        <input name="email" type="email" autoComplete="email" required defaultValue={initialEmail} inputMode="email" />
      </label>
      <label className="field">
        <span>Password</span>
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <button className="btn" type="submit" disabled={pending}>
        {pending ? 'Logging in…' : 'Log in'}
      </button>
    </form>
  );
}
