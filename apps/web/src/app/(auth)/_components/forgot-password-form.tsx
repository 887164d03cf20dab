'use client';

import { useEmailRequest } from './use-email-request';
import { FormError } from './form-error';

export function ForgotPasswordForm({ initialEmail }: { initialEmail: string }) {
  const { sentTo, error, pending, onSubmit } = useEmailRequest('/api/app/auth/forgot-password');
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
