'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, ApiError } from '~/lib/api-client';

/** Adds the dashboard's origin to the project's allowed origins, so the widget can load on the test page. */
export function AllowTestPageButton({
  orgId,
  projectId,
  origins,
  testOrigin,
}: {
  orgId: string;
  projectId: string;
  origins: string[];
  testOrigin: string;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function allow() {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/app/orgs/${orgId}/projects/${projectId}`, {
        method: 'PATCH',
        body: { allowedOrigins: [...origins, testOrigin] },
      });
      // The realtime service caches project settings for a few seconds.
      setTimeout(() => router.refresh(), 5500);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not save.');
      setBusy(false);
    }
  }
  return (
    <div className="stack">
      <div className="row">
        <button type="button" className="btn" disabled={busy} onClick={() => void allow()}>
          {busy ? 'Allowing… (a few seconds)' : `Allow ${testOrigin}`}
        </button>
      </div>
      {error ? <div className="alert error">{error}</div> : null}
    </div>
  );
}
