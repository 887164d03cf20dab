'use client';

import { useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { FormError } from './form-error';

/** Passwordless sign-in: Auth.js mails a one-time link (Nodemailer provider), then we show /check-email. */
export function MagicLinkForm({ next, initialEmail }: { next: string; initialEmail: string }) {
  const router = useRouter();
  const [error, setError] = useState('');
  const [pending, setPending] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const email = String(new FormData(e.currentTarget).get('email') ?? '').trim();
    setError('');
    setPending(true);
    try {
      const res = await signIn('nodemailer', { email, redirect: false, redirectTo: next });
      if (res && !res.error) {
        router.push(`/check-email?kind=magic&email=${encodeURIComponent(email)}`);
        return;
      }
      setError('We could not send the link. Check the address, or wait a few minutes and try again.');
    } catch {
      setError('We could not send the link. Check your connection and try again.');
    }
    setPending(false);
  }

  return (
    <form className="stack" onSubmit={onSubmit} aria-label="Email me a sign-in link">
      <FormError id="magic-error">{error}</FormError>
      <label className="field">
        <span>Email</span>
        <input name="email" type="email" autoComplete="email" required defaultValue={initialEmail} inputMode="email" />
      </label>
      <button className="btn secondary" type="submit" disabled={pending}>
        {pending ? 'Sending…' : 'Email me a sign-in link'}
      </button>
    </form>
  );
}
