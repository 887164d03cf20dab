'use client';

import { useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { api } from '../../../lib/api-client';
import { errorMessage } from './error-message';
import { FormError } from './form-error';

const MIN = 10;

export function SignupForm({ next, initialEmail }: { next: string; initialEmail: string }) {
  const router = useRouter();
  const [error, setError] = useState('');
  const [pending, setPending] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const name = String(form.get('name') ?? '').trim();
    if (password.length < MIN) return setError(`Choose a password of at least ${MIN} characters.`);
    setError('');
    setPending(true);
    try {
      await api('/api/app/auth/signup', {
        body: { email, password, name: name || undefined, next: next === '/app' ? undefined : next },
      });
      router.push(`/check-email?kind=verify&email=${encodeURIComponent(email)}`);
    } catch (err) {
      setError(errorMessage(err));
      setPending(false);
    }
  }

  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-describedby={error ? 'signup-error' : undefined}>
      <FormError id="signup-error">{error}</FormError>
      <label className="field">
        <span>Work email</span>
        <input name="email" type="email" autoComplete="email" required defaultValue={initialEmail} inputMode="email" />
      </label>
      <label className="field">
        <span>
          Your name <span className="muted">(optional)</span>
        </span>
        <input name="name" type="text" autoComplete="name" maxLength={100} />
      </label>
      <div className="field">
        <label htmlFor="signup-password">Password</label>
        <input
          id="signup-password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN}
          aria-describedby="password-hint"
        />
        <small id="password-hint">At least {MIN} characters.</small>
      </div>
      <button className="btn" type="submit" disabled={pending}>
        {pending ? 'Creating your account…' : 'Create account'}
      </button>
    </form>
  );
}
