'use client';

import { useEffect, useRef, useState } from 'react';
import Link from 'next/link';
import { api } from '../../../lib/api-client';
import { errorMessage } from './error-message';

type TState = { status: 'working' } | { status: 'done'; email: string } | { status: 'failed'; message: string };

/**
 * Uses the mailed email-change link. The POST happens here, in the browser, so a mail scanner that merely fetches
 * the link does not use it up.
 */
export function ConfirmEmailChangeRunner({ token }: { token: string }) {
  const started = useRef(false);
  const [state, setState] = useState<TState>({ status: 'working' });

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    api<{ email: string }>('/api/app/auth/confirm-email-change', { body: { token } })
      .then((res) => setState({ status: 'done', email: res.email }))
      .catch((err: unknown) => setState({ status: 'failed', message: errorMessage(err) }));
  }, [token]);

  if (state.status === 'working') return <p role="status">Changing your email…</p>;
  if (state.status === 'done')
    return (
      <div className="stack">
        <p className="alert success" role="status">
          Your email is now <strong>{state.email}</strong>. Sign in with it from now on.
        </p>
        <Link href="/app/account">Go to your profile</Link>
      </div>
    );
  return (
    <div className="stack">
      <p className="alert error" role="alert">
        {state.message}
      </p>
      <Link href="/app/account">Go to your profile</Link>
    </div>
  );
}
