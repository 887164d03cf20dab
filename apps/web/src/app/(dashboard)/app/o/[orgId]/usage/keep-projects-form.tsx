'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { api, ApiError } from '~/lib/api-client';

/** The owner's choice after a downgrade: which projects stay active (at most the plan's count). */
export function KeepProjectsForm({
  orgId,
  max,
  projects,
}: {
  orgId: string;
  max: number;
  projects: { id: string; name: string; active: boolean }[];
}) {
  const router = useRouter();
  const [keep, setKeep] = useState<string[]>(projects.filter((p) => p.active).map((p) => p.id));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        api(`/api/app/orgs/${orgId}/usage/keep`, { body: { projectIds: keep } })
          .then(() => router.refresh())
          .catch((err: unknown) => setError(err instanceof ApiError ? err.message : 'Could not save.'))
          .finally(() => setBusy(false));
      }}
    >
      {projects.map((p) => (
        <label key={p.id} className="row">
          <input
            type="checkbox"
            checked={keep.includes(p.id)}
            onChange={(e) => setKeep(e.target.checked ? [...keep, p.id] : keep.filter((id) => id !== p.id))}
          />
          {p.name}
        </label>
      ))}
      {error ? <div className="alert error">{error}</div> : null}
      <div className="row">
        <button type="submit" className="btn" disabled={busy || keep.length === 0 || keep.length > max}>
          Keep these {keep.length} (plan allows {max})
        </button>
      </div>
    </form>
  );
}
