'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api } from '~/lib/api-client';

/** Close / reopen: the same effects as /close and /reopen in a chat app (widget rating prompt, note on every bridge). */
export function StatusButton({
  orgId,
  projectId,
  conversationId,
  status,
}: {
  orgId: string;
  projectId: string;
  conversationId: string;
  status: 'open' | 'closed';
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const next = status === 'open' ? 'closed' : 'open';
  async function toggle() {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/app/orgs/${orgId}/projects/${projectId}/conversations/${conversationId}/status`, {
        body: { status: next },
      });
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Failed');
    } finally {
      setBusy(false);
    }
  }
  return (
    <span className="row">
      <button
        type="button"
        className={`btn ${status === 'open' ? 'secondary' : ''}`}
        disabled={busy}
        onClick={() => void toggle()}
      >
        {status === 'open' ? 'Close conversation' : 'Reopen'}
      </button>
      {error ? <span className="alert error">{error}</span> : null}
    </span>
  );
}
