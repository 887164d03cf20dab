'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, ApiError } from '~/lib/api-client';

/** Step 1: name the organization (the team's workspace); the creator becomes its owner. */
export function CreateOrgForm({ suggestion }: { suggestion: string }) {
  const router = useRouter();
  const [name, setName] = useState(suggestion);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api<{ organization: { id: string } }>('/api/app/orgs', { method: 'POST', body: { name } });
      router.push(`/app/onboarding?org=${res.organization.id}`);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Something went wrong; try again.');
      setBusy(false);
    }
  }
  return (
    <form className="card stack" onSubmit={(e) => void submit(e)}>
      <label className="field">
        <span>Organization name</span>
        <input
          type="text"
          name="organization"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={80}
          required
          autoFocus
          placeholder="Acme Inc."
        />
        <small>Usually your company. You can invite your team to it later.</small>
      </label>
      {error ? <div className="alert error">{error}</div> : null}
      <div className="row">
        <button className="btn" type="submit" disabled={busy || name.trim() === ''}>
          {busy ? 'Creating…' : 'Continue'}
        </button>
      </div>
    </form>
  );
}
