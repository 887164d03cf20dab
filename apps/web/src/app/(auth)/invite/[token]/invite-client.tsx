'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { signOut } from 'next-auth/react';
import { api, ApiError } from '~/lib/api-client';

export function AcceptInvitation({ token, orgName }: { token: string; orgName: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function join() {
    setBusy(true);
    setError(null);
    try {
      const res = await api<{ organizationId: string }>('/api/app/invitations/accept', { body: { token } });
      router.push(`/app/o/${res.organizationId}`);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not join. Try again.');
      setBusy(false);
    }
  }
  return (
    <>
      <button
        type="button"
        className="btn"
        style={{ justifyContent: 'center' }}
        disabled={busy}
        onClick={() => void join()}
      >
        {busy ? 'Joining…' : `Join ${orgName}`}
      </button>
      {error ? (
        <p className="alert error" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}

export function SwitchAccount({ loginUrl }: { loginUrl: string }) {
  return (
    <button
      type="button"
      className="btn"
      style={{ justifyContent: 'center' }}
      onClick={() => void signOut({ redirectTo: loginUrl })}
    >
      Log out and switch account
    </button>
  );
}
