'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { api, ApiError } from '~/lib/api-client';

/**
 * The owner's choice after a downgrade, for one project: which chat apps stay active (at most the plan's count per
 * project); the others are paused — kept, with their threads — until the plan allows them again.
 */
export function KeepChatAppsForm({
  orgId,
  projectId,
  projectName,
  max,
  chatApps,
}: {
  orgId: string;
  projectId: string;
  projectName: string;
  max: number;
  chatApps: { id: string; label: string; active: boolean }[];
}) {
  const router = useRouter();
  const [keep, setKeep] = useState<string[]>(chatApps.filter((c) => c.active).map((c) => c.id));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="stack"
      data-keep-chat-apps={projectId}
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        api(`/api/app/orgs/${orgId}/usage/keep`, { body: { projectId, connectionIds: keep } })
          .then(() => router.refresh())
          .catch((err: unknown) => setError(err instanceof ApiError ? err.message : 'Could not save.'))
          .finally(() => setBusy(false));
      }}
    >
      <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
        <legend>Chat apps of {projectName}</legend>
        {chatApps.map((c) => (
          <label key={c.id} className="row">
            <input
              type="checkbox"
              name="chat-app"
              value={c.id}
              checked={keep.includes(c.id)}
              onChange={(e) => setKeep(e.target.checked ? [...keep, c.id] : keep.filter((id) => id !== c.id))}
            />
            {c.label}
            {c.active ? '' : ' — paused'}
          </label>
        ))}
      </fieldset>
      {error ? <div className="alert error">{error}</div> : null}
      <div className="row">
        <button type="submit" className="btn" disabled={busy || keep.length === 0 || keep.length > max}>
          Keep these {keep.length} (plan allows {max})
        </button>
      </div>
    </form>
  );
}
