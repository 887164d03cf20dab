'use client';

import { useState, type FormEvent } from 'react';
import Link from 'next/link';
import { api } from '../../../lib/api-client';
import { errorMessage } from './error-message';
import { FormError } from './form-error';

const MIN = 10;

export function ResetPasswordForm({ token }: { token: string }) {
  const [error, setError] = useState('');
  const [dead, setDead] = useState(false);
  const [pending, setPending] = useState(false);
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const password = String(form.get('password') ?? '');
    const confirm = String(form.get('confirm') ?? '');
    if (password.length < MIN) return setError(`Choose a password of at least ${MIN} characters.`);
    if (password !== confirm) return setError('The two passwords are different.');
    setError('');
    setPending(true);
    try {
      const res = await api<{ next: string }>('/api/app/auth/reset-password', { body: { token, password } });
      window.location.assign(res.next);
      return;
    } catch (err) {
      setError(errorMessage(err));
      setDead(/link/i.test(errorMessage(err)));
    }
    setPending(false);
  }
  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      {error ? (
        <FormError>
          {error}
          {dead ? (
            <>
              {' '}
              <Link href="/forgot-password">Ask for a new link</Link>
            </>
          ) : null}
        </FormError>
      ) : null}
      <div className="field">
        <label htmlFor="reset-password">New password</label>
        <input
          id="reset-password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN}
          aria-describedby="reset-hint"
        />
        <small id="reset-hint">
          At least {MIN} characters. Every other session of your account will be logged out.
        </small>
      </div>
      <label className="field">
        <span>Repeat the new password</span>
        <input name="confirm" type="password" autoComplete="new-password" required minLength={MIN} />
      </label>
      <button className="btn" type="submit" disabled={pending}>
        {pending ? 'Saving…' : 'Set the new password'}
      </button>
    </form>
  );
}
