'use client';

import { useEffect, useRef, useState } from 'react';
import Link from 'next/link';
import { api, ApiError } from '../../../lib/api-client';
import { errorMessage } from './error-message';
import { ResendForm } from './resend-form';

/**
 * Confirms the address from the mailed link. The POST happens here, in the browser (a mail scanner that merely
 * fetches the link does not burn it); the answer sets the session cookie and we go on, signed in.
 */
export function VerifyEmailRunner({ token, next }: { token: string; next?: string }) {
  const started = useRef(false);
  const [state, setState] = useState<{ status: 'working' } | { status: 'done'; next: string } | { status: 'already' } | { status: 'failed'; message: string }>({ status: 'working' });

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    api<{ next: string }>('/api/app/auth/verify-email', { body: { token, ...(next ? { next } : {}) } })
      .then((res) => {
        setState({ status: 'done', next: res.next });
        window.location.assign(res.next);
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.code === 'conflict') setState({ status: 'already' });
        else setState({ status: 'failed', message: errorMessage(err) });
      });
  }, [token, next]);

  if (state.status === 'working') return <p role="status">Confirming your email…</p>;
  if (state.status === 'done')
    return (
      <p role="status">
        Email confirmed. Taking you to PocketPing… <Link href={state.next}>Continue</Link>
      </p>
    );
  if (state.status === 'already')
    return (
      <div className="stack">
        <div className="alert success" role="status">
          Your email is already confirmed.
        </div>
        <Link className="btn" href="/login">
          Log in
        </Link>
      </div>
    );
  return (
    <div className="stack">
      <div className="alert error" role="alert">
        {state.message} Confirmation links work once and expire after 24 hours.
      </div>
      <p>Enter your email and we will send you a new link.</p>
      <ResendForm />
    </div>
  );
}
