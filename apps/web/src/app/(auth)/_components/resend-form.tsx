'use client';

import { useEmailRequest } from './use-email-request';
import { FormError } from './form-error';

/** Asks for a new confirmation mail for a typed address (the answer never says whether the account exists). */
export function ResendForm({ initialEmail = '' }: { initialEmail?: string }) {
  const { sentTo, error, pending, onSubmit } = useEmailRequest('/api/app/auth/resend-verification');
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
