'use client';

import { useState, type FormEvent } from 'react';
import { api } from '../../../lib/api-client';
import { errorMessage } from './error-message';
import { FormError } from './form-error';

/** Asks for a new confirmation mail for a typed address (the answer never says whether the account exists). */
export function ResendForm({ initialEmail = '' }: { initialEmail?: string }) {
  const [sentTo, setSentTo] = useState('');
  const [error, setError] = useState('');
  const [pending, setPending] = useState(false);
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const email = String(new FormData(e.currentTarget).get('email') ?? '').trim();
    setError('');
    setPending(true);
    try {
      await api('/api/app/auth/resend-verification', { body: { email } });
      setSentTo(email);
    } catch (err) {
      setError(errorMessage(err));
    }
    setPending(false);
  }
  return (
    <form className="stack" onSubmit={onSubmit}>
      <FormError>{error}</FormError>
      <label className="field">
        <span>Email</span>
        <input name="email" type="email" autoComplete="email" required defaultValue={initialEmail} />
      </label>
      <button className="btn" type="submit" disabled={pending}>
        {pending ? 'Sending…' : 'Send a new link'}
      </button>
      <p role="status" aria-live="polite">
        {sentTo ? `If ${sentTo} has an account waiting for confirmation, a new link is on its way.` : ''}
      </p>
    </form>
  );
}
