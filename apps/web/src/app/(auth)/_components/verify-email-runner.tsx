'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import Link from 'next/link';
import { api, ApiError } from '../../../lib/api-client';
import { errorMessage } from './error-message';
import { ResendForm } from './resend-form';

type TState =
  | { status: 'working' }
  | { status: 'done'; next: string }
  | { status: 'already' }
  | { status: 'ask'; signedInAs: string; linkFor: string }
  | { status: 'failed'; message: string };

function switchDetails(err: unknown): { signedInAs: string; linkFor: string } | null {
  if (!(err instanceof ApiError) || err.code !== 'conflict') return null;
  const d = err.details as { reason?: unknown; signedInAs?: unknown; linkFor?: unknown } | undefined;
  return d?.reason === 'signed_in_as_other' && typeof d.signedInAs === 'string' && typeof d.linkFor === 'string'
    ? { signedInAs: d.signedInAs, linkFor: d.linkFor }
    : null;
}

/**
 * Confirms the address from the mailed link. The POST happens here, in the browser (a mail scanner that merely
 * fetches the link does not burn it); the answer sets the session cookie and we go on, signed in. A browser signed
 * in to another account is asked first: a link someone else sent must not swap the account silently.
 */
export function VerifyEmailRunner({ token, next }: { token: string; next?: string }) {
  const started = useRef(false);
  const [state, setState] = useState<TState>({ status: 'working' });

  const confirm = useCallback(
    (switchAccount: boolean) => {
      setState({ status: 'working' });
      api<{ next: string }>('/api/app/auth/verify-email', {
        body: { token, ...(next ? { next } : {}), ...(switchAccount ? { switchAccount } : {}) },
      })
        .then((res) => {
          setState({ status: 'done', next: res.next });
          window.location.assign(res.next);
        })
        .catch((err: unknown) => {
          const ask = switchDetails(err);
          if (ask) setState({ status: 'ask', ...ask });
          else if (err instanceof ApiError && err.code === 'conflict') setState({ status: 'already' });
          else setState({ status: 'failed', message: errorMessage(err) });
        });
    },
    [token, next],
  );

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    confirm(false);
  }, [confirm]);

  if (state.status === 'working') return <p role="status">Confirming your email…</p>;
  if (state.status === 'ask')
    return (
      <div className="stack">
        <p className="alert info" role="alert">
          You are signed in as <strong>{state.signedInAs}</strong>. This link confirms another account,{' '}
          <strong>{state.linkFor}</strong>. Only continue if you created that account yourself.
        </p>
        <Link className="btn" href="/app">
          Stay signed in as {state.signedInAs}
        </Link>
        <button type="button" className="btn secondary" onClick={() => confirm(true)}>
          Confirm and switch to {state.linkFor}
        </button>
      </div>
    );
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
