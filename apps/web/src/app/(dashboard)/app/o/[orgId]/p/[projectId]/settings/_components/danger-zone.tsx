'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, ApiError } from '~/lib/api-client';

/** Owner only: deletes the project and everything in it, after typing its name. */
export function DangerZone({
  orgId,
  projectId,
  projectName,
}: {
  orgId: string;
  projectId: string;
  projectName: string;
}) {
  const router = useRouter();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function remove() {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/app/orgs/${orgId}/projects/${projectId}`, { method: 'DELETE', body: { confirmName: typed } });
      router.push(`/app/o/${orgId}`);
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not delete the project.');
      setBusy(false);
    }
  }
  return (
    <div className="stack">
      <p style={{ margin: 0 }}>
        Deleting <strong>{projectName}</strong> removes its widget key, conversations, visitors and chat-app
        connections. This cannot be undone.
      </p>
      <label className="field">
        <span>Type the project name to confirm</span>
        <input
          type="text"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          placeholder={projectName}
          autoComplete="off"
        />
      </label>
      {error ? <div className="alert error">{error}</div> : null}
      <div className="row">
        <button
          type="button"
          className="btn danger-outline"
          disabled={busy || typed.trim() !== projectName}
          onClick={() => void remove()}
        >
          {busy ? 'Deleting…' : 'Delete this project'}
        </button>
      </div>
    </div>
  );
}
