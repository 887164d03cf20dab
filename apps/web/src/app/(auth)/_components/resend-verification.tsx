'use client';

import { useState } from 'react';
import { api } from '../../../lib/api-client';
import { errorMessage } from './error-message';

/** "Send the link again" for the email-confirmation mail. The answer is the same whether or not the account exists. */
export function ResendVerification({ email, label = 'Send the link again' }: { email: string; label?: string }) {
  const [state, setState] = useState<{ status: 'idle' | 'sending' | 'sent' | 'error'; message?: string }>({
    status: 'idle',
  });
  async function resend() {
    setState({ status: 'sending' });
    try {
      await api('/api/app/auth/resend-verification', { body: { email } });
      setState({ status: 'sent' });
    } catch (err) {
      setState({ status: 'error', message: errorMessage(err) });
    }
  }
  return (
    <span>
      <button
        type="button"
        className="btn-link"
        onClick={() => void resend()}
        disabled={state.status === 'sending' || !email}
      >
        {state.status === 'sending' ? 'Sending…' : label}
      </button>
      <span role="status" aria-live="polite">
        {state.status === 'sent' ? ` Sent — check ${email}.` : state.status === 'error' ? ` ${state.message}` : ''}
      </span>
    </span>
  );
}
