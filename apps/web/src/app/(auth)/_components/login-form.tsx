'use client';

import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { FormError } from './form-error';
import { ResendVerification } from './resend-verification';

type TFailure =
  | { kind: 'wrong' }
  | { kind: 'unverified'; email: string }
  | { kind: 'limited' }
  | { kind: 'other' }
  | { kind: 'magic'; text: string };

/**
 * The login form: ONE email field, used by both ways in — "Log in" with the password, or "Email me a sign-in link"
 * (Auth.js mails a one-time link, Nodemailer provider, then /check-email) without it.
 */
export function LoginForm({ next, initialEmail, links }: { next: string; initialEmail: string; links?: ReactNode }) {
  const router = useRouter();
  const emailRef = useRef<HTMLInputElement>(null);
  const [failure, setFailure] = useState<TFailure | null>(null);
  const [emailError, setEmailError] = useState('');
  const [pending, setPending] = useState<'password' | 'magic' | null>(null);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    setFailure(null);
    setEmailError('');
    setPending('password');
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
    setPending(null);
  }

  async function sendLink() {
    const input = emailRef.current;
    const email = input?.value.trim() ?? '';
    setFailure(null);
    if (!input || email === '' || !input.checkValidity()) {
      setEmailError('Enter your email address first: the sign-in link is sent there.');
      input?.focus();
      return;
    }
    setEmailError('');
    setPending('magic');
    try {
      const res = await signIn('nodemailer', { email, redirect: false, redirectTo: next });
      if (res && !res.error) {
        router.push(`/check-email?kind=magic&email=${encodeURIComponent(email)}`);
        return;
      }
      setFailure({
        kind: 'magic',
        text: 'We could not send the link. Check the address, or wait a few minutes and try again.',
      });
    } catch {
      setFailure({ kind: 'magic', text: 'We could not send the link. Check your connection and try again.' });
    }
    setPending(null);
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
          {failure.kind === 'magic' ? failure.text : null}
          {failure.kind === 'unverified' ? (
            <>
              Confirm your email first: open the link we mailed to {failure.email}.{' '}
              <ResendVerification email={failure.email} />
            </>
          ) : null}
        </FormError>
      ) : null}
      <div className="field">
        <label htmlFor="login-email">Email</label>
        <input
          ref={emailRef}
          id="login-email"
          name="email"
          type="email"
          autoComplete="email"
          required
          defaultValue={initialEmail}
          inputMode="email"
          aria-invalid={emailError ? true : undefined}
          aria-describedby={emailError ? 'login-email-error' : undefined}
          onChange={() => setEmailError('')}
        />
        {emailError ? (
          <span id="login-email-error" className="field-error">
            {emailError}
          </span>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor="login-password">Password</label>
        <input id="login-password" name="password" type="password" autoComplete="current-password" required />
      </div>
      <button className="btn" type="submit" disabled={pending !== null}>
        {pending === 'password' ? 'Logging in…' : 'Log in'}
      </button>
      {links}
      <div className="auth-divider">or, without a password</div>
      <button className="btn secondary" type="button" disabled={pending !== null} onClick={() => void sendLink()}>
        {pending === 'magic' ? 'Sending…' : 'Email me a sign-in link'}
      </button>
    </form>
  );
}
