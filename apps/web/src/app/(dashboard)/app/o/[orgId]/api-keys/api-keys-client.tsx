'use client';

import { useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { api, ApiError } from '~/lib/api-client';
import { useConfirm } from '~/components/confirm-dialog';
import { CopyButton } from '../p/[projectId]/install/_components/copy-button';

export function CreateApiKey({ orgId, projects }: { orgId: string; projects: { id: string; name: string }[] }) {
  const router = useRouter();
  const [name, setName] = useState('');
  const [access, setAccess] = useState<'read_write' | 'read'>('read_write');
  const [projectId, setProjectId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ key: string; name: string } | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api<{ key: string; apiKey: { name: string } }>(`/api/app/orgs/${orgId}/api-keys`, {
        body: { name, scopes: access === 'read' ? ['read'] : ['read', 'write'], projectId: projectId || null },
      });
      setCreated({ key: res.key, name: res.apiKey.name });
      setName('');
      setAccess('read_write');
      setProjectId('');
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not create the key. Try again.');
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="stack">
      <form
        className="row"
        style={{ alignItems: 'end' }}
        onSubmit={(e) => void submit(e)}
        aria-label="Create an API key"
      >
        <label className="field" style={{ flex: '1 1 16rem' }}>
          <span>Name</span>
          <input
            type="text"
            required
            maxLength={80}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. CRM sync"
          />
        </label>
        <label className="field" style={{ flex: '0 1 14rem' }}>
          <span>Permissions</span>
          <select value={access} onChange={(e) => setAccess(e.target.value as 'read_write' | 'read')}>
            <option value="read_write">Read and write</option>
            <option value="read">Read only</option>
          </select>
        </label>
        <label className="field" style={{ flex: '0 1 14rem' }}>
          <span>Projects</span>
          <select value={projectId} onChange={(e) => setProjectId(e.target.value)}>
            <option value="">All projects</option>
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                Only {p.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn" disabled={busy}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </form>
      {error ? (
        <p className="alert error" role="alert">
          {error}
        </p>
      ) : null}
      {created ? (
        <div className="alert success stack" role="status" data-testid="new-api-key">
          <strong>Your new key “{created.name}”. Copy it now: it will not be shown again.</strong>
          <div className="row">
            <code
              style={{
                wordBreak: 'break-all',
                flex: '1 1 16rem',
                background: '#fff',
                padding: '0.4rem',
                borderRadius: 6,
              }}
            >
              {created.key}
            </code>
            <CopyButton text={created.key} />
            <button type="button" className="btn secondary" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}

export function RevokeApiKey({ orgId, keyId, name }: { orgId: string; keyId: string; name: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [dialog, confirm] = useConfirm();
  async function revoke() {
    const ok = await confirm({
      title: 'Revoke this API key?',
      body: (
        <p style={{ margin: 0 }}>
          Programs using <strong>{name}</strong> stop working at once.
        </p>
      ),
      confirmLabel: 'Revoke key',
      destructive: true,
    });
    if (!ok) return;
    setBusy(true);
    setError(null);
    try {
      await api(`/api/app/orgs/${orgId}/api-keys/${keyId}`, { method: 'DELETE', body: {} });
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not revoke the key.');
    } finally {
      setBusy(false);
    }
  }
  return (
    <span className="row">
      {dialog}
      <button type="button" className="btn danger-outline" disabled={busy} onClick={() => void revoke()}>
        Revoke
      </button>
      {error ? (
        <span className="alert error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}
