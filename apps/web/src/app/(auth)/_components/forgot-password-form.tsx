'use client';

import { useState, type FormEvent } from 'react';
import { api } from '../../../lib/api-client';
import { errorMessage } from './error-message';
import { FormError } from './form-error';

export function ForgotPasswordForm({ initialEmail }: { initialEmail: string }) {
  const [sentTo, setSentTo] = useState('');
  const [error, setError] = useState('');
  const [pending, setPending] = useState(false);
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const email = String(new FormData(e.currentTarget).get('email') ?? '').trim();
    setError('');
    setPending(true);
    try {
      await api('/api/app/auth/forgot-password', { body: { email } });
      setSentTo(email);
    } catch (err) {
      setError(errorMessage(err));
    }
    setPending(false);
  }
  if (sentTo)
    return (
      <div className="alert success" role="status">
        If an account exists for {sentTo}, we sent it a link to choose a new password. The link works once, for 1 hour.
      </div>
    );
  return (
    <form className="stack" onSubmit={onSubmit}>
      <FormError>{error}</FormError>
      <label className="field">
        <span>Email</span>
        <input name="email" type="email" autoComplete="email" required defaultValue={initialEmail} inputMode="email" />
      </label>
      <button className="btn" type="submit" disabled={pending}>
        {pending ? 'Sending…' : 'Send me a reset link'}
      </button>
    </form>
  );
}
