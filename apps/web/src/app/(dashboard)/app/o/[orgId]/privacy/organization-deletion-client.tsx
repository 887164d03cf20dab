'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, ApiError } from '~/lib/api-client';

/** Owner only: schedule the organization's deletion after typing its name, or cancel a scheduled one. */
export function OrganizationDeletion({
  orgId,
  orgName,
  scheduledFor,
  graceDays,
}: {
  orgId: string;
  orgName: string;
  scheduledFor: string | null;
  graceDays: number;
}) {
  const router = useRouter();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function run(init: { method: string; body: unknown }) {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/app/orgs/${orgId}/deletion`, init);
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not do it; try again.');
    } finally {
      setBusy(false);
    }
  }
  if (scheduledFor)
    return (
      <div className="stack">
        <p className="alert error" data-testid="deletion-scheduled" style={{ margin: 0 }}>
          <strong>{orgName}</strong> will be deleted for good on{' '}
          <time dateTime={scheduledFor}>{new Date(scheduledFor).toUTCString()}</time>. Its chat apps were disconnected
          and its API keys revoked.
        </p>
        {error ? <div className="alert error">{error}</div> : null}
        <div className="row">
          <button
            type="button"
            className="btn"
            disabled={busy}
            onClick={() => void run({ method: 'DELETE', body: {} })}
            data-testid="deletion-cancel"
          >
            Cancel the deletion
          </button>
        </div>
      </div>
    );
  return (
    <div className="stack">
      <p style={{ margin: 0 }}>
        Deleting <strong>{orgName}</strong> disconnects its chat apps and revokes its API keys at once, mails every
        owner, and after {graceDays} days deletes every project, conversation, message, file, webhook and audit entry of
        it. Until then an owner can cancel. Members keep their own accounts.
      </p>
      <label className="field">
        <span>Type the organization name to confirm</span>
        <input
          type="text"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          placeholder={orgName}
          autoComplete="off"
          data-testid="deletion-confirm"
        />
      </label>
      {error ? <div className="alert error">{error}</div> : null}
      <div className="row">
        <button
          type="button"
          className="btn danger"
          disabled={busy || typed.trim() !== orgName}
          onClick={() => void run({ method: 'POST', body: { confirmName: typed } })}
          data-testid="deletion-submit"
        >
          {busy ? 'Scheduling…' : 'Delete this organization'}
        </button>
      </div>
    </div>
  );
}
