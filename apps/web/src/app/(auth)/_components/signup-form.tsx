'use client';

import { useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { api } from '../../../lib/api-client';
import { errorMessage } from './error-message';
import { FormError } from './form-error';

const MIN = 10;

/** The invitation a sign-up comes from (`next` = /invite/<token>): its link already proved the mailbox. */
function invitationTokenOf(next: string): string | undefined {
  const m = /^\/invite\/([^/?#]+)$/.exec(next);
  if (!m?.[1]) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
}

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
      const invitationToken = invitationTokenOf(next);
      const res = await api<{ ok: true; verified?: boolean }>('/api/app/auth/signup', {
        body: { email, password, name: name || undefined, next: next === '/app' ? undefined : next, invitationToken },
      });
      if (res.verified) {
        // Confirmed by the invitation: sign in now and go back to it, no second mail to open.
        const signedIn = await signIn('credentials', { email, password, redirect: false, redirectTo: next });
        if (signedIn && !signedIn.error) {
          window.location.assign(next);
          return;
        }
        router.push(`/login?email=${encodeURIComponent(email)}&next=${encodeURIComponent(next)}`);
        return;
      }
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
